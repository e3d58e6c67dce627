public import Foundation
import ExeSystem

/// The distribution v2 API of an exe-hosted registry, spoken through an
/// ``ExeRegistryRelay`` on loopback (the relay adds the VM token), with
/// ExeSystem's `HTTPClient` (plain HTTP: the relay is on this machine).
public struct ExeRegistryAPI: Sendable {
    /// `http://127.0.0.1:PORT` of the relay.
    public let base: String

    /// A client for the relay on `port`.
    public init(relayPort: Int) { base = "http://127.0.0.1:\(relayPort)" }

    static let manifestTypes =
        "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json"

    private func send(_ method: String, _ path: String, accept: String? = nil) async throws -> (Int, Data, HTTPResponseHead) {
        guard let url = URL(string: base + path) else { throw ExeRegistryAPIError(message: "bad registry path \(path)") }
        let request = HTTPRequest(method: method, url: url, fields: accept.map { [HTTPField("Accept", $0)] } ?? [])
        let response = try await HTTPClient().send(request, timeout: .seconds(60))
        return (response.status, Data(response.body), response.head)
    }

    /// Whether `/v2/` answers 200.
    public func healthy() async -> Bool {
        (try? await send("GET", "/v2/").0) == 200
    }

    /// The repositories (`/v2/_catalog`).
    public func repositories() async throws -> [String] {
        let (status, data, _) = try await send("GET", "/v2/_catalog?n=1000")
        guard status == 200, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ExeRegistryAPIError(message: "the registry's catalog answered HTTP \(status)")
        }
        return (object["repositories"] as? [String] ?? []).sorted()
    }

    /// The tags of `repository` (empty when it has none).
    public func tags(_ repository: String) async throws -> [String] {
        let (status, data, _) = try await send("GET", "/v2/\(repository)/tags/list")
        if status == 404 { return [] }
        guard status == 200, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ExeRegistryAPIError(message: "tags of \(repository) answered HTTP \(status)")
        }
        return (object["tags"] as? [String] ?? []).sorted()
    }

    /// A tag's manifest digest and the image's creation time (from its config).
    public func describe(_ repository: String, tag: String) async throws -> (digest: String, created: Date?) {
        let (status, data, response) = try await send("GET", "/v2/\(repository)/manifests/\(tag)", accept: Self.manifestTypes)
        guard status == 200, let digest = response.value("Docker-Content-Digest") else {
            throw ExeRegistryAPIError(message: "the manifest of \(repository):\(tag) answered HTTP \(status)")
        }
        var created: Date?
        if let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let config = manifest["config"] as? [String: Any], let configDigest = config["digest"] as? String
        {
            let (blobStatus, blob, _) = try await send("GET", "/v2/\(repository)/blobs/\(configDigest)")
            if blobStatus == 200, let object = try? JSONSerialization.jsonObject(with: blob) as? [String: Any],
                let text = object["created"] as? String
            {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                created = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
            }
        }
        return (digest, created)
    }

    /// Deletes the manifest `digest` of `repository` (every tag on it).
    public func deleteManifest(_ repository: String, digest: String) async throws {
        let (status, _, _) = try await send("DELETE", "/v2/\(repository)/manifests/\(digest)")
        guard status == 202 || status == 200 else {
            throw ExeRegistryAPIError(message: "deleting \(repository)@\(digest) answered HTTP \(status)")
        }
    }
}

/// The registry answered something other than what was asked for.
public struct ExeRegistryAPIError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    public var description: String { message }
}
