public import Foundation
import CExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One run of an external program: what to run and how.
///
/// Secrets go to the child through ``standardInput`` or ``environment``,
/// never through ``arguments``: argv is visible to every user in `ps`.
public struct ProcessInvocation: Sendable {
    /// A program name looked up on `PATH`, or a path.
    public var executable: String
    /// The arguments, without the program name.
    public var arguments: [String]
    /// Extra environment variables, added to (and overriding) the inherited ones.
    public var environment: [String: String]
    /// The working directory; the current one when `nil`.
    public var workingDirectory: String?
    /// Bytes written to the child's stdin, which is then closed.
    public var standardInput: Data?
    /// How long the program may run before it is terminated.
    public var timeout: Duration?

    /// Creates an invocation.
    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String] = [:],
        workingDirectory: String? = nil, standardInput: Data? = nil, timeout: Duration? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.standardInput = standardInput
        self.timeout = timeout
    }

    /// The command line for messages: the program and its arguments, quoted.
    public var displayCommand: String { ShellQuote.command([executable] + arguments) }
}

/// What a finished program left behind.
public struct ProcessOutput: Sendable {
    /// The exit status, or 128 + the signal number when a signal ended it.
    public var status: Int32
    /// Everything the program wrote to stdout.
    public var standardOutput: Data
    /// Everything the program wrote to stderr.
    public var standardError: Data

    /// Creates an output record.
    public init(status: Int32, standardOutput: Data, standardError: Data) {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// stdout decoded as UTF-8 (invalid bytes replaced).
    public var stdout: String { String(decoding: standardOutput, as: UTF8.self) }
    /// stderr decoded as UTF-8 (invalid bytes replaced).
    public var stderr: String { String(decoding: standardError, as: UTF8.self) }
}

/// Runs external programs. Injected wherever a module shells out, so tests
/// can record or replace the calls.
public protocol ProcessRunner: Sendable {
    /// Runs `invocation` to completion and returns its output, whatever its
    /// exit status.
    ///
    /// - Throws: ``ProcessRunnerError`` when the program cannot be started or
    ///   runs past its timeout.
    func run(_ invocation: ProcessInvocation) async throws -> ProcessOutput
}

extension ProcessRunner {
    /// Runs `invocation` and throws unless it exits with status 0.
    @discardableResult
    public func check(_ invocation: ProcessInvocation) async throws -> ProcessOutput {
        let output = try await run(invocation)
        guard output.status == 0 else {
            throw ProcessRunnerError.failed(command: invocation.displayCommand, output: output)
        }
        return output
    }
}

/// Why an external program did not produce a usable result.
public enum ProcessRunnerError: Error, CustomStringConvertible, Sendable {
    /// The program could not be started.
    case launchFailed(command: String, reason: String)
    /// The program ran past its deadline and was terminated.
    case timedOut(command: String, after: Duration)
    /// The program exited with a non-zero status.
    case failed(command: String, output: ProcessOutput)

    public var description: String {
        switch self {
        case .launchFailed(let command, let reason): return "cannot run \(command): \(reason)"
        case .timedOut(let command, let after): return "\(command) did not finish within \(after)"
        case .failed(let command, let output):
            let detail = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            let tail = detail.split(separator: "\n").suffix(5).joined(separator: "\n")
            return "\(command) exited with status \(output.status)" + (tail.isEmpty ? "" : ": \(tail)")
        }
    }
}

/// Runs programs as child processes of this one (`posix_spawn`), reading
/// stdout and stderr together on a dedicated thread so neither pipe can
/// fill up and stall the child.
public struct LocalProcessRunner: ProcessRunner {
    /// Creates a runner.
    public init() {}

    public func run(_ invocation: ProcessInvocation) async throws -> ProcessOutput {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try Self.runBlocking(invocation) })
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard exe_pipe_cloexec(&fds) == 0 else {
            throw ProcessRunnerError.launchFailed(command: "pipe", reason: String(cString: strerror(errno)))
        }
        return (fds[0], fds[1])
    }

    private static func runBlocking(_ invocation: ProcessInvocation) throws -> ProcessOutput {
        let output = try makePipe()
        let errors = try makePipe()
        let input = invocation.standardInput == nil ? nil : try makePipe()
        var environment = ProcessInfo.processInfo.environment
        environment.merge(invocation.environment) { _, new in new }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                invocation.executable, invocation.arguments, environment: environment,
                workingDirectory: invocation.workingDirectory,
                stdin: input.map { .descriptor($0.read) } ?? .null,
                stdout: .descriptor(output.write), stderr: .descriptor(errors.write))
        } catch {
            for fd in [output.read, output.write, errors.read, errors.write] { close(fd) }
            if let input { close(input.read); close(input.write) }
            throw ProcessRunnerError.launchFailed(command: invocation.displayCommand, reason: "\(error)")
        }
        close(output.write)
        close(errors.write)
        if let input, let data = invocation.standardInput {
            close(input.read)
            let writer = Thread {
                // A child that exits without reading its stdin must not kill
                // this process: SIGPIPE raised by a write is sent to the
                // writing thread, where it stays blocked (write fails with EPIPE).
                var pipeSignal = sigset_t()
                sigemptyset(&pipeSignal)
                sigaddset(&pipeSignal, SIGPIPE)
                pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
                data.withUnsafeBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let written = write(input.write, bytes.baseAddress! + offset, bytes.count - offset)
                        if written < 0 { if errno == EINTR { continue } else { break } }
                        offset += written
                    }
                }
                close(input.write)
            }
            writer.start()
        }
        let deadline = invocation.timeout.map { ContinuousClock.now + $0 }
        var stdout = Data()
        var stderr = Data()
        var open: [Int32: Bool] = [output.read: true, errors.read: true]
        var timedOut = false
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 65536)
        defer { buffer.deallocate() }
        while open.values.contains(true) {
            var fds = open.filter(\.value).map { pollfd(fd: $0.key, events: Int16(POLLIN), revents: 0) }
            var wait: Int32 = 1000
            if let deadline {
                let remaining = deadline - ContinuousClock.now
                if remaining <= .zero {
                    timedOut = true
                    child.terminate(grace: .seconds(2))
                    break
                }
                wait = remaining.pollTimeout(cap: 1000)
            }
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0, errno != EINTR { break }
            for descriptor in fds where descriptor.revents != 0 {
                let count = read(descriptor.fd, buffer, 65536)
                if count > 0 {
                    if descriptor.fd == output.read { stdout.append(buffer, count: count) } else { stderr.append(buffer, count: count) }
                } else if count == 0 || (count < 0 && errno != EINTR && errno != EAGAIN) {
                    open[descriptor.fd] = false
                }
            }
        }
        close(output.read)
        close(errors.read)
        let status = child.waitBlocking()
        if timedOut, let timeout = invocation.timeout {
            throw ProcessRunnerError.timedOut(command: invocation.displayCommand, after: timeout)
        }
        return ProcessOutput(status: status, standardOutput: stdout, standardError: stderr)
    }
}
