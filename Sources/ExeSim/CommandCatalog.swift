/// The definitions of every command the simulator serves: names, aliases,
/// flags (with the real server's defaults) and help text.
enum CommandCatalog {
    static let json = GoFlag("json", .bool(default: false), "output in JSON format")
    /// `addQRFlag` (execore/ssh_command_handlers.go).
    static let qr = GoFlag("qr", .bool(default: false), "show QR code for the URL")

    static let all: [CommandSpec] = [
        CommandSpec("help", "Show help information", usage: "help [command]", rawArgs: true),
        CommandSpec(
            "ls", "List your VMs", usage: "ls [-l] [-a] [--group=tag|region|type] [name|tag|glob...]",
            flags: [
                json, GoFlag("l", .bool(default: false), "show details"), GoFlag("a", .bool(default: false), "include team VMs"),
                GoFlag("group", .string(default: "none"), "group VMs by none|tag|region|type"),
            ],
            examples: ["ls", "ls -l", "ls prod", "ls 'web-*'"], positional: true),
        CommandSpec(
            "new", "Create a new VM", usage: "new [flags]",
            flags: [
                json,
                GoFlag("name", .string(default: ""), "VM name (auto-generated if not specified)"),
                GoFlag("image", .string(default: "exeuntu"), "container image"),
                GoFlag("command", .string(default: "auto"), "container command: auto, none, or a custom command"),
                GoFlag("prompt", .string(default: ""), "initial prompt for Shelley (exeuntu only; /dev/stdin reads stdin)"),
                GoFlag("no-email", .bool(default: false), "do not send an email when the VM is ready"),
                GoFlag("memory", .string(default: ""), "memory size (e.g. 8GB; default 8GB)"),
                GoFlag("disk", .string(default: ""), "disk size (e.g. 25GB; default 25GB)"),
                GoFlag("cpu", .uint(default: 0), "number of CPUs (default 2; run 'billing plan' for plan limits)"),
                GoFlag("setup-script", .string(default: ""), "script run once at first boot (/dev/stdin reads stdin)"),
                GoFlag("comment", .string(default: ""), "a comment for the VM"),
                GoFlag("env", .list, "environment variable KEY=VALUE (repeatable)"),
                GoFlag("tag", .list, "tag (repeatable or comma-separated)"),
                GoFlag("integration", .list, "attach an integration (repeatable or comma-separated)"),
                GoFlag("int", .list, "[hidden] alias of --integration"),
                GoFlag("registry-auth", .string(default: ""), "USERNAME:PASSWORD for a private registry hosting --image"),
                GoFlag("emoji", .string(default: ""), "[hidden] emoji"),
                GoFlag("prompt-model", .string(default: ""), "[hidden] prompt model"),
                GoFlag("no-shard", .bool(default: false), "[hidden] no shard"),
                GoFlag("exelet", .string(default: ""), "[hidden] exelet"),
            ] + placementFlags,
            examples: ["new --name=my-vm", "new --image=ghcr.io/owner/app:latest --registry-auth=USER:TOKEN"]),
        // rm, restart, comment, stat, cp, whoami, set-region: the Command
        // entries of NewCommandTree (execore/ssh_command_handlers.go) and
        // their flag sets (cpCommandFlags, statCommandFlags in ssh_stat_command.go).
        CommandSpec("rm", "Delete a VM", usage: "rm <vmname>...", flags: [json], positional: true),
        CommandSpec("restart", "Restart a VM", usage: "restart <vmname>", flags: [json], positional: true),
        CommandSpec("rename", "Rename a VM", usage: "rename <oldname> <newname>", flags: [json], positional: true),
        CommandSpec(
            "tag", "Add or remove tags on a VM", usage: "tag [-d] <vm> <tag>...",
            flags: [json, GoFlag("d", .bool(default: false), "delete the tags instead of adding them")], positional: true),
        CommandSpec(
            "comment", "Set or clear a short comment on a VM", usage: "comment <hostname> <text>", flags: [json],
            examples: ["comment my-vm staging copy"], positional: true),
        CommandSpec(
            "stat", "Show CPU, memory, disk, and IO metrics for a VM", usage: "stat <vm-name> [--range=24h|7d|30d]",
            flags: [GoFlag("range", .string(default: "24h"), "time range: 24h, 7d, or 30d"), json],
            examples: [
                "stat my-vm             # last 24 hours (default)",
                "stat my-vm --range=7d  # last 7 days",
                "stat my-vm --range=30d # last 30 days",
            ],
            positional: true, hidden: true),
        CommandSpec(
            "cp", "Copy an existing VM", usage: "cp <source-vm> [new-name] [--copy-tags=false]",
            flags: [
                json, GoFlag("copy-tags", .bool(default: true), "copy tags from source VM (use --copy-tags=false to disable)"),
                GoFlag("memory", .string(default: ""), "[hidden] memory allocation (e.g., 4, 4GB, 8G)"),
                GoFlag("disk", .string(default: ""), "disk size (e.g., 20, 20GB, 50G)"),
                GoFlag("cpu", .uint(default: 0), "[hidden] number of CPUs"),
                GoFlag("standalone", .bool(default: false), "make the copy a standalone VM (sandbox)"),
                GoFlag("sandbox", .bool(default: false), "alias of --standalone"),
            ],
            examples: [
                "cp my-vm              # copy with auto-generated name",
                "cp my-vm my-vm-copy   # copy with specific name",
                "cp my-vm --copy-tags=false  # copy without tags",
            ],
            positional: true),
        CommandSpec(
            "resize", "Resize a VM's resources (memory, CPU, disk)", usage: "resize <vmname> [--memory=<size>] [--cpu=<count>] [--disk=<size>]",
            flags: [
                GoFlag("memory", .string(default: ""), "memory allocation (e.g., 4, 4GB, 8G)"),
                GoFlag("cpu", .uint(default: 0), "number of CPUs"),
                GoFlag("disk", .string(default: ""), "new total disk size (e.g., 25, 25GB) - must be larger than current size"),
                json,
            ],
            positional: true),
        shareCommand,
        CommandSpec("whoami", "Show your user information including email and all SSH keys.", usage: "whoami", flags: [json]),
        CommandSpec(
            "ssh-key", "Manage SSH keys", usage: "ssh-key <subcommand>", flags: [json],
            subcommands: [
                CommandSpec("list", "List SSH keys", usage: "ssh-key list", flags: [json]),
                CommandSpec(
                    "add", "Add an SSH key (argument or stdin)", usage: "ssh-key add '<public key>'",
                    flags: [
                        json, GoFlag("cmds", .string(default: ""), "[hidden] allowed commands"),
                        GoFlag("vm", .string(default: ""), "[hidden] VM scope"), GoFlag("tag", .string(default: ""), "[hidden] tag scope"),
                        GoFlag("exp", .string(default: ""), "[hidden] expiry"),
                    ],
                    positional: true),
                CommandSpec("remove", "Remove an SSH key", usage: "ssh-key remove <name|fingerprint|public key>", flags: [json], positional: true),
                CommandSpec("rename", "Rename an SSH key", usage: "ssh-key rename <old-name> <new-name>", flags: [json], positional: true),
                CommandSpec(
                    // execore/ssh_key_command.go and generateAPIKeyFlags
                    // (execore/ssh_key_generate_api_key.go).
                    "generate-api-key", "Generate an API key for the exe.dev HTTPS API or for a specific VM",
                    usage: "ssh-key generate-api-key [--label=NAME] [--vm=VMNAME] [--cmds=CMD1,CMD2] [--exp=30d]",
                    flags: [
                        GoFlag("label", .string(default: ""), "label for this token's SSH key"),
                        GoFlag("vm", .string(default: ""), "scope key to a VM (authenticates to its HTTPS endpoints instead of exe.dev commands)"),
                        GoFlag("tag", .string(default: ""), "[hidden] scope key to VMs with this tag"),
                        GoFlag("cmds", .string(default: ""), "comma-separated list of allowed commands (empty = defaults)"),
                        GoFlag("exp", .string(default: ""), "expiry duration (e.g. 30d, 1y) or 'never'"),
                        json,
                    ],
                    examples: [
                        "# Generate a key for the exe.dev API (lobby commands like ls, new, whoami):",
                        "ssh-key generate-api-key --label=ci --cmds=ls,new --exp=90d",
                        "",
                        "# Generate a key scoped to a VM (authenticates to its HTTPS proxy):",
                        "ssh-key generate-api-key --vm=my-vm --label=deploy",
                    ]),
            ]),
        CommandSpec("set-region", "Set your preferred region for new VMs.", usage: "set-region <region-code>", flags: [json], positional: true),
        CommandSpec(
            "exe0-to-exe1", "Trade an exe0 token for a short exe1 token", usage: "exe0-to-exe1 [--vm=VMNAME] <exe0-token>",
            flags: [json, GoFlag("vm", .string(default: ""), "scope token to a specific VM")], positional: true),
        CommandSpec("ssh", "SSH into a VM", usage: "ssh [-l user] [user@]vmname [command...]", positional: true, rawArgs: true),
        CommandSpec("true", "Do nothing, successfully", hidden: true),
        CommandSpec(
            "integrations", aliases: ["int"], "Manage integrations", usage: "integrations <subcommand>", flags: [json],
            subcommands: [
                CommandSpec("list", "List integrations", usage: "integrations list", flags: [json]),
                CommandSpec(
                    "add", "Add an integration", usage: "integrations add <type> --name=<name> [args...]",
                    flags: [
                        GoFlag("name", .string(default: ""), "integration name"),
                        GoFlag("team", .bool(default: false), "team integration"),
                        GoFlag("attach", .list, "attach to a spec (vm:<name>, tag:<name>, or auto:all); can be repeated"),
                        GoFlag("comment", .string(default: ""), "comment"),
                        GoFlag("target", .string(default: ""), "http-proxy target URL"),
                        GoFlag("header", .string(default: ""), "header to inject (e.g. X-Auth:secret)"),
                        GoFlag("bearer", .string(default: ""), "http-proxy bearer token"),
                        GoFlag("peer", .bool(default: false), "http-proxy target is one of your VMs"),
                        GoFlag("repository", .string(default: ""), "github repositories owner/repo[,owner/repo2]"),
                        GoFlag("fields", .string(default: "all"), "reflection fields"),
                    ],
                    positional: true),
                CommandSpec("remove", "Remove an integration", usage: "integrations remove <name>", flags: [], positional: true),
                CommandSpec("attach", "Attach an integration", usage: "integrations attach <name> <spec>", flags: [], positional: true),
                CommandSpec("detach", "Detach an integration", usage: "integrations detach <name> <spec>", flags: [], positional: true),
                CommandSpec("rename", "Rename an integration", usage: "integrations rename <name> <new-name>", flags: [], positional: true),
                integrationsEdit,
            ]),
    ] + todayCommands
}
