import ExeYAML
import Foundation

/// The web service of a compose file in its side-by-side form: renamed
/// `<service>-<port>` and published on that host port, so that the next
/// release (on the other port) can run beside it in the same compose
/// project, with the same volumes, until the VM's proxy is switched.
///
/// A file in this form records what was changed under the top-level key
/// `x-exe-deploy` (compose ignores `x-` keys): the service's own name, the
/// slot's service name and port, and the `ports` and `container_name` it had,
/// so a rollback to it can be put in the other slot again.
public struct ComposeWebSlot: Sendable, Equatable {
    /// The service's name in the configuration (`compose.service`).
    public var service: String
    /// The slot's service name, `<service>-<port>`.
    public var slotService: String
    /// The host port the slot publishes (the VM's proxy routes here when live).
    public var port: Int
    /// The container's name.
    public var containerName: String

    /// Whether `name` is `service` itself or one of its slots (`<service>-<port>`).
    public static func isWeb(_ name: String, service: String) -> Bool {
        name == service || (name.hasPrefix(service + "-") && Int(name.dropFirst(service.count + 1)) != nil)
    }

    /// The top-level key that records the slot.
    static let markerKey = "x-exe-deploy"

    /// Why a file cannot run side by side (the deploy then updates in place).
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The two host ports the web service alternates between: `port` and the
    /// next one (the one before, for 9999); both must be ones `share port`
    /// accepts (3000-9999).
    public static func ports(around port: Int) -> [Int]? {
        guard (3000...9999).contains(port) else { return nil }
        return [port, port == 9999 ? 9998 : port + 1]
    }

    /// The slot a file in side-by-side form records, if any.
    public static func recorded(in text: String, project: String) -> ComposeWebSlot? {
        guard let document = (try? BoundedYAML.load(text)) as? [String: Any],
            let marker = document[markerKey] as? [String: Any],
            let service = marker["service"] as? String, let slotService = marker["web"] as? String,
            let port = marker["port"] as? Int
        else { return nil }
        let definition = (document["services"] as? [String: Any])?[slotService] as? [String: Any]
        let name = (document["name"] as? String) ?? project
        return ComposeWebSlot(
            service: service, slotService: slotService, port: port,
            containerName: definition?["container_name"] as? String ?? "\(name)-\(slotService)-1")
    }

    /// `text` with its web service put in the slot on host port `port`.
    ///
    /// `text` is a rendered compose file, or one already in side-by-side form
    /// (a rollback's): its recorded slot is undone first.
    ///
    /// - Parameters:
    ///   - text: the compose file.
    ///   - service: the web service.
    ///   - port: the host port of the slot.
    ///   - project: the compose project.
    ///   - builtIn: the file is the built-in one, whose `"PORT:PORT"` is the
    ///     deploy's own to move; a template's web service must publish its
    ///     container port without a host port.
    /// - Throws: ``Refusal`` when the file does not allow it.
    public static func place(_ text: String, service: String, port: Int, project: String, builtIn: Bool) throws(Refusal)
        -> (text: String, slot: ComposeWebSlot)
    {
        guard var document = (try? BoundedYAML.load(text)) as? [String: Any], var services = document["services"] as? [String: Any] else {
            throw Refusal(description: "the compose file has no services")
        }
        var fixedPortAllowed = builtIn
        if let marker = document[markerKey] as? [String: Any], let recordedService = marker["service"] as? String,
            let slotService = marker["web"] as? String, var definition = services[slotService] as? [String: Any]
        {
            definition["ports"] = marker["ports"] ?? NSNull()
            if definition["ports"] is NSNull { definition.removeValue(forKey: "ports") }
            if let original = marker["container_name"] as? String {
                definition["container_name"] = original
            } else {
                definition.removeValue(forKey: "container_name")
            }
            services.removeValue(forKey: slotService)
            services[recordedService] = definition
            fixedPortAllowed = fixedPortAllowed || (marker["built_in"] as? Bool ?? false)
            document.removeValue(forKey: markerKey)
        }
        guard var web = services[service] as? [String: Any] else {
            throw Refusal(description: "the compose file has no service \"\(service)\" (compose.service)")
        }
        let ports = (web["ports"] as? [Any]) ?? []
        guard ports.count == 1 else {
            throw Refusal(description: "the web service \"\(service)\" must publish exactly one port (it publishes \(ports.count))")
        }
        guard let published = publishedPort(ports[0]) else {
            throw Refusal(description: "the web service's port \(ports[0]) is not a TCP port mapping")
        }
        if published.host != nil, !fixedPortAllowed {
            throw Refusal(
                description: "the web service \"\(service)\" binds the fixed host port \(published.host!) (write \"\(published.container)\" to let the deploy choose)")
        }
        for (name, other) in services where name != service {
            if Self.mentions(other, service) {
                throw Refusal(description: "service \"\(name)\" depends on or shares the network of the web service \"\(service)\"")
            }
        }
        guard Self.ports(around: port) != nil else { throw Refusal(description: "port \(port) is outside 3000-9999 (share port)") }
        let slotService = "\(service)-\(port)"
        var marker: [String: Any] = ["service": service, "web": slotService, "port": port, "ports": ports]
        if builtIn { marker["built_in"] = true }
        let containerName: String
        if let original = web["container_name"] as? String {
            marker["container_name"] = original
            containerName = "\(original)-\(port)"
            web["container_name"] = containerName
        } else {
            containerName = "\((document["name"] as? String) ?? project)-\(slotService)-1"
        }
        web["ports"] = ["\(port):\(published.container)"]
        services.removeValue(forKey: service)
        services[slotService] = web
        document["services"] = services
        document[markerKey] = marker
        let slot = ComposeWebSlot(service: service, slotService: slotService, port: port, containerName: containerName)
        return ("# Written by exe-cli deploy: the web service runs as \(slotService) on port \(port) (see \(markerKey)).\n"
            + YAMLBlockWriter.write(document), slot)
    }

    /// `"8080"`, `"8080/tcp"`, `"8081:8080"`, `"127.0.0.1:8081:8080"` or
    /// `{target: 8080, published: 8081}`: the host port (if fixed) and the
    /// container port.
    static func publishedPort(_ entry: Any) -> (host: Int?, container: Int)? {
        if let mapping = entry as? [String: Any] {
            guard let target = mapping["target"] as? Int ?? (mapping["target"] as? String).flatMap({ Int($0) }) else { return nil }
            if let proto = mapping["protocol"] as? String, proto != "tcp" { return nil }
            let host = mapping["published"] as? Int ?? (mapping["published"] as? String).flatMap { Int($0) }
            return (host, target)
        }
        if let number = entry as? Int { return (nil, number) }
        guard let text = entry as? String else { return nil }
        let parts = text.split(separator: "/", maxSplits: 1)
        if parts.count == 2, parts[1] != "tcp" { return nil }
        let fields = (parts.first ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let container = fields.last.flatMap({ Int($0) }) else { return nil }
        if fields.count >= 2 {
            guard let host = Int(fields[fields.count - 2]) else { return nil }
            return (host, container)
        }
        return (nil, container)
    }

    /// Whether a service definition names `service` in `depends_on`,
    /// `links` or `network_mode: service:...`.
    private static func mentions(_ definition: Any?, _ service: String) -> Bool {
        guard let definition = definition as? [String: Any] else { return false }
        if let network = definition["network_mode"] as? String, network == "service:\(service)" { return true }
        for key in ["depends_on", "links"] {
            if let list = definition[key] as? [Any], list.contains(where: { ($0 as? String)?.split(separator: ":").first.map(String.init) == service }) {
                return true
            }
            if let mapping = definition[key] as? [String: Any], mapping[service] != nil { return true }
        }
        return false
    }
}
