import CExeSim
import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `POST /exec` with `ssh VM COMMAND` (https-api-run-on-vm.md): the
/// command runs in the VM (through the VM's forced command, `vm-exec`, as
/// an SSH session would), and the response streams its stdout and stderr
/// merged, chunked, with the exit status in the trailer `X-Exe-Exit`.
struct VMCommandOverHTTP: Sendable {
    /// The longest a command may run (the server sets none for `ssh`; the
    /// simulator bounds every wait).
    static let deadline: Duration = .seconds(3600)

    let configuration: SimConfiguration
    let vmID: String
    /// The line the VM's shell runs: the words after the VM name joined
    /// with spaces, as `handleSSHCommand` joins them.
    let commandLine: String

    /// What the lobby's `ssh` makes of its arguments: the VM and the command
    /// line, or the error it prints.
    static func parse(_ arguments: [String]) -> Result<(vm: String, commandLine: String), CommandFailure> {
        let usage = CommandFailure("usage: ssh [-l user] [user@]vmname [command...]")
        var args = arguments[...]
        while let first = args.first {
            if first == "-l" {
                guard args.count >= 2 else { return .failure(usage) }
                args = args.dropFirst(2)
            } else if first.hasPrefix("-l") {
                args = args.dropFirst()
            } else {
                break
            }
        }
        guard var name = args.first else { return .failure(usage) }
        if name.hasPrefix("@") { return .failure(usage) }
        if let at = name.firstIndex(of: "@") {
            let lhs = String(name[..<at])
            let rhs = String(name[name.index(after: at)...])
            if rhs.hasSuffix(".exe.xyz") {
                if lhs.isEmpty { return .failure(usage) }
                name = rhs
            } else if rhs == "exe.xyz" {
                name = lhs
            } else {
                if lhs.isEmpty { return .failure(usage) }
                name = rhs
            }
        }
        if name.hasSuffix(".exe.xyz") { name = String(name.dropLast(".exe.xyz".count)) }
        let command = args.dropFirst()
        guard !command.isEmpty else {
            return .failure(
                CommandFailure("interactive `ssh <vm>` requires a PTY; re-run with `ssh -t` or supply a command to run non-interactively"))
        }
        return .success((name, command.joined(separator: " ")))
    }

    /// Marks both ends of a pipe close-on-exec (children get them only through dup2).
    static func closeOnExec(_ ends: [Int32]) -> Bool {
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// Writes the streamed response to `client`.
    func serve(client: Int32) {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nX-Content-Type-Options: nosniff\r\n"
            + "Transfer-Encoding: chunked\r\nTrailer: X-Exe-Exit\r\nConnection: close\r\n\r\n"
        var clientOpen = LoopbackSocket.writeAll(client, Data(head.utf8))
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0, Self.closeOnExec(pipeEnds) else {
            _ = LoopbackSocket.writeAll(client, Data("0\r\nX-Exe-Exit: 255\r\n\r\n".utf8))
            return
        }
        var environment = ProcessInfo.processInfo.environment
        environment["SSH_ORIGINAL_COMMAND"] = commandLine
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                configuration.executable, ["vm-exec", "--state", configuration.stateDirectory, "--vm", vmID],
                environment: environment, stdin: .null, stdout: .descriptor(pipeEnds[1]), stderr: .descriptor(pipeEnds[1]))
        } catch {
            close(pipeEnds[0])
            close(pipeEnds[1])
            _ = LoopbackSocket.writeAll(client, Data("0\r\nX-Exe-Exit: 255\r\n\r\n".utf8))
            return
        }
        close(pipeEnds[1])
        let started = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        var descriptor = pollfd(fd: pipeEnds[0], events: Int16(POLLIN), revents: 0)
        while true {
            if started.duration(to: .now) > Self.deadline {
                child.terminate(grace: .seconds(1))
                break
            }
            descriptor.revents = 0
            let ready = poll(&descriptor, 1, 1000)
            if ready < 0, errno == EINTR { continue }
            if ready == 0 { continue }
            let got = read(pipeEnds[0], &buffer, buffer.count)
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { break }
            // Like the real API, a client that goes away does not stop the
            // command: its output is drained and dropped.
            if clientOpen {
                var chunk = Data(String(got, radix: 16).utf8) + Data("\r\n".utf8)
                chunk.append(contentsOf: buffer[0..<got])
                chunk.append(contentsOf: Array("\r\n".utf8))
                clientOpen = LoopbackSocket.writeAll(client, chunk)
            }
        }
        close(pipeEnds[0])
        let status = child.waitBlocking()
        if clientOpen { _ = LoopbackSocket.writeAll(client, Data("0\r\nX-Exe-Exit: \(status)\r\n\r\n".utf8)) }
    }
}
