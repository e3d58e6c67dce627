/// Carries one control-plane command to exe.dev and brings back what it
/// printed and how it ended. Interpretation (errors, JSON) is the client's.
///
/// Two implementations: ``SSHControlTransport`` (`ssh exe.dev <command>` on
/// one reused connection) and ``HTTPSControlTransport`` (`POST /exec`).
/// Choose one with ``ControlClient/Configuration``; tests may supply their own.
public protocol ControlTransport: Sendable {
    /// Whether commands that define `--json` get it appended (SSH). HTTPS
    /// forces JSON on the server side and must not get the flag.
    var appendsJSONFlag: Bool { get }

    /// Sends `request` and returns the raw response. Throws only for failures
    /// of the transport itself (connection, authentication, deadline, request
    /// too large); a command the server rejects is a response.
    func send(_ request: ControlRequest) async throws(ControlError) -> ControlResponse

    /// Releases connections. An SSH transport reconnects on a later send; an
    /// HTTPS transport cannot be used after it is closed.
    func close() async
}
