import ExeSystem
import Foundation
import ExeYAML

/// `exe.deploy.yaml` as written: every value optional. The schema is
/// documented in `Docs/ExeDeploy.md`; unknown keys are errors.
///
/// ```yaml
/// version: 1
/// app: hello
/// pattern: replace
/// image:
///   repository: ghcr.io/owner/hello
/// registry:
///   user: owner
///   passwordEnv: GHCR_TOKEN
/// health:
///   path: /
/// ```
public struct DeployConfigurationFile: Sendable, Equatable {
    /// The name the file has in a repository's root.
    public static let fileName = "exe.deploy.yaml"
    /// The schema version this library reads and writes.
    public static let currentVersion = 1

    /// `version` (1): required; ``parse(_:file:)`` refuses a file without it.
    public var version: Int?
    /// `app`.
    public var app: String?
    /// `pattern` (`replace` or `compose`).
    public var pattern: String?
    /// `vm`.
    public var vm: String?
    /// `port`.
    public var port: Int?
    /// `image.repository`.
    public var imageRepository: String?
    /// `image.builder`.
    public var builder: String?
    /// `image.platform`.
    public var platform: String?
    /// `image.context`.
    public var context: String?
    /// `image.dockerfile`.
    public var dockerfile: String?
    /// `registry.user`.
    public var registryUser: String?
    /// `registry.passwordEnv`.
    public var registryPasswordEnv: String?
    /// `registry: exe` (`""`: the default registry VM) or `registry.vm: NAME`:
    /// build, push to and deploy from an exe-hosted registry (issue 18).
    public var exeRegistry: String?
    /// `health.path`.
    public var healthPath: String?
    /// `health.status`.
    public var healthStatus: Int?
    /// `health.timeout`.
    public var healthTimeout: Duration?
    /// `health.interval`.
    public var healthInterval: Duration?
    /// `replace.strategy`.
    public var strategy: String?
    /// `replace.tags`.
    public var tags: [String]?
    /// `replace.public`.
    public var isPublic: Bool?
    /// `replace.memory`.
    public var memory: String?
    /// `replace.cpus`.
    public var cpus: Int?
    /// `replace.keepReleases`: previous releases kept paused (0 or more).
    public var keepReleases: Int?
    /// `replace.disk`.
    public var disk: String?
    /// `compose.file`.
    public var composeFile: String?
    /// `compose.service`.
    public var composeService: String?
    /// `compose.containerName`.
    public var containerName: String?
    /// `compose.docker`.
    public var docker: String?
    /// `lock.staleAfter`.
    public var lockStaleAfter: Duration?

    /// An empty file.
    public init() {}

    /// Reads the file at `path`; `nil` when there is none.
    ///
    /// - Throws: ``DeployError/Kind/configuration`` for invalid YAML, an
    ///   unknown key, a wrong type or an unsupported version.
    ///   A file that exists but cannot be read, or is not UTF-8, is an
    ///   error too, never "no file".
    public static func load(_ path: String) throws -> DeployConfigurationFile? {
        let data: Data
        switch BoundedFile.read(path, limit: BoundedYAML.Limits.configuration.documentBytes) {
        case .missing:
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            throw DeployError(.configuration, "cannot read \(path): permission denied or not a file")
        case .tooLarge(let limit): throw DeployError(.configuration, "\(path) is larger than \(limit) bytes")
        case .data(let read): data = read
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let offset = firstInvalidUTF8Offset(data)
            throw DeployError(.configuration, "\(path) is not UTF-8 text (an invalid byte at offset \(offset))")
        }
        return try parse(text, file: path)
    }

    /// The error for a file without `version`.
    static func missingVersion(_ file: String) -> DeployError {
        DeployError(.configuration, "\(file) has no version: add `version: \(currentVersion)` (the schema version this exe-cli reads) as its first line")
    }

    /// Parses `text` (named `file` in messages).
    ///
    /// - Throws: ``DeployError/Kind/configuration`` also for a file (or an
    ///   empty one) without `version`.
    public static func parse(_ text: String, file: String) throws -> DeployConfigurationFile {
        let root: Any?
        do { root = try BoundedYAML.load(text) } catch {
            throw DeployError(.configuration, "\(file) is not valid YAML: \(error)")
        }
        guard let mapping = root as? [String: Any] else {
            if root == nil { throw missingVersion(file) }
            throw DeployError(.configuration, "\(file) must be a YAML mapping (version: 1, app: ..., pattern: ...)")
        }
        let top = try YAMLSection(
            file: file, path: "", values: mapping,
            known: ["version", "app", "pattern", "vm", "port", "image", "registry", "health", "replace", "compose", "lock"], text: text)
        var result = DeployConfigurationFile()
        result.version = try top.int("version")
        guard let version = result.version else { throw missingVersion(file) }
        if version != currentVersion {
            throw DeployError(.configuration, "\(file) has version \(version); this exe-cli reads version \(currentVersion)")
        }
        result.app = try top.string("app")
        result.pattern = try top.string("pattern")
        result.vm = try top.string("vm")
        result.port = try top.int("port")
        if let image = try top.section("image", known: ["repository", "builder", "platform", "context", "dockerfile"]) {
            result.imageRepository = try image.string("repository")
            result.builder = try image.string("builder")
            result.platform = try image.string("platform")
            result.context = try image.string("context")
            result.dockerfile = try image.string("dockerfile")
        }
        if let scalar = mapping["registry"] as? String {
            guard scalar == "exe" else {
                throw DeployError(.configuration, "\(file): registry must be exe or a mapping (user, passwordEnv, vm), not \(scalar)")
            }
            result.exeRegistry = ""
        } else if let registry = try top.section("registry", known: ["user", "passwordEnv", "vm"]) {
            result.registryUser = try registry.string("user")
            result.registryPasswordEnv = try registry.string("passwordEnv")
            result.exeRegistry = try registry.string("vm")
        }
        if let health = try top.section("health", known: ["path", "status", "timeout", "interval"]) {
            result.healthPath = try health.string("path")
            result.healthStatus = try health.int("status")
            result.healthTimeout = try health.duration("timeout")
            result.healthInterval = try health.duration("interval")
        }
        if let replace = try top.section("replace", known: ["strategy", "tags", "public", "memory", "cpus", "disk", "keepReleases"]) {
            result.keepReleases = try replace.int("keepReleases", atLeast: 0)
            result.strategy = try replace.string("strategy")
            result.tags = try replace.strings("tags")
            result.isPublic = try replace.bool("public")
            result.memory = try replace.string("memory")
            result.cpus = try replace.int("cpus")
            result.disk = try replace.string("disk")
        }
        if let compose = try top.section("compose", known: ["file", "service", "containerName", "docker"]) {
            result.composeFile = try compose.string("file")
            result.composeService = try compose.string("service")
            result.containerName = try compose.string("containerName")
            result.docker = try compose.string("docker")
        }
        if let lock = try top.section("lock", known: ["staleAfter"]) {
            result.lockStaleAfter = try lock.duration("staleAfter")
        }
        return result
    }
}

extension DeployConfigurationFile {
    /// The offset of the first byte of `data` that is not valid UTF-8.
    static func firstInvalidUTF8Offset(_ data: Data) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return offset
            }
        }
    }
}
