import Foundation
import ExeYAML

/// What a repository already says about deploying it, read before any
/// config is written (the seed's rule: inspect `deploy.sh`,
/// `scripts/*deploy*`, `.github/workflows/*`, `Dockerfile`,
/// `docker-compose*.yml`, `compose*.yaml`, `README.md`, `AGENTS.md`, and
/// follow the pattern that is there).
public struct RepositoryInspection: Sendable {
    /// One file and what it suggests.
    public struct Finding: Sendable, Codable, Equatable {
        /// The file, relative to the repository root.
        public var file: String
        /// What it says about deploying.
        public var note: String
    }

    /// What was found, file by file.
    public var findings: [Finding] = []
    /// The pattern that fits.
    public var pattern: DeployPattern = .replace
    /// Why.
    public var reasons: [String] = []
    /// The values the files suggest (app, VM, repository, port, ...).
    public var suggestion = DeployConfigurationFile()

    /// Inspects the repository at `root`.
    public static func inspect(root: String) -> RepositoryInspection {
        var inspection = RepositoryInspection()
        var composeScore = 0
        var replaceScore = 0
        var variables: [String: String] = [:]
        let manager = FileManager.default

        func read(_ relative: String) -> String? {
            try? String(contentsOfFile: root + "/" + relative, encoding: .utf8)
        }
        func list(_ directory: String) -> [String] {
            ((try? manager.contentsOfDirectory(atPath: root + (directory.isEmpty ? "" : "/" + directory))) ?? []).sorted()
        }

        // Deploy scripts and workflows: the strongest evidence.
        var scripts: [String] = []
        if manager.fileExists(atPath: root + "/deploy.sh") { scripts.append("deploy.sh") }
        scripts += list("scripts").filter { $0.lowercased().contains("deploy") }.map { "scripts/" + $0 }
        scripts += list(".github/workflows").filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.map { ".github/workflows/" + $0 }
        for script in scripts {
            guard let text = read(script) else { continue }
            var notes: [String] = []
            if Self.mentionsCompose(text) {
                composeScore += 3
                notes.append("updates a docker compose app in place (Pattern B)")
            }
            if Self.mentionsReplace(text) {
                replaceScore += 3
                notes.append("replaces a VM from an image (Pattern A)")
            }
            if text.contains("exe.dev") || text.contains("exe.xyz") { notes.append("deploys to exe.dev") }
            if text.contains("GHCR_TOKEN") { inspection.suggestion.registryPasswordEnv = "GHCR_TOKEN" }
            variables.merge(Self.shellDefaults(in: text)) { first, _ in first }
            if let tags = Self.tags(in: text), !tags.isEmpty { inspection.suggestion.tags = tags }
            if let port = Self.publishedPort(in: text) { inspection.suggestion.port = inspection.suggestion.port ?? port }
            inspection.findings.append(Finding(file: script, note: notes.isEmpty ? "a deploy script (no exe.dev pattern recognised)" : notes.joined(separator: "; ")))
        }

        // Compose files.
        for file in list("") where Self.isComposeFileName(file) {
            composeScore += 2
            var note = "a compose file"
            if let text = read(file), let document = (try? BoundedYAML.load(text)) as? [String: Any],
                let services = document["services"] as? [String: Any]
            {
                note += " with services \(services.keys.sorted().joined(separator: ", "))"
                let built = services.filter { (($0.value as? [String: Any])?["build"]) != nil }.map(\.key).sorted()
                if let service = built.first ?? services.keys.sorted().first { inspection.suggestion.composeService = service }
                if let port = Self.publishedPort(in: text) { inspection.suggestion.port = inspection.suggestion.port ?? port }
                if text.contains("/data") { note += "; keeps data under /data" }
            }
            inspection.findings.append(Finding(file: file, note: note))
        }

        // Dockerfile.
        if let text = read("Dockerfile") {
            replaceScore += 1
            var note = "a Dockerfile"
            if let port = Self.exposedPort(in: text) {
                note += " exposing \(port)"
                inspection.suggestion.port = inspection.suggestion.port ?? port
            }
            inspection.findings.append(Finding(file: "Dockerfile", note: note))
        }

        // Documentation: VM host names.
        for file in ["README.md", "AGENTS.md"] {
            guard let text = read(file) else { continue }
            if let host = Self.vmHost(in: text) {
                variables["EXE_HOST"] = variables["EXE_HOST"] ?? host + ".exe.xyz"
                inspection.findings.append(Finding(file: file, note: "mentions the VM \(host).exe.xyz"))
            } else if text.lowercased().contains("deploy") {
                inspection.findings.append(Finding(file: file, note: "mentions deploying"))
            }
        }

        inspection.apply(variables)
        if composeScore > replaceScore {
            inspection.pattern = .compose
            inspection.reasons.append("the repository updates a compose app in place (compose file or compose commands found)")
        } else if replaceScore > 0 {
            inspection.pattern = .replace
            inspection.reasons.append(
                replaceScore >= 3 ? "the deploy script replaces a VM from an image" : "a Dockerfile and no compose file: a stateless app")
        } else {
            inspection.pattern = .replace
            inspection.reasons.append("nothing to follow: Pattern A (replace a VM from an image) is the simpler start")
        }
        inspection.suggestion.version = DeployConfigurationFile.currentVersion
        inspection.suggestion.pattern = inspection.pattern.rawValue
        let app = inspection.suggestion.vm ?? DeployConfiguration.appName(fromDirectory: root)
        inspection.suggestion.app = DeployConfiguration.isName(app) ? app : DeployConfiguration.appName(fromDirectory: root)
        return inspection
    }

    /// Values from `NAME="${NAME:-default}"` lines.
    private mutating func apply(_ variables: [String: String]) {
        func value(_ names: [String]) -> String? {
            names.lazy.compactMap { variables[$0] }.first { !$0.isEmpty }
        }
        if let vm = value(["VM_NAME", "EXEDEV_VM", "VM"]) {
            suggestion.vm = vm
        } else if let host = value(["EXE_HOST", "HOST"]), host.hasSuffix(".exe.xyz") {
            suggestion.vm = String(host.dropLast(".exe.xyz".count))
        }
        if let image = value(["IMAGE_REPO", "IMAGE", "IMAGE_REPOSITORY"]), let reference = ImageReference(image) {
            suggestion.imageRepository = reference.repository
        }
        if let user = value(["REGISTRY_USER", "GHCR_USER"]) { suggestion.registryUser = user }
        if let container = value(["CONTAINER_NAME"]) { suggestion.containerName = container }
    }

    static func mentionsCompose(_ text: String) -> Bool {
        ["docker compose", "docker-compose", ".compose.yaml", "compose pull", "compose up"].contains { text.contains($0) }
    }

    static func mentionsReplace(_ text: String) -> Bool {
        text.range(of: #"exe\.dev['"]?\s+(new|rm)\b"#, options: .regularExpression) != nil
            || text.range(of: #"\bnew\s+(\\\s*\n\s*)?--name"#, options: .regularExpression) != nil
    }

    static func isComposeFileName(_ name: String) -> Bool {
        let lower = name.lowercased()
        guard lower.hasSuffix(".yml") || lower.hasSuffix(".yaml") else { return false }
        return lower.hasPrefix("docker-compose") || lower.hasPrefix("compose")
    }

    /// `NAME="${NAME:-value}"` → `[NAME: value]`.
    static func shellDefaults(in text: String) -> [String: String] {
        var result: [String: String] = [:]
        let pattern = #"([A-Z_][A-Z0-9_]*)="?\$\{[A-Z_][A-Z0-9_]*:-([^}"]*)\}"#
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return result }
        let range = NSRange(text.startIndex..., in: text)
        for match in expression.matches(in: text, range: range) {
            guard let name = Range(match.range(at: 1), in: text), let value = Range(match.range(at: 2), in: text) else { continue }
            result[String(text[name])] = result[String(text[name])] ?? String(text[value])
        }
        return result
    }

    /// `--tag webapp` / `--tag=webapp,web` → tags.
    static func tags(in text: String) -> [String]? {
        guard let expression = try? NSRegularExpression(pattern: #"--tag[= ]+([a-z][a-z0-9_,-]*)"#) else { return nil }
        let matches = expression.matches(in: text, range: NSRange(text.startIndex..., in: text))
        let tags = matches.compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } }.flatMap(DeployValueParsing.list)
        return tags.isEmpty ? nil : Array(Set(tags)).sorted()
    }

    /// The container port of the first `"H:C"` port mapping.
    static func publishedPort(in text: String) -> Int? {
        guard let expression = try? NSRegularExpression(pattern: #"["']?(\d{2,5}):(\d{2,5})["']"#),
            let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 2), in: text)
        else { return nil }
        return Int(text[range])
    }

    /// The port the exe.dev proxy would pick from `EXPOSE` lines: 80, else
    /// the smallest at or above 1024.
    static func exposedPort(in text: String) -> Int? {
        var ports: [Int] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.first?.uppercased() == "EXPOSE" else { continue }
            ports += words.dropFirst().compactMap { Int($0.split(separator: "/").first ?? "") }
        }
        if ports.contains(80) { return 80 }
        return ports.filter { $0 >= 1024 }.min()
    }

    /// The first `name.exe.xyz` host in `text` (not `exe.dev` itself).
    static func vmHost(in text: String) -> String? {
        guard let expression = try? NSRegularExpression(pattern: #"\b([a-z][a-z0-9-]{3,51})\.exe\.xyz\b"#),
            let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        let host = String(text[range])
        return ["vm", "my-vm", "registry-vm"].contains(host) ? nil : host
    }
}
