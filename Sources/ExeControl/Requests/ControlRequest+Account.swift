import Foundation

extension ControlRequest {
    static let whoami = ControlRequest(["whoami"], isReadOnly: true)

    static let listSSHKeys = ControlRequest(["ssh-key", "list"], isReadOnly: true)

    /// `ssh-key add '<public key> [comment]'` (never from stdin).
    static func addSSHKey(_ publicKey: String) throws(ControlError) -> ControlRequest {
        let key = publicKey.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else {
            throw ControlError(.invalidArgument, "an SSH public key is required")
        }
        if key.contains("PRIVATE KEY") {
            throw ControlError(.invalidArgument, "this is a private key, please use the public key instead")
        }
        return ControlRequest(["ssh-key", "add"], arguments: [ControlWord(key)])
    }

    /// `ssh-key remove <name|SHA256:fp|public key>`.
    static func removeSSHKey(_ identifier: String) throws(ControlError) -> ControlRequest {
        ControlRequest(["ssh-key", "remove"], arguments: [try ArgumentChecks.nonEmpty(identifier, "a key name, fingerprint or public key")])
    }

    /// `ssh-key rename <old> <new>`.
    static func renameSSHKey(_ name: String, to newName: String) throws(ControlError) -> ControlRequest {
        ControlRequest(
            ["ssh-key", "rename"],
            arguments: [try ArgumentChecks.nonEmpty(name, "the key's name"), try ArgumentChecks.nonEmpty(newName, "the new name")])
    }

    /// `ssh-key generate-api-key [--label=] [--vm=] [--cmds=a,b] [--exp=]`.
    static func generateAPIKey(_ options: APIKeyOptions) throws(ControlError) -> ControlRequest {
        var flags: [ControlFlag] = []
        if let label = options.label { flags.append(ControlFlag("label", try ArgumentChecks.nonEmpty(label, "--label"))) }
        if let vm = options.vm { flags.append(ControlFlag("vm", try ArgumentChecks.existingVM(vm))) }
        if !options.commands.isEmpty {
            if options.commands.contains(where: { $0.contains(",") || $0.isEmpty }) {
                throw ControlError(.invalidArgument, "--cmds entries must be non-empty and must not contain ','")
            }
            flags.append(ControlFlag("cmds", ControlWord(options.commands.joined(separator: ","))))
        }
        if let expiry = options.expiry { flags.append(ControlFlag("exp", try ArgumentChecks.nonEmpty(expiry, "--exp"))) }
        return ControlRequest(["ssh-key", "generate-api-key"], flags: flags)
    }

    /// `set-region <code>`.
    static func setRegion(_ code: String) throws(ControlError) -> ControlRequest {
        ControlRequest(["set-region"], arguments: [try ArgumentChecks.nonEmpty(code, "a region code")])
    }

    /// `help [command...]`.
    static func help(_ command: [String]) -> ControlRequest {
        ControlRequest(["help"], arguments: command.map { ControlWord($0) }, isReadOnly: true)
    }
}
