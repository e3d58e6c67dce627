import ArgumentParser
import ExeControl
import ExeSSH
import ExeSystem
import Foundation

/// `exe-cli token mint`: signs an exe0 token with the user's SSH key,
/// with no round trip to exe.dev.
struct TokenMintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint",
        abstract: "Print a new exe0 token signed with your SSH key (nothing is sent anywhere).",
        discussion: """
            The key is --identity (or EXE_IDENTITY, else ~/.ssh/id_ed25519) when it is an unencrypted ed25519 key, \
            else that key (or the first ed25519 identity) through ssh-agent. The key must be registered on the \
            account (ssh-key add) for exe.dev to accept the token. Without --cmds the server's defaults apply \
            (help, ls, new, whoami, ssh-key list, share show, exe0-to-exe1). The token is printed on stdout: treat it \
            as a password.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Allowed commands, comma-separated (e.g. 'ls,new,ssh-key list'); an empty value allows none.") var cmds: String?
    @Option(help: "Expiry: a duration from now (90s, 15min, 1h, 7d, 2w), a Unix time, a date or RFC 3339 time.") var exp: String?
    @Option(help: "Not valid before: same forms as --exp.") var nbf: String?
    @Option(help: "JSON passed verbatim to the VM in X-ExeDev-Token-Ctx (checked: valid, no duplicate keys).") var ctx: String?
    @Option(help: "Mint a token for this VM's HTTPS proxy (namespace v0@VM.exe.xyz) instead of the API.") var vm: String?

    func validate() throws {
        if let vm, (try? VMName(vm)) == nil { throw ValidationError(VMName.invalidMessage) }
    }

    mutating func run() async throws {
        let environment = CLIEnvironment.process
        do {
            let settings = try ControlSettings(global, environment: environment)
            let permissions = try permissions(now: Date())
            let signer = try SSHSignerChoice.signer(identityFile: settings.identity, environment: environment.ssh)
            let namespace = try vm.map { try TokenMinter.vmNamespace(VMName($0)) } ?? TokenMinter.apiNamespace
            let token = try TokenMinter(signer: signer).mint(permissions, namespace: namespace)
            if settings.json {
                let object: [String: String] = ["token": token.reveal(), "namespace": namespace, "key_fingerprint": Self.fingerprint(signer)]
                environment.console.print(try JSONRenderer.render(object))
            } else {
                environment.console.print(token.reveal())
            }
        } catch let error as CLIUsageError {
            environment.console.printError("error: " + error.description)
            throw CLIExit(.usage)
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
    }

    /// The permissions the options describe.
    func permissions(now: Date) throws -> TokenPermissions {
        var permissions = TokenPermissions()
        if let exp { permissions.expires = try TokenTime.parse(exp, now: now) }
        if let nbf { permissions.notBefore = try TokenTime.parse(nbf, now: now) }
        if let cmds {
            permissions.commands = cmds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        permissions.context = ctx
        return permissions
    }

    static func fingerprint(_ signer: any SSHDataSigner) -> String {
        SHA256Hasher.openSSHFingerprint(ofKeyBlob: signer.publicKeyBlob)
    }
}
