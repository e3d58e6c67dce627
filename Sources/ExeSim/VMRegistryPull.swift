import Foundation
import ExeSystem

/// `new --image=<vm-host>/repository:tag` where `<vm-host>` is another
/// VM's URL host: the image comes from a registry that VM serves, through
/// the VM proxy, as exe.dev's host-side puller reaches it.
///
/// Grounding: the boot image "is pulled host-side, before your VM exists",
/// with `--registry-auth=USERNAME:PASSWORD` as the registry credential
/// (live docs, `exe.dev/docs/private-image.md`); a VM's URL is private
/// unless shared and its proxy accepts a VM-scoped token as the password of
/// HTTP Basic auth, user ignored (`exeweb/proxy.go` `GetProxyAuth`), strips
/// it before the VM sees it (`stripExeDevAuth`), answers a request without
/// `Authorization` with a redirect to the login (`RedirectToAuth`) and one
/// whose credentials fail with 401 (`HandleProxyRequest`). So the
/// simulator's puller asks the daemon's own port with the VM's `Host` and
/// the Basic credentials, every request checked by the same ``VMProxy``
/// code as any client's: no token, an expired, revoked or other VM's token
/// is refused.
///
/// The bytes are written to an OCI layout directory and imported with
/// `podman pull oci:DIR:image`, then tagged with the reference as given
/// (podman itself cannot reach a VM's host name: nothing resolves it).
struct VMRegistryPull {
    /// The image reference as given.
    let reference: String
    /// The parsed reference.
    let image: ImageName
    /// The client that reaches the VM through the daemon's port.
    let client: RegistryClient

    /// `nil` unless `reference` names a registry served by a VM
    /// (`<vm>.exe-sim.localhost` or `<vm>.exe.xyz`, any port).
    init?(reference: String, daemonPort: Int) {
        guard let image = ImageName(reference), Self.vmName(registryHost: image.registry) != nil else { return nil }
        self.reference = reference
        self.image = image
        client = RegistryClient(port: daemonPort, host: image.registry)
    }

    /// The VM a registry host names, if it names one.
    static func vmName(registryHost: String) -> String? {
        if let host = VMHost(header: registryHost) { return host.vmName }
        let name = DomainRouting.hostName(registryHost)
        guard name.hasSuffix(".exe.xyz") else { return nil }
        let label = String(name.dropLast(".exe.xyz".count))
        return label.isEmpty || label.contains(".") ? nil : label
    }

    static let manifestTypes =
        "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json"

    /// Splits `USER:PASSWORD`.
    static func split(_ auth: Secret?) -> (user: String, password: Secret)? {
        guard let text = auth?.reveal(), let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), Secret(String(text[text.index(after: colon)...])))
    }

    /// Fetches the image into a scratch OCI layout (removed after) and
    /// imports it into podman under ``reference``. podman names an `oci:`
    /// import after its path (`localhost/<path>`, lower case only), so the
    /// layout lives at a lower-case temporary path and that name is removed
    /// after tagging.
    func pull(into runtime: ContainerRuntime, registryAuth: Secret?) throws {
        let scratch = "/tmp/exe-sim-pull-" + UUID().uuidString.lowercased()
        let credentials = Self.split(registryAuth)
        var headers: [(String, String)] = [("Accept", Self.manifestTypes)]
        if let credentials { headers.append(client.authorization(user: credentials.user, password: credentials.password)) }
        let hasAuth = credentials != nil
        let manager = FileManager.default
        try? manager.removeItem(atPath: scratch)
        defer { try? manager.removeItem(atPath: scratch) }
        let blobs = scratch + "/blobs/sha256"
        try manager.createDirectory(atPath: blobs, withIntermediateDirectories: true)

        func store(_ data: Data) throws -> String {
            let hex = SHA256Hasher.hexDigest(data)
            try data.write(to: URL(fileURLWithPath: blobs + "/" + hex))
            return "sha256:" + hex
        }
        func fetchBlob(_ digest: String) throws {
            let response = try client.fetch("/v2/\(image.repository)/blobs/\(digest)", headers: headers, image: reference, hasAuth: hasAuth)
            guard try store(response.body) == digest else {
                throw CommandFailure("failed to pull image \(GoFlagParser.goQuote(reference)): blob \(digest) does not match its digest")
            }
        }

        var response = try client.fetch(
            "/v2/\(image.repository)/manifests/\(image.manifestReference)", headers: headers, image: reference, hasAuth: hasAuth)
        var object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        if let list = object["manifests"] as? [[String: Any]] {
            let chosen = list.first { entry in
                let platform = entry["platform"] as? [String: Any]
                return platform?["architecture"] as? String == "amd64" && platform?["os"] as? String == "linux"
            } ?? list.first
            guard let digest = chosen?["digest"] as? String else { throw CommandFailure("image \(GoFlagParser.goQuote(reference)) has an empty index") }
            response = try client.fetch("/v2/\(image.repository)/manifests/\(digest)", headers: headers, image: reference, hasAuth: hasAuth)
            object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        }
        guard let config = object["config"] as? [String: Any], let configDigest = config["digest"] as? String else {
            throw CommandFailure("image \(GoFlagParser.goQuote(reference)) has no config")
        }
        try fetchBlob(configDigest)
        for layer in object["layers"] as? [[String: Any]] ?? [] {
            guard let digest = layer["digest"] as? String else { continue }
            try fetchBlob(digest)
        }
        let manifestDigest = try store(response.body)
        let mediaType =
            (object["mediaType"] as? String)
            ?? response.header("Content-Type")?.split(separator: ";").first.map(String.init)
            ?? "application/vnd.oci.image.manifest.v1+json"
        let index: [String: Any] = [
            "schemaVersion": 2,
            "manifests": [[
                "mediaType": mediaType, "digest": manifestDigest, "size": response.body.count,
                "annotations": ["org.opencontainers.image.ref.name": "image"],
            ]],
        ]
        try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys]).write(to: URL(fileURLWithPath: scratch + "/index.json"))
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: scratch + "/oci-layout"))
        let imported = try runtime.podman(["pull", "--quiet", "oci:\(scratch):image"])
        guard imported.status == 0, let id = imported.stdout.split(separator: "\n").last.map(String.init), !id.isEmpty else {
            throw ContainerRuntimeError(message: imported.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let tagged = try runtime.podman(["tag", id, reference])
        if tagged.status != 0 { throw ContainerRuntimeError(message: tagged.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) }
        _ = try? runtime.podman(["untag", id, "localhost" + scratch], timeout: .seconds(60))
    }
}
