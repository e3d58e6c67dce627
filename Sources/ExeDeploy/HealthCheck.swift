public import ExeSystem
public import Foundation

/// The gate a new release must pass: `GET <url><path>` answers the expected
/// status within the timeout. Probes are spaced by ``interval``; a
/// `failFast` check (is the VM still running, has a container exited?)
/// ends the wait early instead of sitting out the whole timeout.
public struct HealthCheck: Sendable {
    /// The path probed, starting with `/`.
    public var path: String
    /// The status that means healthy.
    public var expectedStatus: Int
    /// How long the release may take to pass.
    public var timeout: Duration
    /// The pause between probes.
    public var interval: Duration

    /// Creates a check.
    public init(path: String = "/", expectedStatus: Int = 200, timeout: Duration = .seconds(60), interval: Duration = .seconds(1)) {
        self.path = path
        self.expectedStatus = expectedStatus
        self.timeout = timeout
        self.interval = interval
    }

    /// The check a configuration describes.
    public init(_ configuration: DeployConfiguration) {
        self.init(
            path: configuration.healthPath, expectedStatus: configuration.healthStatus,
            timeout: configuration.healthTimeout, interval: configuration.healthInterval)
    }

    /// `base` (a VM's `https_url`) joined with ``path``.
    public func url(base: String) -> URL? {
        var root = base
        while root.hasSuffix("/") { root.removeLast() }
        return URL(string: root + path)
    }

    /// What the last probe saw, for messages.
    public struct Observation: Sendable {
        /// Probes sent.
        public var attempts = 0
        /// The last answer, or why there was none.
        public var last = "no answer yet"
    }

    /// Probes until the expected status arrives.
    ///
    /// - Parameters:
    ///   - base: the URL the check's path is appended to.
    ///   - headers: sent with every probe (a VM-scoped token for a private VM).
    ///   - probe: sends the requests.
    ///   - clock: paces the probes and keeps the deadline.
    ///   - failFast: asked between probes (at most every three seconds);
    ///     a non-`nil` answer is why waiting is pointless.
    /// - Returns: the observation of the passing probe.
    /// - Throws: ``DeployError/Kind/unhealthy`` with the last answer, or
    ///   `CancellationError`.
    public func wait(
        base: String, headers: [String: Secret] = [:], probe: any HTTPProbe, clock: DeployClock,
        failFast: @Sendable () async -> String? = { nil }
    ) async throws -> Observation {
        guard let url = url(base: base) else {
            throw DeployError(.unhealthy, "cannot make a health-check URL from \(base) and \(path)")
        }
        let deadline = clock.instant() + timeout
        var observation = Observation()
        var lastFailFastCheck = clock.instant()
        while true {
            try Task.checkCancellation()
            observation.attempts += 1
            let remaining = deadline - clock.instant()
            do {
                let response = try await probe.get(url, headers: headers, timeout: min(.seconds(5), max(remaining, .milliseconds(500))))
                if response.status == expectedStatus { return observation }
                observation.last = describe(response)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                observation.last = "no answer (\(error.localizedDescription))"
            }
            if clock.instant() - lastFailFastCheck >= .seconds(3) || observation.attempts == 3 {
                lastFailFastCheck = clock.instant()
                if let reason = await failFast() {
                    throw DeployError(.unhealthy, "\(url.absoluteString) is not healthy: \(reason) (last probe: \(observation.last))")
                }
            }
            guard clock.instant() + interval < deadline else {
                throw DeployError(
                    .unhealthy,
                    "\(url.absoluteString) did not answer \(expectedStatus) within \(DurationText.format(timeout)) (\(observation.attempts) probes; last: \(observation.last))")
            }
            try await clock.sleep(interval)
        }
    }

    private func describe(_ response: HTTPProbeResponse) -> String {
        var text = "HTTP \(response.status)"
        if let location = response.location, (300..<400).contains(response.status) {
            text += " redirect to \(location)"
            if location.contains("/__exe.dev/login") || location.contains("exe.dev/auth") {
                text += " (the proxy asks for a login: the VM is private)"
            }
        }
        let body = response.bodyPrefix.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        if !body.isEmpty { text += ": " + String(body.prefix(160)) }
        return text
    }
}
