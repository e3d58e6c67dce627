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

    /// `Scripts/process-group.sh`, run by the login shell (the command
    /// line was written for that shell).
    static let wrapperScript = ShellScript(name: "exe-cli-run", bytes: PackageResources.process_group_sh, interpreter: .loginShell)
    /// `Scripts/interrupt.sh`.
    static let interruptScript = ShellScript(name: "exe-cli-interrupt", bytes: PackageResources.interrupt_sh)

    /// The line to run instead of ``commandLine``: `exec "${SHELL:-/bin/sh}"
    /// -c '<process-group.sh>' exe-cli-run PID_FILE COMMAND_LINE`. The
    /// login shell `exec`s itself with the wrapper, which keeps its pid (the
    /// session's process group), records it, `eval`s the command line and
    /// removes the pid file on exit.
    var wrapped: String {
        Self.wrapperScript.command(pidFile, commandLine).replacingShell().commandLine
    }

    /// Sends SIGINT to the group, SIGKILL after `graceSeconds` if it still
    /// runs, and removes the pid file.
    func interruptScript(graceSeconds: Int) -> ShellCommand {
        Self.interruptScript.command(pidFile, String(graceSeconds * 10))
    }
}
