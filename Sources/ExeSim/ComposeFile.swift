import Foundation
import ExeYAML

/// The parts of a Compose file the docker shim runs: services with
/// image, container_name, ports, volumes, env_file, environment,
/// command, entrypoint and restart.
package struct ComposeFile: Equatable {
    /// One service.
    struct Service: Equatable {
        var name: String
        var image: String
        var containerName: String?
        /// `(vmPort, containerPort)` pairs.
        var ports: [(Int, Int)]
        var volumes: [String]
        var environmentFiles: [String]
        var environment: [String]
        var command: [String]?
        var entrypoint: [String]?
        var restart: String?

        static func == (lhs: Service, rhs: Service) -> Bool {
            lhs.name == rhs.name && lhs.image == rhs.image && lhs.containerName == rhs.containerName
                && lhs.ports.map { [$0.0, $0.1] } == rhs.ports.map { [$0.0, $0.1] } && lhs.volumes == rhs.volumes
                && lhs.environmentFiles == rhs.environmentFiles && lhs.environment == rhs.environment
                && lhs.command == rhs.command && lhs.entrypoint == rhs.entrypoint && lhs.restart == rhs.restart
        }
    }

    /// The top-level `name`, if any.
    var name: String?
    /// Services in file order (sorted by name; YAML maps are unordered).
    var services: [Service]

    /// A problem with the file, worded like Compose's.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    package static func parse(_ text: String) throws -> ComposeFile {
        let loaded: Any?
        do { loaded = try BoundedYAML.load(text) } catch { throw Problem(description: "yaml: \(error)") }
        guard let root = loaded as? [String: Any] else { throw Problem(description: "Top-level object must be a mapping") }
        guard let services = root["services"] as? [String: Any], !services.isEmpty else {
            throw Problem(description: "no service selected")
        }
        var result: [Service] = []
        for name in services.keys.sorted() {
            guard let body = services[name] as? [String: Any] else { throw Problem(description: "services.\(name) must be a mapping") }
            guard let image = body["image"] as? String, !image.isEmpty else {
                throw Problem(description: "service \(GoFlagParser.goQuote(name)) has neither an image nor a build context specified (build is not supported by exe-sim)")
            }
            var ports: [(Int, Int)] = []
            for entry in list(body["ports"]) {
                if let mapping = entry as? [String: Any] {
                    guard let target = int(mapping["target"]) else { throw Problem(description: "services.\(name).ports: target is required") }
                    ports.append((int(mapping["published"]) ?? target, target))
                    continue
                }
                let text = "\(entry)".split(separator: "/").first.map(String.init) ?? ""
                let parts = text.split(separator: ":").map(String.init)
                guard let container = parts.last.flatMap({ Int($0) }) else {
                    throw Problem(description: "services.\(name).ports: invalid port \(GoFlagParser.goQuote("\(entry)"))")
                }
                let published = parts.count >= 2 ? Int(parts[parts.count - 2]) ?? container : container
                ports.append((published, container))
            }
            result.append(Service(
                name: name, image: image, containerName: body["container_name"] as? String, ports: ports,
                volumes: list(body["volumes"]).compactMap { $0 as? String },
                environmentFiles: list(body["env_file"]).compactMap { entry in
                    if let text = entry as? String { return text }
                    return (entry as? [String: Any])?["path"] as? String
                },
                environment: environment(body["environment"]), command: words(body["command"]),
                entrypoint: words(body["entrypoint"]), restart: body["restart"] as? String))
        }
        return ComposeFile(name: root["name"] as? String, services: result)
    }

    private static func list(_ value: Any?) -> [Any] {
        if let array = value as? [Any] { return array }
        if let value { return [value] }
        return []
    }

    private static func int(_ value: Any?) -> Int? {
        if let number = value as? Int { return number }
        if let text = value as? String { return Int(text) }
        return nil
    }

    private static func environment(_ value: Any?) -> [String] {
        if let mapping = value as? [String: Any] {
            return mapping.keys.sorted().map { key in
                let item = mapping[key]
                if item == nil || item is NSNull { return key }
                return "\(key)=\(item.map { "\($0)" } ?? "")"
            }
        }
        return list(value).map { "\($0)" }
    }

    private static func words(_ value: Any?) -> [String]? {
        if let text = value as? String { return (try? ShellWords.split(text)) ?? [text] }
        if let array = value as? [Any] { return array.map { "\($0)" } }
        return nil
    }
}
