public import ExeSystem
import Foundation
import ExeYAML

/// The lease settings, as plain values: the VM's size settings
/// (``LeaseVMSize``), the lease's life (idle timeout, TTL, what idling
/// does), where work trees go and what the sync and remote commands take.
///
/// Build them in code (every setting not given has its default):
///
/// ```swift
/// let settings = LeaseSettings(size: LeaseVMSize(cpus: 4, memory: "8GB"), idleTimeout: .seconds(600))
/// ```
///
/// or resolve them as `exe-cli` does with
/// ``resolve(overrides:repositoryRoot:environment:)``, which also says where
/// each value came from.
public struct LeaseSettings: Sendable, Equatable {
    /// The control host (`exe.dev`, or a simulator's `host:port`).
    public var controlHost: String
    /// The VM's image, CPUs, memory, disk and command.
    public var size: LeaseVMSize
    /// Inactivity after which `lease gc` stops a lease.
    public var idleTimeout: Duration
    /// The longest a lease lives, used or not.
    public var ttl: Duration
    /// The directory on the VM that work trees are synced under.
    public var workRoot: String
    /// Names of local environment variables passed to remote commands (on stdin).
    public var allowEnv: [String]
    /// More ignore patterns for the sync (gitignore syntax).
    public var syncExclude: [String]
    /// Whether the sync compresses what it sends.
    public var syncCompress: Bool
    /// What `lease gc` does to a lease idle past its timeout: pause it
    /// (memory and processes kept) or stop it.
    public var idleAction: LeaseIdleAction
    /// How long a lease may stay paused before `lease gc` stops it.
    public var pausedTTL: Duration
    /// Whether `lease run` without `--id` (and `warmup`) first takes an idle
    /// or paused lease of this repository with the same size settings.
    public var reuse: Bool

    /// Settings; every one not given has its default.
    ///
    /// - Parameters:
    ///   - controlHost: the control host (`exe.dev`).
    ///   - size: the VM's size settings (exe.dev's defaults).
    ///   - idleTimeout: inactivity after which `lease gc` acts (30 minutes).
    ///   - ttl: the longest a lease lives (90 minutes).
    ///   - workRoot: where work trees go on the VM (`/tmp/exe`).
    ///   - allowEnv: local variables passed to remote commands (`CI`).
    ///   - syncExclude: more ignore patterns for the sync.
    ///   - syncCompress: whether the sync compresses (yes).
    ///   - idleAction: what idling past the timeout does (pause).
    ///   - pausedTTL: how long a lease may stay paused (1 day).
    ///   - reuse: whether runs and warmups first take a matching idle lease (no).
    public init(
        controlHost: String = "exe.dev", size: LeaseVMSize = LeaseVMSize(), idleTimeout: Duration = .seconds(30 * 60),
        ttl: Duration = .seconds(90 * 60), workRoot: String = "/tmp/exe", allowEnv: [String] = ["CI"], syncExclude: [String] = [],
        syncCompress: Bool = true, idleAction: LeaseIdleAction = .pause, pausedTTL: Duration = .seconds(24 * 3600), reuse: Bool = false
    ) {
        self.controlHost = controlHost
        self.size = size
        self.idleTimeout = idleTimeout
        self.ttl = ttl
        self.workRoot = workRoot
        self.allowEnv = allowEnv
        self.syncExclude = syncExclude
        self.syncCompress = syncCompress
        self.idleAction = idleAction
        self.pausedTTL = pausedTTL
        self.reuse = reuse
    }

    /// The VM's size settings in one string (``LeaseVMSize/key``): a lease
    /// is reused only by settings with the same key.
    public var sizeKey: String { size.key }

    /// Checks what every lease needs: positive durations.
    ///
    /// - Throws: ``LeaseError/Kind/configuration``.
    public func validate() throws {
        if ttl <= .zero || idleTimeout <= .zero || pausedTTL <= .zero {
            throw LeaseError(.configuration, "the idle timeout, TTL and paused TTL must be positive")
        }
    }

    /// Values given on the command line (`nil`: not given).
    public struct Overrides: Sendable {
        /// `--control-host`.
        public var controlHost: String?
        /// `--image`.
        public var image: String?
        /// `--cpus`.
        public var cpus: Int?
        /// `--memory`.
        public var memory: String?
        /// `--disk`.
        public var disk: String?
        /// `--command`.
        public var command: String?
        /// `--idle-timeout`.
        public var idleTimeout: Duration?
        /// `--ttl`.
        public var ttl: Duration?
        /// `--work-root`.
        public var workRoot: String?
        /// `--allow-env` (repeatable).
        public var allowEnv: [String] = []
        /// Accept a control host that only the repository's file names.
        public var trustRepositoryControlHost = false
        /// `--idle-action`.
        public var idleAction: LeaseIdleAction?
        /// `--paused-ttl`.
        public var pausedTTL: Duration?
        /// `--reuse` (`nil`: not given).
        public var reuse: Bool?
        /// Nothing given.
        public init() {}
    }

    /// Resolves the settings as `exe-cli` does: flags > environment
    /// (`EXE_LEASE_*`) > the repository's `.exe.yaml` >
    /// `~/.config/exe/config.yaml` > defaults. The resolution's rows say
    /// where each value came from (what `exe-cli lease config` prints) and
    /// its files which of the two files were read.
    ///
    /// A control host that only the repository's file names is refused unless
    /// the user confirms it (``Overrides/trustRepositoryControlHost``
    /// or `EXE_LEASE_TRUST_REPO_CONTROL_HOST=1`): lease commands authenticate
    /// with the user's SSH key, and a cloned repository must not be able to send
    /// it somewhere else.
    ///
    /// - Parameters:
    ///   - overrides: values from the command line; they win.
    ///   - repositoryRoot: where `.exe.yaml` is looked for.
    ///   - environment: the process environment (`EXE_LEASE_*`, `XDG_CONFIG_HOME`, `HOME`,
    ///     and `EXE_CONTROL_HOST`, shared with the other commands).
    /// - Throws: ``LeaseError/Kind/configuration``.
    public static func resolve(
        overrides: Overrides, repositoryRoot: String?, environment: [String: String]
    ) throws -> SettingsResolution<LeaseSettings> {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        let userPath = configHome + "/exe/config.yaml"
        let repoPath = repositoryRoot.map { $0 + "/.exe.yaml" }
        let user = try LeaseFile.load(userPath)
        let repo = try repoPath.flatMap { try LeaseFile.load($0) }
        let defaults = LeaseSettings()

        func pick<T>(_ flag: T?, _ env: (name: String, value: T?), _ repo: T?, _ user: T?, _ fallback: T) -> ResolvedSetting<T> {
            if let flag { return ResolvedSetting(flag, .flag) }
            if let value = env.value { return ResolvedSetting(value, .environment(variable: env.name)) }
            if let repo, let repoPath { return ResolvedSetting(repo, .file(path: repoPath)) }
            if let user { return ResolvedSetting(user, .file(path: userPath)) }
            return ResolvedSetting(fallback, .defaults)
        }
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        func text(_ name: String) -> (name: String, value: String?) { (name, env(name)) }
        func optionalText(_ name: String) -> (name: String, value: String??) { (name, env(name).map { Optional($0) }) }
        func duration(_ name: String) throws -> (name: String, value: Duration?) {
            (name, try env(name).map { try LeaseDuration.parse($0, setting: name) })
        }
        func list(_ name: String) -> (name: String, value: [String]?) {
            (name, env(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } })
        }
        func flag(_ name: String) -> (name: String, value: Bool?) {
            (name, env(name).map { $0 != "0" && $0.lowercased() != "false" })
        }
        let controlHostVariable = env("EXE_LEASE_CONTROL_HOST") != nil ? "EXE_LEASE_CONTROL_HOST" : "EXE_CONTROL_HOST"

        let controlHost = pick(overrides.controlHost, text(controlHostVariable), repo?.controlHost, user?.controlHost, defaults.controlHost)
        let image = pick(overrides.image.map { Optional($0) }, optionalText("EXE_LEASE_IMAGE"), repo?.image.map { Optional($0) }, user?.image.map { Optional($0) }, defaults.size.image)
        let cpus = pick(overrides.cpus.map { Optional($0) }, ("EXE_LEASE_CPUS", env("EXE_LEASE_CPUS").flatMap(Int.init).map { Optional($0) }), repo?.cpus.map { Optional($0) }, user?.cpus.map { Optional($0) }, defaults.size.cpus)
        let memory = pick(overrides.memory.map { Optional($0) }, optionalText("EXE_LEASE_MEMORY"), repo?.memory.map { Optional($0) }, user?.memory.map { Optional($0) }, defaults.size.memory)
        let disk = pick(overrides.disk.map { Optional($0) }, optionalText("EXE_LEASE_DISK"), repo?.disk.map { Optional($0) }, user?.disk.map { Optional($0) }, defaults.size.disk)
        let command = pick(overrides.command.map { Optional($0) }, optionalText("EXE_LEASE_COMMAND"), repo?.command.map { Optional($0) }, user?.command.map { Optional($0) }, defaults.size.command)
        let idleTimeout = pick(overrides.idleTimeout, try duration("EXE_LEASE_IDLE_TIMEOUT"), repo?.idleTimeout, user?.idleTimeout, defaults.idleTimeout)
        let ttl = pick(overrides.ttl, try duration("EXE_LEASE_TTL"), repo?.ttl, user?.ttl, defaults.ttl)
        let workRoot = pick(overrides.workRoot, text("EXE_LEASE_WORK_ROOT"), repo?.workRoot, user?.workRoot, defaults.workRoot)
        let allowEnv = pick(overrides.allowEnv.isEmpty ? nil : overrides.allowEnv, list("EXE_LEASE_ALLOW_ENV"), repo?.allowEnv, user?.allowEnv, defaults.allowEnv)
        let syncExclude = pick(nil, list("EXE_LEASE_SYNC_EXCLUDE"), repo?.syncExclude, user?.syncExclude, defaults.syncExclude)
        let syncCompress = pick(nil, flag("EXE_LEASE_SYNC_COMPRESS"), repo?.syncCompress, user?.syncCompress, defaults.syncCompress)
        let idleAction = pick(
            overrides.idleAction,
            ("EXE_LEASE_IDLE_ACTION", try env("EXE_LEASE_IDLE_ACTION").map { try LeaseIdleAction.parse($0, setting: "EXE_LEASE_IDLE_ACTION") }),
            repo?.idleAction, user?.idleAction, defaults.idleAction)
        let pausedTTL = pick(overrides.pausedTTL, try duration("EXE_LEASE_PAUSED_TTL"), repo?.pausedTTL, user?.pausedTTL, defaults.pausedTTL)
        let reuse = pick(overrides.reuse, flag("EXE_LEASE_REUSE"), repo?.reuse, user?.reuse, defaults.reuse)

        if let repoPath, controlHost.source == .file(path: repoPath), controlHost.value != (user?.controlHost ?? defaults.controlHost) {
            let trusted = overrides.trustRepositoryControlHost || env("EXE_LEASE_TRUST_REPO_CONTROL_HOST") == "1"
            if !trusted {
                throw LeaseError(
                    .configuration,
                    "\(repoPath) sets the control host to \(controlHost.value). Leases log in there with your SSH key, so a repository cannot choose it alone: pass --control-host \(controlHost.value) (or set EXE_LEASE_TRUST_REPO_CONTROL_HOST=1) to confirm.")
            }
        }
        let settings = LeaseSettings(
            controlHost: controlHost.value,
            size: LeaseVMSize(image: image.value, cpus: cpus.value, memory: memory.value, disk: disk.value, command: command.value),
            idleTimeout: idleTimeout.value, ttl: ttl.value, workRoot: workRoot.value, allowEnv: allowEnv.value,
            syncExclude: syncExclude.value, syncCompress: syncCompress.value, idleAction: idleAction.value, pausedTTL: pausedTTL.value,
            reuse: reuse.value)
        try settings.validate()

        func row<T>(_ name: String, _ setting: ResolvedSetting<T>, _ render: (T) -> String) -> SettingRow {
            SettingRow(
                name: name, value: render(setting.value), source: setting.source,
                sourceText: setting.source.label { $0 == userPath ? "user file" : "repo file" })
        }
        let orDefault: (String?) -> String = { $0 ?? "(default)" }
        let rows = [
            row("controlHost", controlHost) { $0 },
            row("image", image, orDefault),
            row("cpus", cpus) { $0.map(String.init) ?? "(default)" },
            row("memory", memory, orDefault),
            row("disk", disk, orDefault),
            row("command", command, orDefault),
            row("idleTimeout", idleTimeout, LeaseDuration.format),
            row("ttl", ttl, LeaseDuration.format),
            row("workRoot", workRoot) { $0 },
            row("allowEnv", allowEnv) { $0.joined(separator: ",") },
            row("sync.exclude", syncExclude) { $0.joined(separator: ",") },
            row("sync.compress", syncCompress) { String($0) },
            row("idleAction", idleAction) { $0.rawValue },
            row("pausedTTL", pausedTTL, LeaseDuration.format),
            row("reuse", reuse) { String($0) },
        ]
        let files = [userPath, repoPath].compactMap { $0 }.filter { FileManager.default.fileExists(atPath: $0) }
        return SettingsResolution(value: settings, rows: rows, files: files)
    }
}

/// One YAML layer (`lease:` section of `config.yaml` or `.exe.yaml`).
package struct LeaseFile {
    var controlHost: String?
    var image: String?
    var cpus: Int?
    var memory: String?
    var disk: String?
    var command: String?
    var idleTimeout: Duration?
    var ttl: Duration?
    var workRoot: String?
    var allowEnv: [String]?
    var syncExclude: [String]?
    var syncCompress: Bool?
    var idleAction: LeaseIdleAction?
    var pausedTTL: Duration?
    var reuse: Bool?

    static func load(_ path: String) throws -> LeaseFile? {
        switch BoundedFile.read(path, limit: BoundedYAML.Limits.configuration.documentBytes) {
        case .missing: return nil
        case .tooLarge(let limit): throw LeaseError(.configuration, "\(path) is larger than \(limit) bytes")
        case .data(let data): return try parse(String(decoding: data, as: UTF8.self), path: path)
        }
    }

    /// Parses `text`, the contents of the file at `path` (named in messages).
    package static func parse(_ text: String, path: String) throws -> LeaseFile? {
        let root: Any?
        do { root = try BoundedYAML.load(text) } catch {
            throw LeaseError(.configuration, "\(path) is not valid YAML: \(error)")
        }
        guard let document = root as? [String: Any] else { return root == nil ? LeaseFile() : nil }
        if let version = document["version"] as? Int, version != 1 {
            throw LeaseError(.configuration, "\(path) has version \(version); this exe-cli reads version 1")
        }
        guard let lease = document["lease"] as? [String: Any] else { return LeaseFile() }
        let known: Set<String> = ["controlHost", "image", "cpus", "memory", "disk", "command", "idleTimeout", "ttl", "workRoot", "allowEnv", "sync", "idleAction", "pausedTTL", "reuse"]
        if let unknown = lease.keys.first(where: { !known.contains($0) }) {
            throw LeaseError(.configuration, "\(path): unknown setting lease.\(unknown) (known: \(known.sorted().joined(separator: ", ")))")
        }
        var file = LeaseFile()
        file.controlHost = lease["controlHost"] as? String
        file.image = lease["image"] as? String
        file.cpus = lease["cpus"] as? Int
        file.memory = (lease["memory"]).map { "\($0)" }
        file.disk = (lease["disk"]).map { "\($0)" }
        file.command = lease["command"] as? String
        file.idleTimeout = try (lease["idleTimeout"]).map { try LeaseDuration.parse("\($0)", setting: "lease.idleTimeout in \(path)") }
        file.ttl = try (lease["ttl"]).map { try LeaseDuration.parse("\($0)", setting: "lease.ttl in \(path)") }
        file.workRoot = lease["workRoot"] as? String
        file.allowEnv = lease["allowEnv"] as? [String]
        file.idleAction = try (lease["idleAction"]).map { try LeaseIdleAction.parse("\($0)", setting: "lease.idleAction in \(path)") }
        file.pausedTTL = try (lease["pausedTTL"]).map { try LeaseDuration.parse("\($0)", setting: "lease.pausedTTL in \(path)") }
        file.reuse = lease["reuse"] as? Bool
        if let sync = lease["sync"] as? [String: Any] {
            file.syncExclude = sync["exclude"] as? [String]
            file.syncCompress = sync["compress"] as? Bool
        }
        return file
    }
}

/// Durations as users write them: `45s`, `30m`, `2h`, `1d`, or combined
/// (`1h30m`); see `DurationText`.
public enum LeaseDuration {
    /// Parses `text`.
    public static func parse(_ text: String, setting: String) throws -> Duration {
        guard let duration = DurationText.parse(text) else {
            throw LeaseError(.configuration, "\(setting): invalid duration \"\(text)\" (use 45s, 30m, 2h, 1d or 1h30m; at most 36500d)")
        }
        return duration
    }

    /// `1h30m` style.
    public static func format(_ duration: Duration) -> String { DurationText.format(duration) }
}
