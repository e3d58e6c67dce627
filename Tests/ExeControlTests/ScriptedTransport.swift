import ExeControl
import ExeTesting

extension ControlClient {
    /// A client whose every command prints `output` and exits with
    /// `status`, with the transport that records what it was sent.
    static func scripted(_ output: String, status: Int32 = 0) -> (ControlClient, ScriptedControlTransport) {
        let transport = ScriptedControlTransport(output: output, status: status)
        return (ControlClient(transport: transport), transport)
    }
}
