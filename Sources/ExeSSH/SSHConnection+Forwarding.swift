import Foundation

extension SSHConnection {
    /// Opens a `direct-tcpip` channel: the server connects to `host`:`port`
    /// (as seen from the server, so `127.0.0.1` is the server itself), the
    /// bytes of `input` go there, and what comes back arrives as
    /// ``CommandOutputEvent/stdout(_:)`` chunks, then an exit event when the
    /// far end closes. The stream throws when the server refuses (nothing
    /// listens there, or forwarding is disabled). `opened` is called once
    /// the channel is open, that is once the server's connection succeeded.
    ///
    /// Not available on a relayed connection (the stream throws).
    public func forward(
        toHost host: String, port: Int, input: CommandInput, opened: (@Sendable () -> Void)? = nil
    ) -> AsyncThrowingStream<CommandOutputEvent, any Error> {
        if relay != nil {
            return AsyncThrowingStream { $0.finish(throwing: SSHError(.channelFailure, "port forwarding needs a direct connection to \(destination.host), not a relayed one")) }
        }
        let loop = self.loop
        let sink = StreamingSink(wake: { loop.wake() })
        let pump = InputPump(input, wake: { loop.wake() })
        let operation = ExecOperation(forwardingTo: host, port: port, input: pump, sink: sink, opened: opened)
        return streaming(operation, sink: sink)
    }

    /// Opens a `direct-tcpip` channel to `host`:`port` and closes it again:
    /// succeeds when the server could connect there, throws the server's
    /// refusal otherwise.
    public func probeForward(toHost host: String, port: Int, timeout: Duration = .seconds(30)) async throws {
        let opened = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        let stream = forward(toHost: host, port: port, input: CommandInput(source: .stream({
            // Nothing is sent: the probe only needs the channel to open.
            for await _ in release.stream {}
            return nil
        })), opened: { opened.continuation.yield(()) })
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for try await _ in stream {}
                return false
            }
            group.addTask {
                for await _ in opened.stream { return true }
                return false
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw SSHError(.timeout, "opening a forwarded connection to port \(port) through \(self.destination.host) took longer than \(timeout)")
            }
            defer {
                opened.continuation.finish()
                release.continuation.finish()
                group.cancelAll()
            }
            while let result = try await group.next() {
                if result { return }
            }
            throw SSHError(.channelFailure, "the forwarded connection to port \(port) through \(destination.host) closed at once")
        }
    }
}
