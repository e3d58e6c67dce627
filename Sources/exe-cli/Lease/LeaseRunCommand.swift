import ArgumentParser
import Dispatch
import ExeLease
import ExeSSH
import Foundation

/// `exe-cli lease run`.
struct LeaseRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Sync the work tree to a lease and run a command there; exit with its status.",
        discussion: """
            Without --id, a one-shot lease is created and stopped afterwards (unless --keep). \
            Only allowlisted environment variables are forwarded (CI by default; --allow-env NAME, NAME* for a prefix), \
            plus EXE_LEASE_ID, EXE_LEASE_SLUG and EXE_RUN_ID. Ctrl-C interrupts the remote command (SIGINT, then SIGKILL) \
            and exits 130. Everything before -- is exe-cli's: --help prints this, an unknown option exits 2 before any VM exists. \
            Outside a git work tree, well-known secrets (.ssh/, .aws/, .env*, *.pem, *.key, id_rsa, ...) are not synced \
            (said once on stderr); $HOME itself and / are never synced without --allow-home-sync.
            """)

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseOptions
    @Option(name: .customLong("id"), help: "The lease: id, slug or VM name.") var id: String?
    @Flag(name: .customLong("no-sync"), help: "Run without syncing.") var noSync = false
    @Flag(name: .customLong("sync-only"), help: "Sync and stop; run nothing.") var syncOnly = false
    @Flag(help: "Compare file content, not size and time.") var checksum = false
    @Flag(name: .customLong("allow-large-sync"), help: "Sync past the size guardrails.") var allowLargeSync = false
    @Option(name: .customLong("allow-env"), help: "Forward this environment variable (repeatable; NAME* for a prefix).") var allowEnv: [String] = []
    @Flag(name: .customLong("allow-home-sync"), help: "Sync even when the directory to sync is $HOME itself or /.") var allowHomeSync = false
    @Flag(help: "Keep the one-shot lease afterwards.") var keep = false
    @Flag(help: "Use a lease claimed by another repository.") var reclaim = false
    @Option(name: .customLong("timing-json"), help: "Write the timing record to this file.") var timingJSON: String?
    @Option(name: .customLong("artifacts"), parsing: .upToNextOption, help: "Copy these paths back after the command, also when it fails (globs relative to the remote work dir).") var artifacts: [String] = []
    @Option(name: .customLong("artifacts-dir"), help: "Where artifacts go (default .exe/artifacts/<run id>/ in the repository; with --shards, each shard's in shard-<i>/ there).") var artifactsDirectory: String?
    @OptionGroup(title: "Sharded runs") var sharding: LeaseShardOptions
    @Argument(parsing: .postTerminator, help: "The command, after --.") var command: [String] = []

    var words: [String] { command }

    func validate() throws {
        if words.isEmpty && !syncOnly { throw ValidationError("give a command to run after -- (or --sync-only)") }
        if noSync && syncOnly { throw ValidationError("--no-sync and --sync-only exclude each other") }
        try sharding.validate(syncOnly: syncOnly, timingJSON: timingJSON)
        for name in allowEnv where !RemoteCommand.isValidName(name.hasSuffix("*") ? String(name.dropLast()) + "X" : name) {
            throw ValidationError("--allow-env \(name): not a variable name")
        }
        for pattern in artifacts {
            do { try ArtifactRequest.validate(pattern) } catch let error as LeaseError { throw ValidationError(error.message) }
        }
        if artifactsDirectory != nil && artifacts.isEmpty { throw ValidationError("--artifacts-dir needs --artifacts") }
    }

    mutating func run() async throws {
        var request = LeaseRunRequest(lease: id, arguments: words)
        request.sync = !noSync
        request.syncOnly = syncOnly
        request.checksum = checksum
        request.allowLargeSync = allowLargeSync
        request.allowEnv = allowEnv
        request.keep = keep
        request.reclaim = reclaim
        request.environment = ProcessInfo.processInfo.environment
        if !artifacts.isEmpty {
            request.artifacts = ArtifactRequest(
                patterns: artifacts, directory: artifactsDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        }
        let timingPath = timingJSON
        if !noSync, !allowHomeSync {
            let root = await LeaseSession.repositoryRoot()
            let home = ProcessInfo.processInfo.environment["HOME"].map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            if root == "/" || URL(fileURLWithPath: root).standardizedFileURL.path == home {
                Console.standard.printError(
                    "error: refusing to sync \(root == "/" ? "/" : "your home directory \(root)") to the VM: run from a project directory, pass --no-sync, or --allow-home-sync if you mean it")
                throw CLIExit(.usage)
            }
        }
        if sharding.isSharded {
            try await LeaseShardRunCommand.run(request, options: sharding, global: global, lease: lease)
            return
        }
        try await LeaseSession.run(global, lease) { leases, session in
            let sigint = SIGINTInterrupt()
            defer { sigint.remove() }
            let interrupt = sigint.interrupt
            let console = session.console
            let result = try await leases.run(request, interrupt: interrupt) { event in
                switch event {
                case .stdout(let data): console.writeOutput(data)
                case .stderr(let data): console.writeError(data)
                case .exit: break
                }
            }
            let (status, timing) = (result.status, result.timing)
            if let report = result.artifacts {
                console.printError(LeaseArtifactsOutput.line(report))
            }
            console.printError(timing.summary)
            if let timingPath {
                try Data((JSONRenderer.render(timing) + "\n").utf8).write(to: URL(fileURLWithPath: timingPath))
            }
            if timing.interrupted { throw CLIExit(.interrupted) }
            if let status, status != .exited(0) { throw CLIExit(status: status.shellStatus) }
        }
    }
}
