import ExeYAML
public import Foundation


extension DoctorRules {
    /// `/data/<app>.compose.yaml`.
    public static func composeFile(path: String, size: UInt64?) -> DoctorCheck {
        guard let size else {
            return DoctorCheck("compose.file", .compose, "compose file under /data", .failed, "\(path) is missing", fix: DoctorFix("exe-cli deploy"))
        }
        return DoctorCheck("compose.file", .compose, "compose file under /data", .ok, "\(path) (\(size) bytes)")
    }

    /// `/data/.env.production`: present when the compose file uses it,
    /// and mode 0600.
    ///
    /// - Parameters:
    ///   - permissions: its mode, or `nil` when it is missing.
    ///   - referenced: whether the compose file uses it.
    ///   - vm: the VM, for the fix's command.
    public static func environmentFile(permissions: UInt32?, referenced: Bool, vm: String) -> DoctorCheck {
        let path = RemoteDeployPaths.environmentFile
        let title = ".env.production, mode 0600"
        guard let permissions else {
            if referenced {
                return DoctorCheck(
                    "compose.env_file", .compose, title, .failed, "\(path) is missing and the compose file names it as env_file",
                    fix: DoctorFix("exe-cli deploy --env-file .env.production"))
            }
            return DoctorCheck("compose.env_file", .compose, title, .ok, "none (the compose file uses no env file)")
        }
        let mode = String(permissions & 0o777, radix: 8)
        guard permissions & 0o077 == 0 else {
            return DoctorCheck(
                "compose.env_file", .compose, title, .failed, "\(path) has mode 0\(mode): other users on the VM can read its secrets",
                fix: DoctorFix("exe-cli vm exec \(vm) -- chmod 600 \(path)"))
        }
        return DoctorCheck("compose.env_file", .compose, title, .ok, "\(path), mode 0\(mode)")
    }

    /// A volume of a compose service whose data does not live under `/data`.
    public struct VolumeOutsideData: Sendable, Equatable {
        /// The compose service.
        public var service: String
        /// Where the data lives on the VM (a path or a named volume).
        public var source: String
        /// Where the container sees it.
        public var target: String
    }

    /// The volumes of `text`'s services whose source is not under `/data`
    /// (named volumes and other host paths: what a replaced VM or a
    /// recreated container loses). Relative paths are under `/data`, the
    /// compose file's directory.
    public static func volumesOutsideData(in text: String) -> (services: Int, volumes: Int, outside: [VolumeOutsideData])? {
        guard let document = (try? BoundedYAML.load(text)) as? [String: Any], let services = document["services"] as? [String: Any] else {
            return nil
        }
        var count = 0
        var outside: [VolumeOutsideData] = []
        for service in services.keys.sorted() {
            let volumes = (services[service] as? [String: Any])?["volumes"] as? [Any] ?? []
            for volume in volumes {
                let source: String
                let target: String
                if let short = volume as? String {
                    let parts = short.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count >= 2 else { continue }  // an anonymous volume: no data kept anyway
                    source = parts[0]
                    target = parts[1]
                } else if let long = volume as? [String: Any] {
                    if let type = long["type"] as? String, type == "tmpfs" { continue }
                    guard let value = long["source"] as? String else { continue }
                    source = value
                    target = long["target"] as? String ?? "?"
                } else {
                    continue
                }
                count += 1
                if !isUnderData(source) { outside.append(VolumeOutsideData(service: service, source: source, target: target)) }
            }
        }
        return (services.count, count, outside)
    }

    static func isUnderData(_ source: String) -> Bool {
        if source.hasPrefix(".") { return !source.hasPrefix("..") }
        let normalized = (source as NSString).standardizingPath
        return normalized == "/data" || normalized.hasPrefix("/data/")
    }

    /// Every volume under `/data`.
    public static func volumes(composeText: String) -> DoctorCheck {
        let title = "volumes under /data"
        guard let found = volumesOutsideData(in: composeText) else {
            return DoctorCheck("compose.volumes", .compose, title, .failed, "the compose file is not valid YAML with services", fix: DoctorFix("exe-cli deploy"))
        }
        guard let first = found.outside.first else {
            return DoctorCheck(
                "compose.volumes", .compose, title, .ok,
                found.volumes == 0 ? "no volumes (no service keeps data)" : "\(found.volumes) volume(s), all under /data")
        }
        let list = found.outside.map { "\($0.service): \($0.source):\($0.target)" }.joined(separator: ", ")
        let name = first.source.split(separator: "/").last.map(String.init) ?? first.service
        return DoctorCheck(
            "compose.volumes", .compose, title, .failed,
            "outside /data: \(list) (data there is lost when the VM is replaced: \"data missing after deploy\")",
            fix: DoctorFix("in the compose file, service \(first.service): volumes: - /data/\(name):\(first.target)"))
    }

    /// The deploy lock.
    public static func lock(_ holder: DeployLockDetails?, now: Date, unlock: String) -> DoctorCheck {
        guard let holder else { return DoctorCheck("deploy.lock", .compose, "deploy lock", .ok, "free") }
        return DoctorCheck(
            "deploy.lock", .compose, "deploy lock", .warning, "held by \(holder.summary(at: now)) (a deploy running, or one that died)",
            fix: DoctorFix(unlock + " (when no deploy is running)"))
    }

    /// Whether the VM could pull the live image with its credentials.
    ///
    /// - Parameters:
    ///   - image: the live image.
    ///   - failure: the pull's last error line, or `nil` when it worked.
    ///   - user: the registry user, when configured.
    ///   - passwordEnv: the variable holding the token.
    ///   - vm: the VM, for the fix's command.
    ///   - docker: the VM's docker command (`sudo docker`).
    public static func registry(image: String, failure: String?, user: String?, passwordEnv: String, vm: String, docker: String) -> DoctorCheck {
        guard let failure else {
            return DoctorCheck("registry.pull", .registry, "the VM pulls the image", .ok, "pulled \(image) with the VM's credentials")
        }
        let registry = ImageReference(image)?.registry ?? "REGISTRY"
        return DoctorCheck(
            "registry.pull", .registry, "the VM pulls the image", .failed, "\(image): \(failure)",
            fix: DoctorFix(
                "printf %s \"$\(passwordEnv)\" | exe-cli vm exec \(vm) -- \(docker) login \(registry) -u \(user ?? "USER") --password-stdin"))
    }
}

extension DoctorRules {
    /// The VM port `service` publishes (the host side of its first
    /// `ports:` entry), or `nil`.
    public static func publishedPort(in text: String, service: String) -> Int? {
        guard let document = (try? BoundedYAML.load(text)) as? [String: Any], let services = document["services"] as? [String: Any] else {
            return nil
        }
        let definition = (services[service] ?? (services.count == 1 ? services.values.first : nil)) as? [String: Any]
        for entry in definition?["ports"] as? [Any] ?? [] {
            if let short = entry as? String ?? (entry as? Int).map(String.init) {
                let parts = short.split(separator: "/").first.map { $0.split(separator: ":").map(String.init) } ?? []
                // HOST:CONTAINER or IP:HOST:CONTAINER; a lone port is published on a random host port.
                if parts.count >= 2, let port = Int(parts[parts.count - 2]) { return port }
            } else if let long = entry as? [String: Any] {
                if let published = long["published"] as? Int { return published }
                if let published = (long["published"] as? String).flatMap({ Int($0) }) { return published }
            }
        }
        return nil
    }

    /// The last non-empty line of a command's output.
    static func lastLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty } ?? "(no output)"
    }
}
