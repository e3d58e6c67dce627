import Foundation
import ExeYAML

/// A container a compose file asks for: its service and the name Docker
/// gives it (`container_name`, or `<project>-<service>-1`).
public struct ComposeContainer: Sendable, Equatable {
    /// The service.
    public var service: String
    /// The container's name.
    public var name: String
    /// The service's image.
    public var image: String?
}

/// Writes the compose file Pattern B puts on the VM.
///
/// Without a template it is the seed's file (one service running the new
/// image, `restart: always`, the port published, `/data` mounted, and
/// `/data/.env.production` as its env file when there is one), plus a
/// `name:` so that several apps under `/data` are separate compose projects
/// (the seed's would all be project `data`, and `--remove-orphans` would
/// remove each other's containers). A template is the user's own compose
/// file in which `${EXE_DEPLOY_IMAGE}`, `${EXE_DEPLOY_TAG}` and
/// `${EXE_DEPLOY_APP}` are replaced; every other `${...}` is left to compose.
public enum ComposeFileRenderer {
    /// The built-in file.
    public static func defaultFile(
        app: String, service: String, containerName: String, image: String, port: Int, includeEnvironmentFile: Bool
    ) -> String {
        var lines = [
            "# Written by exe-cli deploy; the previous version is kept as \(app).compose.yaml.prev.",
            "name: \(quoted(app))",
            "services:",
            "  \(service):",
            "    image: \(quoted(image))",
            "    container_name: \(quoted(containerName))",
            "    restart: always",
            "    ports:",
            "      - \(quoted("\(port):\(port)"))",
            "    volumes:",
            "      - /data:/data",
        ]
        if includeEnvironmentFile {
            lines += ["    env_file:", "      - \(RemoteDeployPaths.environmentFile)"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `template` with the deploy's variables replaced, and `name: <app>`
    /// added when the template names no project.
    public static func render(template: String, image: String, tag: String, app: String) -> String {
        let text = template
            .replacingOccurrences(of: "${EXE_DEPLOY_IMAGE}", with: image)
            .replacingOccurrences(of: "${EXE_DEPLOY_TAG}", with: tag)
            .replacingOccurrences(of: "${EXE_DEPLOY_APP}", with: app)
        let named = ((try? BoundedYAML.load(text)) as? [String: Any])?["name"] != nil
        return named ? text : "name: \(quoted(app))\n" + text
    }

    /// The project of a compose file under `/data` that names none: compose
    /// takes the directory's name (the seed's files all run as project `data`).
    public static let directoryProject = "data"

    /// The containers `text` declares, for the health check and for logs.
    ///
    /// - Parameters:
    ///   - text: the compose file.
    ///   - project: the project name when the file sets none.
    /// - Throws: ``DeployError/Kind/configuration`` when `text` is not a
    ///   compose file with services.
    public static func containers(in text: String, project: String) throws -> [ComposeContainer] {
        let root: Any?
        do { root = try BoundedYAML.load(text) } catch {
            throw DeployError(.configuration, "the compose file is not valid YAML: \(error)")
        }
        guard let document = root as? [String: Any], let services = document["services"] as? [String: Any], !services.isEmpty else {
            throw DeployError(.configuration, "the compose file has no services")
        }
        let name = (document["name"] as? String) ?? project
        return services.keys.sorted().map { service in
            let definition = services[service] as? [String: Any]
            return ComposeContainer(
                service: service, name: (definition?["container_name"] as? String) ?? "\(name)-\(service)-1",
                image: definition?["image"] as? String)
        }
    }

    /// The project name a file declares (`name:`), or, like compose,
    /// `fallback` (the file's directory name).
    public static func projectName(in text: String, fallback: String = directoryProject) -> String {
        ((try? BoundedYAML.load(text)) as? [String: Any])?["name"] as? String ?? fallback
    }

    /// A YAML double-quoted scalar: a JSON string is one.
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
