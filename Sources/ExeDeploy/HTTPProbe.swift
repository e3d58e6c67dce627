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
///
/// Without `connectTo`, a request goes through the proxy the given
/// environment names for its URL (`HTTPS_PROXY`, `NO_PROXY`), as curl's would.
public struct HTTPClientProbe: HTTPProbe {
    /// Where every request connects, when not to the URL's host.
    public let connectTo: NetworkAddress?
    /// Which CAs a server's certificate must chain to.
    public let trust: TLSTrust
    /// The variables a proxy is read from (`https_proxy`, `no_proxy`, ...).
    public let proxyEnvironment: [String: String]

    /// Creates a probe; `connectTo` is `HOST:PORT` (ignored when it does
    /// not parse).
    public init(connectTo: String? = nil, trust: TLSTrust = .systemStore, proxyEnvironment: [String: String] = [:]) {
        self.connectTo = connectTo.flatMap(NetworkAddress.init(parsing:))
        self.trust = trust
        self.proxyEnvironment = proxyEnvironment
    }

    public func get(_ url: URL, headers: [String: Secret], timeout: Duration) async throws -> HTTPProbeResponse {
        let fields = headers.sorted { $0.key < $1.key }.map { HTTPField($0.key, $0.value.reveal()) }
        let proxy = connectTo == nil ? try HTTPProxy.forURL(url, environment: proxyEnvironment) : nil
        let response = try await HTTPClient(trust: trust, connectTo: connectTo, proxy: proxy).send(
            HTTPRequest(method: "GET", url: url, fields: fields), timeout: timeout, maximumBodyBytes: 300, truncatingBody: true)
        return HTTPProbeResponse(
            status: response.status, location: response.head.value("Location"),
            bodyPrefix: String(decoding: response.body, as: UTF8.self))
    }
}
