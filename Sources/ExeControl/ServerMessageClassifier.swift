import Foundation

/// Maps the server's error messages (reference §5) to a ``ControlError/Kind``.
///
/// The server has no error codes, only messages, and their wording varies
/// between commands (`VM "x" not found`, `vm "x" not found`, `VM not found: x`).
/// Matching is case-insensitive on stable fragments; the most specific rules
/// come first.
enum ServerMessageClassifier {
    private static let rules: [(fragments: [String], kind: ControlError.Kind)] = [
        (["command not found:", "subcommand \"", "no help available for unrecognized command"], .unknownCommand),
        (["please complete registration", "invalid token", "missing or invalid authorization"], .authenticationFailed),
        (["active plan", "verify your account"], .noActivePlan),
        (
            [
                "maximum number of vms", "current plan", "cannot exceed", "billing update", "daily email limit",
            ], .planLimit
        ),
        (["rate limit", "too many"], .rateLimited),
        (["timed out", "deadline exceeded"], .timeout),
        (["temporarily unreachable", "internal error"], .serverError),
        (
            [
                "not allowed by", "has expired", "has been revoked", "sudoers", "cannot modify tags",
                "scoped to tag", "managed by an integration", "permission denied", "not in a team",
                // `exe.dev repl: command not available: "share access allow VM"`: a
                // command whose `Available` check fails for the account (a team command).
                "command not available",
            ], .permissionDenied
        ),
        (["not found", "no matching", "no share found"], .notFound),
        // Only the VM-name messages: `VM name "x" is not available` (new),
        // `name "x" is not available` (cp, rename) and `invalid VM name: this
        // VM name is not available`. Other things "not available" (a closed
        // region, a plan feature) are matched further down.
        // `region "pdx" is not available; choose from: lax, ...` (set-region,
        // execore/ssh_set_region_command.go): a bad argument, not a taken name.
        (["is not available; choose from"], .invalidArgument),
        (["\" is not available", "this vm name is not available"], .nameNotAvailable),
        (
            [
                "is locked", "already exists", "already associated", "already in use", "already attached",
                "not attached", "already shared", "still being created", "not running", "cannot be restarted",
                "has no container", "is in state",
            ], .conflict
        ),
        (
            [
                "flag provided but not defined", "flag parsing error", "invalid", "must ", "usage:",
                "please specify", "please provide", "is required", "does not take", "specified more than once",
                "can only be used", "too long", "not valid", "unknown integration type", "mutually exclusive",
                "only available in the interactive", "requires", "this is a private key",
                // A command named in an argument (`unknown command in --cmds: "x"`).
                "unknown command",
                // Anything else "not available" (a plan feature).
                "is not available",
            ], .invalidArgument
        ),
    ]

    /// The kind for `message`, or `nil` when no rule recognizes it.
    static func kind(for message: String) -> ControlError.Kind? {
        let lowered = message.lowercased()
        // `/exec`'s 404 body names the request's own command; the same words
        // inside a longer message name an argument.
        if lowered.trimmingCharacters(in: .whitespacesAndNewlines) == "unknown command" { return .unknownCommand }
        for rule in rules where rule.fragments.contains(where: { lowered.contains($0) }) {
            return rule.kind
        }
        return nil
    }

    /// Whether plain text printed with exit status 0 is really an error
    /// (libssh2 1.10 reports a missing exit status as 0): the server's
    /// flag-parse and dispatch errors, which come as text even with `--json`.
    static func isPlainTextError(_ text: String) -> Bool {
        let lowered = text.lowercased()
        let markers = [
            "flag parsing error", "flag provided but not defined", "exe.dev repl: command not found",
            "does not take positional arguments", "subcommand \"", "please complete registration", "usage:",
        ]
        return markers.contains { lowered.contains($0) } || kind(for: text).map { $0 != .invalidArgument } ?? false
    }
}
