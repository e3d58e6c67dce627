import Foundation
import ExeSystem

/// Reads image manifests and configs from the simulator's registry
/// (distribution v2 with htpasswd Basic auth) to check that an image
/// exists, that credentials work, and which ports it exposes.
///
/// With `host` set, requests go to the daemon's port with that `Host`
/// header: a registry served by a VM, reached through the VM proxy
/// (``VMRegistryPull``).
struct RegistryClient {
    /// The registry's port on 127.0.0.1 (the daemon's port for a VM's registry).
    let port: Int
    /// The `Host` header (a VM's host name); `nil` for the simulator's own registry.
    var host: String? = nil

    /// Whether `user`/`password` are accepted (`GET /v2/`).
    func checkLogin(user: String, password: Secret) throws -> Bool {
        let response = try LoopbackHTTPClient.send("GET", port: port, path: "/v2/", headers: [authorization(user: user, password: password)], host: host)
        return response.status == 200
    }

    func authorization(user: String, password: Secret) -> (String, String) {
        ("Authorization", "Basic " + Data("\(user):\(password.reveal())".utf8).base64EncodedString())
    }

    /// Resolves `repository:reference` and returns the exposed TCP ports
    /// and the login-user label. Throws ``CommandFailure`` with the text
    /// the user should see.
    func inspect(image: String, repository: String, reference: String, user: String?, password: Secret?) throws -> (ports: [Int], loginUser: String?) {
        var headers: [(String, String)] = [(
            "Accept",
            "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json"
        )]
        if let user, let password { headers.append(authorization(user: user, password: password)) }
        var manifest = try get("/v2/\(repository)/manifests/\(reference)", headers: headers, image: image, hasAuth: user != nil)
        if let list = manifest["manifests"] as? [[String: Any]] {
            let chosen = list.first { entry in
                let platform = entry["platform"] as? [String: Any]
                return platform?["architecture"] as? String == "amd64" && platform?["os"] as? String == "linux"
            } ?? list.first
            guard let digest = chosen?["digest"] as? String else { throw CommandFailure("image \(GoFlagParser.goQuote(image)) has an empty index") }
            manifest = try get("/v2/\(repository)/manifests/\(digest)", headers: headers, image: image, hasAuth: user != nil)
        }
        guard let config = manifest["config"] as? [String: Any], let digest = config["digest"] as? String else {
            throw CommandFailure("image \(GoFlagParser.goQuote(image)) has no config")
        }
        let blob = try get("/v2/\(repository)/blobs/\(digest)", headers: headers, image: image, hasAuth: user != nil)
        let settings = blob["config"] as? [String: Any] ?? blob["container_config"] as? [String: Any] ?? [:]
        let exposed = (settings["ExposedPorts"] as? [String: Any] ?? [:]).keys.compactMap { key -> Int? in
            let parts = key.split(separator: "/")
            guard parts.count == 1 || parts.last == "tcp" else { return nil }
            return Int(parts[0])
        }.sorted()
        let labels = settings["Labels"] as? [String: String] ?? [:]
        return (exposed, labels["exe.dev/login-user"])
    }

    private func get(_ path: String, headers: [(String, String)], image: String, hasAuth: Bool) throws -> [String: Any] {
        let response = try fetch(path, headers: headers, image: image, hasAuth: hasAuth)
        guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] else {
            throw CommandFailure("failed to pull image \(GoFlagParser.goQuote(image)): malformed registry response")
        }
        return object
    }

    /// One GET, its answer when 200; every other status is the error the
    /// user sees. A VM's registry reached without credentials answers with
    /// the proxy's redirect to the login (`RedirectToAuth`), which is the
    /// same refusal as a registry's 401.
    func fetch(_ path: String, headers: [(String, String)], image: String, hasAuth: Bool) throws -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try LoopbackHTTPClient.send("GET", port: port, path: path, headers: headers, timeout: .seconds(120), host: host)
        } catch {
            throw CommandFailure("failed to pull image \(GoFlagParser.goQuote(image)): registry unreachable: \(error)")
        }
        switch response.status {
        case 200:
            return response
        case 401, 403, 302, 307:
            if hasAuth {
                throw CommandFailure("failed to pull image \(GoFlagParser.goQuote(image)): authentication failed: check --registry-auth")
            }
            throw CommandFailure("failed to pull image \(GoFlagParser.goQuote(image)): unauthorized: the registry requires credentials; pass --registry-auth=USERNAME:PASSWORD")
        case 404:
            throw CommandFailure("failed to pull image \(GoFlagParser.goQuote(image)): manifest unknown: image not found")
        default:
            throw CommandFailure("failed to pull image \(GoFlagParser.goQuote(image)): registry answered HTTP \(response.status)")
        }
    }
}
