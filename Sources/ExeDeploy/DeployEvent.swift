/// What a deploy tells its caller while it runs: the CLI shows steps with
/// a ticking clock on a terminal and as plain lines otherwise.
public enum DeployEvent: Sendable {
    /// A step began (`build`, `push`, `create`, `health`, ...).
    case started(phase: String, message: String)
    /// The step ended successfully after `elapsed`.
    case finished(phase: String, elapsed: Duration)
    /// The step failed after `elapsed`.
    case failed(phase: String, elapsed: Duration)
    /// Something worth a line (a setting carried over, a lock taken).
    case note(String)
    /// Something that went wrong without failing the deploy.
    case warning(String)
    /// Logs fetched from a VM or service, secrets redacted.
    case log(source: String, text: String)
}
