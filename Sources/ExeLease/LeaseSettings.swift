import ExeSystem
import Foundation
import ExeYAML

/// Where a setting's value came from.
public enum SettingSource: String, Sendable, Codable {
    /// A command-line option.
    case flag
    /// An `EXE_LEASE_*` environment variable.
    case environment
    /// The repository's `.exe.yaml`.
    case repository = "repo file"
    /// The user's `~/.config/exe/config.yaml`.
    case user = "user file"
    /// The built-in default.
    case defaults = "default"
}

/// A resolved value and its source.
public struct Setting<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The value.
    public var value: Value
    /// Where it came from.
    public var source: SettingSource

    /// Creates a setting.
    public init(value: Value, source: SettingSource) {
        self.value = value
        self.source = source
    }
}

/// The lease settings, resolved from flags > environment (`EXE_LEASE_*`) >
/// the repository's `.exe.yaml` > `~/.config/exe/config.yaml` > defaults.
///
/// A control host that only the repository's file names is refused unless
/// the user confirms it (``LeaseSettings/Overrides/trustRepositoryControlHost``
/// or `EXE_LEASE_TRUST_REPO_CONTROL_HOST=1`): lease commands authenticate
/// with the user's SSH key, and a cloned repository must not be able to send
/// it somewhere else.
public struct LeaseSettings: Sendable, Equatable {
    /// The control host (`exe.dev`, or a simulator's `host:port`).
    public var controlHost: Setting<String>
    /// The VM image (`nil`: exe.dev's default).
    public var image: Setting<String?>
    /// CPUs of the VM (`nil`: the default).
    public var cpus: Setting<Int?>
    /// Memory of the VM, such as `4GB` (`nil`: the default).
    public var memory: Setting<String?>
    /// Disk of the VM, such as `10GB` (`nil`: the default).
    public var disk: Setting<String?>
    /// The command the VM's image runs (`new --command`).
    public var command: Setting<String?>
    /// Inactivity after which `lease gc` stops a lease.
    public var idleTimeout: Setting<Duration>
    /// The longest a lease lives, used or not.
    public var ttl: Setting<Duration>
    /// The directory on the VM that work trees are synced under.
    public var workRoot: Setting<String>
    /// Names of local environment variables passed to remote commands (on stdin).
    public var allowEnv: Setting<[String]>
    /// More ignore patterns for the sync (gitignore syntax).
    public var syncExclude: Setting<[String]>
    /// Whether the sync compresses what it sends.
    public var syncCompress: Setting<Bool>

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
        /// Nothing given.
        public init() {}
    }

    /// The file layers that were read (for `lease config`).
    public var files: [String] = []

    /// Resolves the settings.
    ///
    /// - Parameters:
    ///   - overrides: values from the command line; they win.
    ///   - repositoryRoot: where `.exe.yaml` is looked for.
    ///   - environment: the process environment (`EXE_LEASE_*`, `XDG_CONFIG_HOME`, `HOME`,
    ///     and `EXE_CONTROL_HOST`, shared with the other commands).
    public static func resolve(overrides: Overrides, repositoryRoot: String?, environment: [String: String]) throws -> LeaseSettings {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        let userPath = configHome + "/exe/config.yaml"
        let repoPath = repositoryRoot.map { $0 + "/.exe.yaml" }
        let user = try LeaseFile.load(userPath)
        let repo = try repoPath.flatMap { try LeaseFile.load($0) }

        func pick<T>(_ flag: T?, _ env: T?, _ repo: T?, _ user: T?, _ fallback: T) -> Setting<T> {
            if let flag { return Setting(value: flag, source: .flag) }
            if let env { return Setting(value: env, source: .environment) }
            if let repo { return Setting(value: repo, source: .repository) }
            if let user { return Setting(value: user, source: .user) }
            return Setting(value: fallback, source: .defaults)
        }
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        func duration(_ name: String) throws -> Duration? {
            try env(name).map { try LeaseDuration.parse($0, setting: name) }
        }
        func list(_ name: String) -> [String]? {
            env(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }

        var settings = LeaseSettings(
            controlHost: pick(overrides.controlHost, env("EXE_LEASE_CONTROL_HOST") ?? env("EXE_CONTROL_HOST"), repo?.controlHost, user?.controlHost, "exe.dev"),
            image: pick(overrides.image.map { Optional($0) }, env("EXE_LEASE_IMAGE").map { Optional($0) }, repo?.image.map { Optional($0) }, user?.image.map { Optional($0) }, nil),
            cpus: pick(overrides.cpus.map { Optional($0) }, env("EXE_LEASE_CPUS").flatMap(Int.init).map { Optional($0) }, repo?.cpus.map { Optional($0) }, user?.cpus.map { Optional($0) }, nil),
            memory: pick(overrides.memory.map { Optional($0) }, env("EXE_LEASE_MEMORY").map { Optional($0) }, repo?.memory.map { Optional($0) }, user?.memory.map { Optional($0) }, nil),
            disk: pick(overrides.disk.map { Optional($0) }, env("EXE_LEASE_DISK").map { Optional($0) }, repo?.disk.map { Optional($0) }, user?.disk.map { Optional($0) }, nil),
            command: pick(overrides.command.map { Optional($0) }, env("EXE_LEASE_COMMAND").map { Optional($0) }, repo?.command.map { Optional($0) }, user?.command.map { Optional($0) }, nil),
            idleTimeout: pick(overrides.idleTimeout, try duration("EXE_LEASE_IDLE_TIMEOUT"), repo?.idleTimeout, user?.idleTimeout, .seconds(30 * 60)),
            ttl: pick(overrides.ttl, try duration("EXE_LEASE_TTL"), repo?.ttl, user?.ttl, .seconds(90 * 60)),
            workRoot: pick(overrides.workRoot, env("EXE_LEASE_WORK_ROOT"), repo?.workRoot, user?.workRoot, "/tmp/exe"),
            allowEnv: pick(overrides.allowEnv.isEmpty ? nil : overrides.allowEnv, list("EXE_LEASE_ALLOW_ENV"), repo?.allowEnv, user?.allowEnv, ["CI"]),
            syncExclude: pick(nil, list("EXE_LEASE_SYNC_EXCLUDE"), repo?.syncExclude, user?.syncExclude, []),
            syncCompress: pick(nil, env("EXE_LEASE_SYNC_COMPRESS").map { $0 != "0" && $0.lowercased() != "false" }, repo?.syncCompress, user?.syncCompress, true))
        settings.files = [userPath, repoPath].compactMap { $0 }.filter { FileManager.default.fileExists(atPath: $0) }

        if settings.controlHost.source == .repository, settings.controlHost.value != (user?.controlHost ?? "exe.dev") {
            let trusted = overrides.trustRepositoryControlHost || env("EXE_LEASE_TRUST_REPO_CONTROL_HOST") == "1"
            if !trusted {
                throw LeaseError(
                    .configuration,
                    "\(repoPath ?? ".exe.yaml") sets the control host to \(settings.controlHost.value). Leases log in there with your SSH key, so a repository cannot choose it alone: pass --control-host \(settings.controlHost.value) (or set EXE_LEASE_TRUST_REPO_CONTROL_HOST=1) to confirm.")
            }
        }
        if settings.ttl.value <= .zero || settings.idleTimeout.value <= .zero {
            throw LeaseError(.configuration, "the idle timeout and TTL must be positive")
        }
        return settings
    }

    /// `name = value (source)` lines for `lease config`.
    public var descriptionLines: [(name: String, value: String, source: SettingSource)] {
        [
            ("controlHost", controlHost.value, controlHost.source),
            ("image", image.value ?? "(default)", image.source),
            ("cpus", cpus.value.map(String.init) ?? "(default)", cpus.source),
            ("memory", memory.value ?? "(default)", memory.source),
            ("disk", disk.value ?? "(default)", disk.source),
            ("command", command.value ?? "(default)", command.source),
            ("idleTimeout", LeaseDuration.format(idleTimeout.value), idleTimeout.source),
            ("ttl", LeaseDuration.format(ttl.value), ttl.source),
            ("workRoot", workRoot.value, workRoot.source),
            ("allowEnv", allowEnv.value.joined(separator: ","), allowEnv.source),
            ("sync.exclude", syncExclude.value.joined(separator: ","), syncExclude.source),
            ("sync.compress", String(syncCompress.value), syncCompress.source),
        ]
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
        let known: Set<String> = ["controlHost", "image", "cpus", "memory", "disk", "command", "idleTimeout", "ttl", "workRoot", "allowEnv", "sync"]
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
