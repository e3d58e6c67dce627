/// Commands and flags exe.dev added after May 2026, from the live docs
/// (`exe.dev/docs/cli-pool.md`, `cli-domain.md`, `cli-invite.md`,
/// `cli-new.md`, `standalone-vms.md`, `integrations*.md`).
extension CommandCatalog {
    /// `new`'s placement flags (`standalone-vms.md`, `cli-pool.md`).
    static let placementFlags: [GoFlag] = [
        GoFlag("standalone", .bool(default: false), "create a standalone VM (sandbox) with its own reserved vCPU and memory"),
        GoFlag("sandbox", .bool(default: false), "alias of --standalone"),
        GoFlag("pool", .string(default: ""), "create the VM in this pool"),
        GoFlag("no-pool", .bool(default: false), "create the VM outside any pool"),
    ]

    /// `integrations edit <name>` (`integrations.md`, `integrations-step-up.md`).
    static let integrationsEdit = CommandSpec(
        "edit", "Change an integration's settings", usage: "integrations edit <name> [flags]",
        flags: [
            GoFlag("comment", .string(default: ""), "comment"),
            GoFlag("target", .string(default: ""), "http-proxy target URL"),
            GoFlag("header", .list, "http-proxy header K:V (repeatable; replaces the headers)"),
            GoFlag("bearer", .string(default: ""), "http-proxy bearer token"),
            GoFlag("repository", .string(default: ""), "github repositories owner/repo[,owner/repo2]"),
            GoFlag("fields", .string(default: ""), "reflection fields"),
            GoFlag("step-up", .bool(default: false), "require a fresh approval before each use"),
            GoFlag("step-up-require-passkey", .bool(default: false), "require a passkey for step-up approvals"),
        ],
        positional: true)

    /// `pause`, `resume`, `domain`, `pool`, `invite`.
    static let todayCommands: [CommandSpec] = [
        CommandSpec("pause", "Pause a VM, keeping its memory and processes", usage: "pause <vm>", flags: [json], positional: true),
        CommandSpec("resume", "Resume a paused VM", usage: "resume <vm>", flags: [json], positional: true),
        CommandSpec(
            "domain", "Register custom domains for your VMs", usage: "domain <add|rm|ls> ...", flags: [json],
            examples: [
                "domain add my-vm app.example.com", "domain add --wildcard my-vm app.example.com",
                "domain add my-vm '*.app.example.com'", "domain ls my-vm", "domain ls -a", "domain rm my-vm app.example.com",
            ],
            subcommands: [
                CommandSpec(
                    "add", "Link a custom domain to a VM", usage: "domain add [--wildcard] <vm> <domain>",
                    flags: [json, GoFlag("wildcard", .bool(default: false), "issue a wildcard (*.<parent>) certificate via DNS-01 delegation")],
                    positional: true),
                CommandSpec("rm", "Remove a custom domain from a VM", usage: "domain rm <vm> <domain>", flags: [json], positional: true),
                CommandSpec(
                    "ls", "List custom domains for a VM (or -a for all your VMs)", usage: "domain ls <vm> | domain ls -a",
                    flags: [json, GoFlag("a", .bool(default: false), "list domains across all your VMs")], positional: true),
            ]),
        CommandSpec(
            "pool", "Manage your team's VM pools (reserved capacity slices)", usage: "pool <subcommand>", flags: [json],
            subcommands: [
                CommandSpec(
                    "new", "Create a pool: reserved capacity for your team's VMs",
                    usage: "pool new <name> --cpus=N [--region=<region>] [--max-vms=M]",
                    flags: [
                        json, GoFlag("cpus", .int(default: 0), "number of CPUs reserved for the pool (required; an even number of vCPUs from 4 through 512)"),
                        GoFlag("region", .string(default: ""), "region code for the pool"),
                        GoFlag("max-vms", .int(default: 0), "maximum VMs in the pool"),
                    ],
                    positional: true),
                CommandSpec("hosts", "Show your team's dedicated hosts, where its new pools are placed", usage: "pool hosts", flags: [json]),
                CommandSpec(
                    "list", aliases: ["ls"], "List your team's pools, or show live or historical usage with --usage",
                    usage: "pool list [pool-name] [--usage [--range=live|24h|7d|30d]]",
                    flags: [
                        json, GoFlag("usage", .bool(default: false), "show live or historical CPU and starvation statistics"),
                        GoFlag("range", .string(default: ""), "statistics range: live, 24h, 7d, or 30d (requires --usage)"),
                    ],
                    positional: true),
                CommandSpec(
                    "adopt", "Adopt a VM into a pool; this can take several minutes", usage: "pool adopt --vm=<vm-name> --pool=<pool-name>",
                    flags: [json, GoFlag("vm", .string(default: ""), "VM to adopt (required)"), GoFlag("pool", .string(default: ""), "pool to adopt into (required)")],
                    examples: ["pool adopt --vm=builder --pool=compile"]),
                CommandSpec(
                    "detach", "Detach a VM from its pool, making it a standalone VM", usage: "pool detach --vm=<vm-name>",
                    flags: [json, GoFlag("vm", .string(default: ""), "VM to detach (required)")]),
            ]),
        CommandSpec(
            "invite", "Manage your invite link and rewards", usage: "invite <subcommand>", flags: [json],
            subcommands: [
                CommandSpec("show", "Show your active invite link and reward", usage: "invite show", flags: [json]),
                CommandSpec("link", "Print only your active invite link", usage: "invite link", flags: [json]),
                CommandSpec("rewards", "List invite rewards you can use", usage: "invite rewards", flags: [json]),
                CommandSpec(
                    "set-reward", "Choose the reward for your invite link",
                    usage: "invite set-reward standard|bonus-credits|extra-memory|extra-disk", flags: [json], positional: true),
                CommandSpec("activity", "Show signups, upgrades, and reward status", usage: "invite activity", flags: [json]),
                CommandSpec("request", "Request more trial invites", usage: "invite request", flags: [json]),
                CommandSpec("manage", "Open the invites page", usage: "invite manage", flags: [json]),
            ]),
    ]
}
