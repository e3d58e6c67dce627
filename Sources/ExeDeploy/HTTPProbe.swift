public import ExeSystem
public import Foundation

/// What one health-check request got back.
public struct HTTPProbeResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The `Location` header of a redirect.
    public var location: String?
    /// The start of the body, for messages.
    public var bodyPrefix: String

    /// Creates a response.
    public init(status: Int, location: String? = nil, bodyPrefix: String = "") {
        self.status = status
        self.location = location
        self.bodyPrefix = bodyPrefix
    }
}

/// Sends health-check requests. Injected so tests can script answers.
public protocol HTTPProbe: Sendable {
    /// `GET url` with `headers` (values are secrets: tokens), not
    /// following redirects.
    ///
    /// - Throws: when no HTTP answer arrived (refused, timed out, reset).
    func get(_ url: URL, headers: [String: Secret], timeout: Duration) async throws -> HTTPProbeResponse
}

/// ``HTTPProbe`` with `ExeSystem.HTTPClient`: a connection per request,
/// no cookies, no cache, no redirects (a redirect is an answer, and a token
/// must not follow it), and the server's certificate checked against
/// ``trust`` (the system store, or `EXE_CA_FILE`).
///
/// With a `connectTo` address (`EXE_VM_PROXY`, printed by `exe-sim up`)
/// every request goes to that `host:port` and carries the URL's own host
/// (and port) in its `Host` header, like `curl --connect-to ::HOST:PORT`:
/// that is how a VM URL of the simulator (`http://<vm>.exe-sim.localhost/`)
/// is reached without a hosts file. For an `https://` URL the certificate
/// must still name the URL's host.
public struct HTTPClientProbe: HTTPProbe {
    /// Where every request connects, when not to the URL's host.
    public let connectTo: NetworkAddress?
    /// Which CAs a server's certificate must chain to.
    public let trust: TLSTrust

    /// Creates a probe; `connectTo` is `HOST:PORT` (ignored when it does
    /// not parse).
    public init(connectTo: String? = nil, trust: TLSTrust = .systemStore) {
        self.connectTo = connectTo.flatMap(NetworkAddress.init(parsing:))
        self.trust = trust
    }

    public func get(_ url: URL, headers: [String: Secret], timeout: Duration) async throws -> HTTPProbeResponse {
        let fields = headers.sorted { $0.key < $1.key }.map { HTTPField($0.key, $0.value.reveal()) }
        let response = try await HTTPClient(trust: trust, connectTo: connectTo).send(
            HTTPRequest(method: "GET", url: url, fields: fields), timeout: timeout, maximumBodyBytes: 300, truncatingBody: true)
        return HTTPProbeResponse(
            status: response.status, location: response.head.value("Location"),
            bodyPrefix: String(decoding: response.body, as: UTF8.self))
    }
}
