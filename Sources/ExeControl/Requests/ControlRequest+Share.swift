import Foundation

extension ControlRequest {
    static func share(_ subcommand: [String], _ name: String, _ rest: [ControlWord] = [], flags: [ControlFlag] = [], readOnly: Bool = false) throws(ControlError) -> ControlRequest {
        ControlRequest(
            ["share"] + subcommand, arguments: [try ArgumentChecks.existingVM(name)] + rest, flags: flags, isReadOnly: readOnly)
    }

    /// `share port <vm> <port>`, with the server's range check.
    static func sharePort(_ name: String, _ port: Int) throws(ControlError) -> ControlRequest {
        guard (3000...9999).contains(port) else {
            throw ControlError(.invalidArgument, "port must be between 3000 and 9999, got \(GoQuote.string(String(port)))")
        }
        return try share(["port"], name, [ControlWord(String(port))])
    }

    /// `share add <vm> <email> [--message=]`.
    static func shareAdd(_ name: String, email: String, message: String?) throws(ControlError) -> ControlRequest {
        try share(["add"], name, [try shareeEmail(email)], flags: message.map { [ControlFlag("message", ControlWord($0))] } ?? [])
    }

    /// The address `share add`/`share remove` send, trimmed and lowercased as
    /// the server reads it (`strings.ToLower(strings.TrimSpace(arg))`,
    /// execore/ssh_share.go): `" Friend@Example.com"` is accepted, and a
    /// refusal quotes the address as the server would.
    static func shareeEmail(_ email: String) throws(ControlError) -> ControlWord {
        let address = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !address.contains(where: \.isWhitespace) else {
            throw ControlError(.invalidArgument, "invalid email address: \(GoQuote.string(address))")
        }
        return ControlWord(address)
    }
}
