import ExeSystem
import Foundation

/// A remote command line wrapped so that its whole process group can be
/// signalled: the remote shell (a session leader under sshd) records its pid
/// in a file, runs the command line with `eval` (so the command means what
/// it meant unwrapped), and removes the file on exit. ``interruptScript(graceSeconds:)``
/// sends SIGINT to that group, then SIGKILL, as `lease run` does, so a
/// timeout or Ctrl-C leaves nothing running on the VM.
struct RemoteProcessGroup: Sendable {
    /// The command line as the user gave it.
    let commandLine: String
    /// Where the remote shell records its pid.
    let pidFile: String

    init(commandLine: String, runID: String = RemoteProcessGroup.makeRunID()) {
        self.commandLine = commandLine
        pidFile = "/tmp/exe-cli-run-\(runID).pid"
    }

    /// A random id for the pid file's name.
    static func makeRunID() -> String {
        (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// The line to run instead of ``commandLine``.
    var wrapped: String {
        let pid = ShellQuote.word(pidFile)
        // The EXIT trap removes the pid file also when the command line itself calls `exit`.
        return "trap 'rm -f '\(ShellQuote.word(pid)) EXIT; printf '%s\\n' \"$$\" > \(pid) || exit 125; eval \(ShellQuote.word(commandLine))"
    }

    /// Sends SIGINT to the group, SIGKILL after `graceSeconds` if it still
    /// runs, and removes the pid file.
    func interruptScript(graceSeconds: Int) -> String {
        let pid = ShellQuote.word(pidFile)
        return """
            i=0; while [ ! -s \(pid) ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
            [ -s \(pid) ] || exit 0
            p=$(cat \(pid)); env kill -s INT -- "-$p" 2>/dev/null || { rm -f \(pid); exit 0; }
            i=0; while [ $i -lt \(graceSeconds * 10) ] && env kill -0 -- "-$p" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
            env kill -s KILL -- "-$p" 2>/dev/null; rm -f \(pid); exit 0
            """
    }
}
