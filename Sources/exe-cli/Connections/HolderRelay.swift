import ExeSSH
import ExeSystem
import Foundation
import Synchronization

/// Runs an ``SSHConnection``'s commands on the connection holder (see
/// ``ConnectionHolder``): each command is one socket to the holder, which
/// opens a channel on its held connection and streams stdin, stdout,
/// stderr, window changes and the exit status through ``HolderFrame``s.
///
/// When the holder stops answering between commands, the command runs on a
/// direct connection opened here instead, silently (`-v` says so).
final class HolderRelay: SSHChannelRelay, @unchecked Sendable {
    let client: HolderClient
    let key: HolderKey
    let destination: SSHDestination
    let configuration: SSHClientConfiguration
    private let direct = DirectConnection()

    init(client: HolderClient, destination: SSHDestination, configuration: SSHClientConfiguration) {
        self.client = client
        self.destination = destination
        self.configuration = configuration
        key = HolderKey(destination: destination, configuration: configuration)
    }

    func open(_ request: RelayedChannelRequest, input: CommandInputReader) -> RelayedChannel {
        let fd: Int32
        do {
            fd = try client.connect()
        } catch {
            client.log("connection holder unavailable (\(error)); connecting directly")
            return openDirectly(request, input: input)
        }
        let descriptor = SharedDescriptor(fd, users: 1)
        let writer = HolderFrameWriter(fd: fd)
        let output = ThreadToAsyncQueue<CommandOutputEvent>(capacity: 16, onConsumerGone: { descriptor.shutdownBoth() })
        do {
            try writer.write(HolderFrame(.open, json: HolderOpenRequest(key: key, request: request)))
        } catch {
            descriptor.release()
            client.log("connection holder did not take the command (\(error)); connecting directly")
            return openDirectly(request, input: input)
        }
        let warn = configuration.warningHandler
        let destination = destination
        let reader = Thread {
            defer { descriptor.release() }
            while true {
                let frame: HolderFrame?
                do { frame = try HolderFrame.read(from: fd) } catch { frame = nil }
                guard let frame else {
                    output.finish(throwing: SSHError(.disconnected, "the connection to \(destination) was lost (the connection holder ended)"))
                    descriptor.shutdownBoth()
                    return
                }
                switch frame.kind {
                case .stdout: guard output.put(.stdout(frame.payload)) else { return }
                case .stderr: guard output.put(.stderr(frame.payload)) else { return }
                case .warning: warn(String(decoding: frame.payload, as: UTF8.self))
                case .exit:
                    let status = (try? frame.decode(HolderExit.self).status) ?? .closedWithoutStatus
                    output.put(.exit(status))
                    output.finish()
                    descriptor.shutdownBoth()
                    return
                case .failure:
                    let error = (try? frame.decode(HolderFailure.self).error) ?? SSHError(.protocol, "the connection holder sent a bad failure")
                    output.finish(throwing: error)
                    descriptor.shutdownBoth()
                    return
                default: break
                }
            }
        }
        reader.start()
        if request.hasInput {
            descriptor.retain()
            let stdin = Thread {
                defer { descriptor.release() }
                let awaiter = ThreadAwaiter()
                while true {
                    switch awaiter.await({ try await input.next() }) {
                    case .success(let chunk?):
                        guard (try? writer.write(.stdin, chunked: chunk)) != nil else { return }
                    case .success(nil), .failure:
                        try? writer.write(HolderFrame(.stdinEnd))
                        return
                    }
                }
            }
            stdin.start()
        }
        return RelayedChannel(events: output.stream) { width, height in
            try? writer.write(HolderFrame(.resize, json: HolderWindowSize(width: width, height: height)))
        }
    }

    /// The command on a direct connection (the holder is gone).
    private func openDirectly(_ request: RelayedChannelRequest, input: CommandInputReader) -> RelayedChannel {
        let direct = self.direct
        let destination = destination
        let configuration = configuration
        let stdin: CommandInput = request.hasInput
            ? .sequence(AsyncThrowingStream(unfolding: { try await input.next() }))
            : .none
        let shell = ShellSlot()
        let events = AsyncThrowingStream<CommandOutputEvent, any Error> { continuation in
            let task = Task {
                do {
                    let connection = try await direct.connection(to: destination, configuration: configuration)
                    let stream: AsyncThrowingStream<CommandOutputEvent, any Error>
                    if let terminal = request.terminal {
                        let started = connection.shell(terminal: terminal, input: stdin, command: request.kind == .shell ? nil : request.command)
                        shell.current = started
                        stream = started.output
                    } else {
                        stream = connection.stream(request.command, stdin: stdin, timeout: request.timeout)
                    }
                    for try await event in stream { continuation.yield(event) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return RelayedChannel(events: events) { width, height in shell.current?.resize(width: width, height: height) }
    }

    func fileConnection() async throws -> SSHConnection {
        try await direct.connection(to: destination, configuration: configuration)
    }

    func close() async { await direct.close() }
}

/// The direct connection a relay opens for file transfers, or when the
/// holder is gone: at most one, opened on first use.
actor DirectConnection {
    private var connection: Task<SSHConnection, any Error>?

    func connection(to destination: SSHDestination, configuration: SSHClientConfiguration) async throws -> SSHConnection {
        if let connection, let value = try? await connection.value, value.isAlive { return value }
        let task = Task { try await SSHConnection.connect(to: destination, configuration: configuration) }
        connection = task
        return try await task.value
    }

    func close() async {
        if let connection, let value = try? await connection.value { await value.close() }
        connection = nil
    }
}
