import Foundation
import ExeSystem

extension ControlSession {
    /// `ssh [-l user] [user@]VM COMMAND...` in the lobby
    /// (`handleSSHCommand`): runs the words after the VM name, joined with
    /// spaces, in the VM (through its forced command, as an SSH session
    /// would), output passed through. Like the server, the command's exit
    /// status is not the lobby's: a command that ran exits 0. Over HTTPS,
    /// `/exec` streams `ssh` itself (``VMCommandOverHTTP``).
    func sshToVM() throws {
        guard request.transport == .ssh else { throw CommandFailure("ssh command requires an SSH session") }
        let target: (vm: String, commandLine: String)
        switch VMCommandOverHTTP.parse(arguments) {
        case .failure(let failure): throw failure
        case .success(let parsed): target = parsed
        }
        guard let vm = try store.snapshot().vm(named: target.vm) else {
            throw CommandFailure("VM \(GoFlagParser.goQuote(target.vm)) not found")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["SSH_ORIGINAL_COMMAND"] = target.commandLine
        let child = try ChildProcess.spawn(
            configuration.executable, ["vm-exec", "--state", configuration.stateDirectory, "--vm", vm.id],
            environment: environment, stdin: .null, stdout: .inherit, stderr: .inherit)
        _ = child.waitBlocking()
    }
}
