public import Foundation

/// What a transport got back for one command, before interpretation.
public struct ControlResponse: Sendable {
    /// How the command ended.
    public enum Completion: Sendable, Hashable {
        /// SSH: the remote exit status (libssh2 1.10 reports a missing status
        /// as 0, so 0 does not prove success).
        case exitStatus(Int32)
        /// HTTPS: the status code, and the `Retry-After` delay if one was sent.
        case http(status: Int, retryAfter: Duration?)
    }

    /// stdout (SSH) or the body (HTTPS).
    public var output: Data
    /// How it ended.
    public var completion: Completion

    /// Creates a response.
    public init(output: Data, completion: Completion) {
        self.output = output
        self.completion = completion
    }

    /// Whether the transport reported success (exit 0, HTTP 2xx).
    var reportsSuccess: Bool {
        switch completion {
        case .exitStatus(let status): return status == 0
        case .http(let status, _): return (200..<300).contains(status)
        }
    }
}
