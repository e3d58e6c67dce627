extension CommandCatalog {
    /// `share` as `shareCommand` in execore/ssh_share.go (7524fcac) defines it:
    /// descriptions, usages, flags (`jsonOnlyFlags`, `addQRFlag`,
    /// `addShareMessageFlag` of ssh_command_handlers.go) and examples.
    /// `share access` and its subcommands are `Available: ss.isInTeam`; the
    /// simulator has no teams, so they are never available.
    static let shareCommand = CommandSpec(
        "share", "Share HTTPS VM access with others", usage: "share <subcommand> <vm> [args...]", flags: [json],
        subcommands: [
            CommandSpec("show", "Show current shares for a VM", usage: "share show <vm>", flags: [json, qr], positional: true),
            CommandSpec(
                "port", "Set the HTTP proxy port for a VM", usage: "share port <vm> [port]", flags: [json],
                examples: ["share port mybox 8080"], positional: true),
            CommandSpec(
                "set-public", "Make the HTTP proxy publicly accessible", usage: "share set-public <vm>", flags: [json], positional: true),
            CommandSpec(
                "set-private", "Restrict the HTTP proxy to authenticated users", usage: "share set-private <vm>", flags: [json],
                positional: true),
            CommandSpec(
                "add", "Share VM with a user via email", usage: "share add <vm> <email|team> [--message='...']",
                flags: [json, GoFlag("message", .string(default: ""), "message to include in share invitation"), qr],
                examples: [
                    "share add mybox user@example.com", "share add mybox user@example.com --message='Check this out'",
                    "share add mybox team",
                ],
                positional: true),
            CommandSpec(
                "remove", "Revoke a user's access to a VM", usage: "share remove <vm> <email|team>", flags: [json], positional: true),
            CommandSpec(
                "add-link", aliases: ["add-share-link"], "Create a shareable link for a VM", usage: "share add-link <vm>",
                flags: [json, qr], positional: true),
            CommandSpec(
                "remove-link", aliases: ["remove-share-link"], "Revoke a shareable link", usage: "share remove-link <vm> <token>",
                flags: [json], positional: true),
            CommandSpec(
                "receive-email", "Enable or disable inbound email for a VM", usage: "share receive-email <vm> [on|off]", flags: [json],
                examples: ["share receive-email mybox on", "share receive-email mybox off", "share receive-email mybox"],
                positional: true),
            CommandSpec(
                "access", "Control team SSH and Shelley access to a VM", usage: "share access <allow|disallow> <vm>", flags: [json],
                subcommands: [
                    CommandSpec(
                        "allow", "Allow team members to SSH and access Shelley on a VM", usage: "share access allow <vm>", flags: [json],
                        positional: true, available: false),
                    CommandSpec(
                        "disallow", "Disallow team members from SSH and Shelley access to a VM", usage: "share access disallow <vm>",
                        flags: [json], positional: true, available: false),
                ],
                available: false),
        ])
}
