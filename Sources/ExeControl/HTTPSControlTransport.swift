public import ExeSystem
public import Foundation

/// Runs control-plane commands as `POST /exec` with a Bearer token
/// (reference §1.2). The server forces JSON, so `--json` is never appended.
///
/// The body is checked against the 64 KiB limit before anything is sent. The
/// token goes only into the `Authorization` header; redirects are not
/// followed (they could carry the header elsewhere), and plain `http://` is
/// refused except to loopback addresses (the local simulator).
///
/// Requests go through `ExeSystem.HTTPClient` (OpenSSL), so the server's
/// certificate can be checked against a private CA (``Configuration/trust``,
/// `EXE_CA_FILE`), which `URLSession` on Linux cannot do. An untrusted
/// certificate, or one that does not name the host, fails with
/// ``ControlError/Kind/hostKeyRejected`` before the token is sent.
public struct HTTPSControlTransport: ControlTransport {
    /// What to do when the server answers 429.
    public struct RateLimitRetry: Sendable {
        /// How many times to retry one command.
        public var maxRetries: Int
        /// The longest single wait; a longer `Retry-After` fails at once.
        public var maxWait: Duration
        /// The wait when the server gives no `Retry-After` (the bucket refills
        /// one request per second).
        public var defaultWait: Duration
        /// The most one command waits in all; a wait that would pass it fails
        /// at once with ``ControlError/Kind/rateLimited``.
        public var maxTotalWait: Duration

        /// Creates a policy.
        public init(
            maxRetries: Int = 3, maxWait: Duration = .seconds(10), defaultWait: Duration = .seconds(1),
            maxTotalWait: Duration = .seconds(30)
        ) {
            self.maxRetries = maxRetries
            self.maxWait = maxWait
            self.defaultWait = defaultWait
            self.maxTotalWait = maxTotalWait
        }
    }

    /// Where and how to send.
    public struct Configuration: Sendable {
        /// The `/exec` URL; `https://exe.dev/exec` by default.
        public var endpoint: URL
        /// The `exe0.`/`exe1.`/`exeapp_` token; empty when ``minter`` makes one per request.
        public var token: Secret
        /// Mints a short-lived exe0 token for each request when ``token`` is
        /// empty, allowing only that request's command (least privilege).
        public var minter: TokenMinter?
        /// How long a minted token is valid.
        public var mintedLifetime: Duration = .seconds(300)
        /// How long one request may take (the server stops commands at 30 s).
        public var requestTimeout: Duration
        /// Retry on 429; `nil` fails with ``ControlError/Kind/rateLimited`` at once.
        public var rateLimitRetry: RateLimitRetry?
        /// Waits between retries (injected so tests need not sleep).
        public var sleep: @Sendable (Duration) async throws -> Void
        /// Which CAs the server's certificate must chain to: the system
        /// store, or a CA file (`EXE_CA_FILE`, `--cacert`; `exe-sim up --tls`
        /// prints its own).
        public var trust: TLSTrust = .systemStore
        /// A proxy to tunnel through (`HTTPS_PROXY`, `NO_PROXY`: see
        /// `ExeSystem.HTTPProxy.forURL(_:environment:)`); `nil`: connect directly.
        public var proxy: HTTPProxy?

        /// Creates a configuration.
        public init(
            endpoint: URL = URL(string: "https://exe.dev/exec")!, token: Secret, requestTimeout: Duration = .seconds(60),
            rateLimitRetry: RateLimitRetry? = nil,
            sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
        ) {
            self.endpoint = endpoint
            self.token = token
            self.requestTimeout = requestTimeout
            self.rateLimitRetry = rateLimitRetry
            self.sleep = sleep
        }
    }

    /// The largest body `/exec` accepts.
    public static let maximumBodyBytes = 64 * 1024

    /// The configuration in use.
    public let configuration: Configuration

    public var appendsJSONFlag: Bool { false }

    /// Creates a transport.
    ///
    /// - Throws: ``ControlError/Kind/invalidArgument`` for an endpoint that is
    ///   neither `https://` nor `http://` to a loopback address, and
    ///   ``ControlError/Kind/authenticationFailed`` for an empty token.
    public init(configuration: Configuration) throws(ControlError) {
        guard let scheme = configuration.endpoint.scheme?.lowercased(), let host = configuration.endpoint.host else {
            throw ControlError(.invalidArgument, "invalid API URL \(configuration.endpoint.absoluteString)")
        }
        guard scheme == "https" || (scheme == "http" && LoopbackHost.contains(host)) else {
            throw ControlError(
                .invalidArgument,
                "refusing to send an API token to \(configuration.endpoint.absoluteString): use https:// (plain http:// only to 127.0.0.0/8, ::1 or localhost)")
        }
        guard !configuration.token.isEmpty || configuration.minter != nil else {
            throw ControlError(.authenticationFailed, "no API token: pass --token or set EXE_API_TOKEN")
        }
        self.configuration = configuration
    }

    public func send(_ request: ControlRequest) async throws(ControlError) -> ControlResponse {
        let command = request.redactedCommandLine()
        let body = Data(request.commandLine(appendingJSONFlag: false).utf8)
        guard body.count <= Self.maximumBodyBytes else {
            throw ControlError(
                .requestTooLarge,
                "request body exceeds 64KB limit (\(body.count) bytes; the limit is \(Self.maximumBodyBytes))", command: command)
        }
        guard !body.contains(0) else {
            throw ControlError(.invalidArgument, "request body must not contain null bytes", command: command)
        }
        let token = try configuration.token(forCommand: request.command)
        let httpRequest = HTTPRequest(
            method: "POST", url: configuration.endpoint,
            fields: [
                HTTPField("Authorization", "Bearer " + token.reveal()),
                HTTPField("Content-Type", "text/plain; charset=utf-8"),
                HTTPField("Accept", "application/json"),
            ], body: Array(body))

        var retries = 0
        var waited = Duration.zero
        while true {
            let response = try await perform(httpRequest, command: command, token: token)
            let retryAfter = Self.retryAfter(response.head.value("Retry-After"))
            if response.status == 429, let policy = configuration.rateLimitRetry, retries < policy.maxRetries {
                let wait = retryAfter ?? policy.defaultWait
                if wait <= policy.maxWait, waited + wait <= policy.maxTotalWait {
                    retries += 1
                    waited += wait
                    do { try await configuration.sleep(wait) } catch {
                        throw ControlError(.cancelled, "cancelled while waiting out the rate limit", command: command)
                    }
                    continue
                }
            }
            return ControlResponse(output: Data(response.body), completion: .http(status: response.status, retryAfter: retryAfter))
        }
    }

    /// Nothing to release: every request has a connection of its own.
    public func close() async {}

    private func perform(_ request: HTTPRequest, command: String, token: Secret) async throws(ControlError) -> HTTPResponse {
        let endpoint = configuration.endpoint.absoluteString
        do {
            return try await HTTPClient(trust: configuration.trust, proxy: configuration.proxy).send(request, timeout: configuration.requestTimeout)
        } catch {
            throw ControlError(Self.kind(of: error), Secret.redact("\(endpoint): \(error.message)", [token]), command: command)
        }
    }

    /// The control error kind of a network failure: an untrusted or
    /// misnamed certificate is ``ControlError/Kind/hostKeyRejected`` (the
    /// server is not who it should be), as a changed SSH host key is.
    static func kind(of error: NetworkError) -> ControlError.Kind {
        switch error.kind {
        case .timedOut: .timeout
        case .cancelled: .cancelled
        case .certificateRejected: .hostKeyRejected
        case .malformedResponse, .tooLarge: .unexpectedResponse
        case .invalidRequest: .invalidArgument
        case .connectFailed, .tlsFailed, .connectionClosed: .transport
        }
    }

    /// `Retry-After` in seconds (the HTTP-date form is ignored).
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0, seconds.isFinite else {
            return nil
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}

extension HTTPSControlTransport.Configuration {
    /// The token to send for a request running `command` (its canonical
    /// words): ``token``, or a fresh exe0 token from ``minter`` allowing
    /// only that command and expiring after ``mintedLifetime``.
    public func token(forCommand command: [String], now: Date = Date()) throws(ControlError) -> Secret {
        guard token.isEmpty, let minter else { return token }
        let lifetime = Int64(mintedLifetime.components.seconds)
        let permissions = TokenPermissions(
            expires: Int64(now.timeIntervalSince1970) + max(lifetime, 1), commands: [command.joined(separator: " ")])
        return try minter.mint(permissions)
    }
}
