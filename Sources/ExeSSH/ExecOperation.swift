internal import CLibSSH2
import Foundation
import Synchronization

/// Receives what a remote command produces. Called on the loop thread.
protocol ExecSink: AnyObject {
    /// Whether more output may be read now (back-pressure for streaming).
    var hasRoom: Bool { get }
    func receive(_ bytes: UnsafeRawBufferPointer, isStandardError: Bool)
    func finish(_ status: RemoteExitStatus)
    func fail(_ error: SSHError)
}

/// The stdin side of an exec: chunks pulled by the loop thread, filled by
/// a task that reads the caller's source.
final class InputPump: @unchecked Sendable {
    private let buffer = PumpBuffer(limit: 4 << 20)
    private var task: Task<Void, Never>?

    init(_ input: CommandInput, wake: @escaping @Sendable () -> Void) {
        switch input.source {
        case .none:
            buffer.finish(nil)
        case .data(let data):
            if !data.isEmpty { buffer.append(data) }
            buffer.finish(nil)
        case .stream(let next):
            task = Task { [buffer] in
                do {
                    while let chunk = try await next() {
                        if chunk.isEmpty { continue }
                        await buffer.waitForRoom()
                        if Task.isCancelled || buffer.isCancelled { break }
                        buffer.append(chunk)
                        wake()
                    }
                    buffer.finish(nil)
                } catch {
                    buffer.finish(error)
                }
                wake()
            }
        }
    }

    /// The next chunk to write, `.end` when the input is exhausted, or
    /// `.later` when the producer has not caught up.
    enum Next { case chunk(Data), end, later }

    func next() -> Next { buffer.take() }

    /// The command no longer reads its input: stops the producer and drops
    /// what is buffered (a producer waiting for room would otherwise wait,
    /// holding up to the limit, for ever).
    func cancel() {
        task?.cancel()
        buffer.cancel()
    }
}

/// The chunks between the input task and the loop, at most `limit` bytes.
private final class PumpBuffer: @unchecked Sendable {
    private struct State {
        var chunks: [Data] = []
        var buffered = 0
        var finished = false
        var failure: (any Error)?
        var cancelled = false
        var roomWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Drops the buffered chunks and releases a producer waiting for room;
    /// later chunks are dropped.
    func cancel() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.cancelled = true
            state.chunks.removeAll()
            state.buffered = 0
            defer { state.roomWaiters.removeAll() }
            return state.roomWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func append(_ chunk: Data) {
        state.withLock {
            guard !$0.cancelled else { return }
            $0.chunks.append(chunk)
            $0.buffered += chunk.count
        }
    }

    func finish(_ error: (any Error)?) {
        state.withLock {
            $0.finished = true
            $0.failure = error
        }
    }

    func waitForRoom() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.buffered < limit || state.cancelled { return true }
                state.roomWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func take() -> InputPump.Next {
        let (next, waiters) = state.withLock { state -> (InputPump.Next, [CheckedContinuation<Void, Never>]) in
            if !state.chunks.isEmpty {
                let chunk = state.chunks.removeFirst()
                state.buffered -= chunk.count
                var waiters: [CheckedContinuation<Void, Never>] = []
                if state.buffered < limit {
                    waiters = state.roomWaiters
                    state.roomWaiters.removeAll()
                }
                return (.chunk(chunk), waiters)
            }
            return (state.finished ? .end : .later, [])
        }
        for waiter in waiters { waiter.resume() }
        return next
    }
}

/// A terminal to allocate for an interactive session.
public struct PseudoTerminal: Sendable {
    /// The `TERM` value, e.g. `xterm-256color`.
    public var term: String
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int

    /// Creates a terminal request.
    public init(term: String, width: Int, height: Int) {
        self.term = term
        self.width = width
        self.height = height
    }
}

/// One remote command on its own channel, driven as a state machine by the
/// loop: open the channel, start the command, pump stdin while draining
/// stdout and stderr together, then close and collect the exit status.
///
/// Every libssh2 call that returns EAGAIN is repeated, with the same
/// arguments, on the next turn; ``resumeStep`` remembers which call it was
/// so a blocked write is retried before any read.
final class ExecOperation: LoopOperation, @unchecked Sendable {
    private enum Stage { case opening, requestingTerminal, starting, running, closing, waitingClosed, freeing, done }
    private enum RunStep: Int { case write = 0, sendEOF, readStdout, readStderr }

    let usesChannel: Bool
    let deadline: Deadline?
    private let command: ContiguousArray<CChar>
    private let requestKind: RequestKind
    private let terminal: PseudoTerminal?
    private let sink: any ExecSink
    private let input: InputPump
    private var stage = Stage.opening
    private var channel: OpaquePointer?
    private var resumeStep = RunStep.write
    private var pending: Data?
    private var pendingOffset = 0
    private var inputDone = false
    private var eofSent = false
    private var abandoned = false
    private var reported = false
    /// The last call left a half-sent packet; it must be repeated before the
    /// operation may turn to anything else (such as closing when abandoned).
    private var resumingBlockedCall = false
    /// Whether the request that starts the command (exec or shell) has been
    /// handed to libssh2. Until then, failing the operation cannot have run
    /// anything on the server, so it is safe to retry elsewhere.
    private var startRequested = false
    /// Whether ``channel`` is a spare the loop opened ahead of need; if the
    /// server refuses to start the command on it (it closed it meanwhile),
    /// the operation opens a channel of its own once.
    private var onSpareChannel = false
    /// A spare refused the request once: the retry opens a channel of its
    /// own, never another spare (a server that refuses every pty-req or
    /// exec would otherwise churn spares for ever).
    private var spareRefused = false
    private var terminalResize: (Int, Int)?
    private let resizeLock = Mutex<(Int, Int)?>(nil)

    /// `exec` a command, start the login `shell`, or open a `direct-tcpip`
    /// channel to the host and port the server connects to (``command`` is
    /// then the host, ``forwardPort`` the port).
    enum RequestKind { case exec, shell, directTCPIP }

    /// The port of a ``RequestKind/directTCPIP`` channel.
    private var forwardPort: Int32 = 0
    /// Called on the loop thread once a ``RequestKind/directTCPIP`` channel
    /// is open (the server connected to the target).
    private var onOpen: (@Sendable () -> Void)?

    /// A `direct-tcpip` channel: the server connects to `host`:`port`; the
    /// input goes there and what comes back is the output (as stdout). It
    /// takes no channel slot: OpenSSH's `MaxSessions` counts session
    /// channels only, and a browser behind a tunnel keeps more than ten
    /// connections open.
    convenience init(forwardingTo host: String, port: Int, input: InputPump, sink: any ExecSink, opened: (@Sendable () -> Void)?) {
        self.init(command: host, kind: .directTCPIP, input: input, sink: sink, timeout: nil, usesChannel: false)
        forwardPort = Int32(port)
        onOpen = opened
    }

    /// A channel the server opened (`forwarded-tcpip`, accepted from a
    /// remote port forward's listener): it is open already, so the
    /// operation starts relaying at once. It takes no channel slot
    /// (OpenSSH's `MaxSessions` counts session channels only).
    convenience init(accepted channel: OpaquePointer, input: InputPump, sink: any ExecSink) {
        self.init(command: "", kind: .directTCPIP, input: input, sink: sink, timeout: nil, usesChannel: false)
        self.channel = channel
        startRequested = true
        stage = .running
    }

    init(
        command: String, kind: RequestKind = .exec, terminal: PseudoTerminal? = nil, input: InputPump, sink: any ExecSink, timeout: Duration?,
        usesChannel: Bool = true
    ) {
        self.usesChannel = usesChannel
        self.command = ContiguousArray(command.utf8CString)
        self.requestKind = kind
        self.terminal = terminal
        self.input = input
        self.sink = sink
        self.deadline = timeout.map(Deadline.after)
    }

    /// Asks for a new terminal size (interactive sessions).
    func resize(width: Int, height: Int) { resizeLock.withLock { $0 = (width, height) } }

    func abandon(_ error: SSHError) {
        guard !abandoned else { return }
        abandoned = true
        report { $0.fail(error) }
        input.cancel()
    }

    func connectionLost(_ error: SSHError) {
        abandoned = true
        report { $0.fail(annotated(error)) }
        input.cancel()
        channel = nil
        stage = .done
    }

    /// Marks a lost connection as harmless to retry when the command was
    /// never sent to the server.
    private func annotated(_ error: SSHError) -> SSHError {
        var error = error
        if error.kind == .disconnected, !startRequested { error.commandNeverStarted = true }
        return error
    }

    private func report(_ body: (any ExecSink) -> Void) {
        guard !reported else { return }
        reported = true
        body(sink)
    }

    func advance(_ loop: SessionLoop) -> OperationProgress {
        let progress = step(loop)
        resumingBlockedCall = progress == .blockedOutbound
        return progress
    }

    private func step(_ loop: SessionLoop) -> OperationProgress {
        guard let session = loop.session else { return .finished }
        // An abandoned operation winds down only once its half-sent call is out.
        let abandoned = self.abandoned && !resumingBlockedCall
        switch stage {
        case .opening:
            if requestKind != .directTCPIP, !abandoned, !spareRefused, let spare = loop.takeSpareChannel() {
                channel = spare
                onSpareChannel = true
                stage = terminal == nil ? .starting : .requestingTerminal
                return .progressed
            }
            let me = ObjectIdentifier(self)
            if abandoned && !loop.turns.isHeld(.channelOpen, by: me) { return .finished }
            guard loop.turns.take(.channelOpen, for: me) else { return .waitingForSocket }
            let forwarding = requestKind == .directTCPIP
            let attempt: OpaquePointer?
            if forwarding {
                attempt = command.withUnsafeBufferPointer { libssh2_channel_direct_tcpip_ex(session, $0.baseAddress, forwardPort, "127.0.0.1", 0) }
            } else {
                attempt = exe_channel_open_session(session)
            }
            guard let opened = attempt else {
                let code = libssh2_session_last_errno(session)
                if code == LIBSSH2_ERROR_EAGAIN { return waiting(loop) }
                loop.turns.release(.channelOpen, from: me)
                // A refused direct-tcpip channel means the server could not
                // (or may not) connect there: not a session limit to wait out.
                if code == LIBSSH2_ERROR_CHANNEL_FAILURE && !abandoned && !forwarding { return .channelRefused }
                let target = forwarding ? "a forwarded connection to port \(forwardPort) through \(loop.destination)" : "a channel to \(loop.destination)"
                fail(loop.error(code, "opening \(target)"))
                return .finished
            }
            loop.turns.release(.channelOpen, from: me)
            channel = opened
            if abandoned {
                stage = .closing
                return .progressed
            }
            if forwarding {
                startRequested = true
                stage = .running
                onOpen?()
                return .progressed
            }
            stage = terminal == nil ? .starting : .requestingTerminal
            return .progressed
        case .requestingTerminal:
            guard let channel, let terminal else { stage = .starting; return .progressed }
            let me = ObjectIdentifier(self)
            if abandoned && !loop.turns.isHeld(.channelRequest, by: me) { stage = .closing; return .progressed }
            guard loop.turns.take(.channelRequest, for: me) else { return .waitingForSocket }
            let rc = terminal.term.withCString { exe_channel_request_pty(channel, $0, Int32(terminal.width), Int32(terminal.height)) }
            if rc == LIBSSH2_ERROR_EAGAIN { return waiting(loop) }
            loop.turns.release(.channelRequest, from: me)
            if rc != 0, retryAfterDeadSpare(rc, loop) { return .progressed }
            if rc != 0 {
                fail(loop.error(rc, "requesting a terminal"))
                stage = .closing
                return .progressed
            }
            stage = .starting
            return .progressed
        case .starting:
            guard let channel else { return .finished }
            let me = ObjectIdentifier(self)
            if abandoned && !loop.turns.isHeld(.channelRequest, by: me) { stage = .closing; return .progressed }
            guard requestKind == .directTCPIP || loop.turns.take(.channelRequest, for: me) else { return .waitingForSocket }
            startRequested = true
            let rc: Int32
            switch requestKind {
            case .exec:
                rc = command.withUnsafeBufferPointer { exe_channel_exec(channel, $0.baseAddress, UInt32($0.count - 1)) }
            case .shell:
                rc = exe_channel_shell(channel)
            case .directTCPIP:
                rc = 0
            }
            if rc == LIBSSH2_ERROR_EAGAIN { return waiting(loop) }
            loop.turns.release(.channelRequest, from: me)
            if rc != 0, retryAfterDeadSpare(rc, loop) { return .progressed }
            if rc != 0 {
                fail(loop.error(rc, "starting the command on \(loop.destination)"))
                stage = .closing
                return .progressed
            }
            stage = .running
            return .progressed
        case .running:
            return run(loop)
        case .closing:
            guard let channel else { return .finished }
            let rc = libssh2_channel_close(channel)
            if rc == LIBSSH2_ERROR_EAGAIN { return waiting(loop) }
            if rc != 0, LibSSH2.isConnectionFatal(rc) {
                fail(loop.error(rc, "closing the channel"))
                return .finished
            }
            stage = .waitingClosed
            return .progressed
        case .waitingClosed:
            guard let channel else { return .finished }
            let rc = libssh2_channel_wait_closed(channel)
            if rc == LIBSSH2_ERROR_EAGAIN { return waiting(loop) }
            if rc != 0, LibSSH2.isConnectionFatal(rc) {
                fail(loop.error(rc, "closing the channel"))
                return .finished
            }
            let status = exitStatus(channel, session: session)
            report { $0.finish(status) }
            input.cancel()  // what the command did not read is not needed
            stage = .freeing
            return .progressed
        case .freeing:
            guard let channel else { return .finished }
            let rc = libssh2_channel_free(channel)
            if rc == LIBSSH2_ERROR_EAGAIN { return waiting(loop) }
            self.channel = nil
            stage = .done
            return .finished
        case .done:
            return .finished
        }
    }

    /// A request refused on a spare channel: retire it and open a channel
    /// of this operation's own (once). Not for a dead connection.
    private func retryAfterDeadSpare(_ rc: Int32, _ loop: SessionLoop) -> Bool {
        guard onSpareChannel, !LibSSH2.isConnectionFatal(rc), let channel else { return false }
        onSpareChannel = false
        spareRefused = true
        startRequested = false
        loop.retire(channel)
        self.channel = nil
        stage = .opening
        return true
    }

    private func fail(_ error: SSHError) {
        report { $0.fail(annotated(error)) }
        input.cancel()
    }

    private func waiting(_ loop: SessionLoop) -> OperationProgress {
        loop.blockedOutbound() ? .blockedOutbound : .waitingForSocket
    }

    private func run(_ loop: SessionLoop) -> OperationProgress {
        guard let channel else { return .finished }
        if abandoned && !resumingBlockedCall {
            stage = .closing
            return .progressed
        }
        var progressed = false
        var waitsForSocket = false
        var step = resumeStep
        for _ in 0..<4 {
            switch step {
            case .write:
                if let size = resizeLock.withLock({ value -> (Int, Int)? in defer { value = nil }; return value }) {
                    terminalResize = size
                }
                if let (width, height) = terminalResize {
                    let rc = exe_channel_pty_size(channel, Int32(width), Int32(height))
                    if rc == LIBSSH2_ERROR_EAGAIN {
                        if loop.blockedOutbound() { resumeStep = .write; return .blockedOutbound }
                    } else {
                        terminalResize = nil
                    }
                }
                while !inputDone {
                    if pending == nil {
                        switch input.next() {
                        case .chunk(let chunk): pending = chunk; pendingOffset = 0
                        case .end: inputDone = true
                        case .later: break
                        }
                    }
                    guard let data = pending else { break }
                    let written = data.withUnsafeBytes { bytes -> Int in
                        let base = bytes.baseAddress!.assumingMemoryBound(to: CChar.self) + pendingOffset
                        return exe_channel_write(channel, base, min(bytes.count - pendingOffset, 256 * 1024))
                    }
                    if written > 0 {
                        pendingOffset += written
                        if pendingOffset >= data.count { pending = nil }
                        progressed = true
                        continue
                    }
                    if written == Int(LIBSSH2_ERROR_EAGAIN) {
                        if loop.blockedOutbound() { resumeStep = .write; return .blockedOutbound }
                        waitsForSocket = true  // the server's window is full
                        break
                    }
                    if LibSSH2.isConnectionFatal(Int32(written)) {
                        fail(loop.error(Int32(written), "writing to the command's stdin"))
                        return .finished
                    }
                    // The command closed its stdin (exited early): drop the rest.
                    pending = nil
                    inputDone = true
                    eofSent = true
                    input.cancel()
                }
            case .sendEOF:
                if inputDone && !eofSent {
                    let rc = libssh2_channel_send_eof(channel)
                    if rc == LIBSSH2_ERROR_EAGAIN {
                        if loop.blockedOutbound() { resumeStep = .sendEOF; return .blockedOutbound }
                        waitsForSocket = true
                    } else {
                        eofSent = true
                        progressed = true
                    }
                }
            case .readStdout, .readStderr:
                let stream: Int32 = step == .readStdout ? 0 : SSH_EXTENDED_DATA_STDERR
                var reads = 0
                while sink.hasRoom && reads < 16 {
                    let count = exe_channel_read(channel, stream, loop.readBuffer, loop.readBufferSize)
                    if count > 0 {
                        sink.receive(UnsafeRawBufferPointer(start: loop.readBuffer, count: count), isStandardError: stream != 0)
                        progressed = true
                        reads += 1
                        continue
                    }
                    if count == Int(LIBSSH2_ERROR_EAGAIN) {
                        if loop.blockedOutbound() { resumeStep = step; return .blockedOutbound }
                        waitsForSocket = true
                    } else if count < 0 {
                        fail(loop.error(Int32(count), "reading the command's output"))
                        if LibSSH2.isConnectionFatal(Int32(count)) { return .finished }
                        stage = .closing
                        return .progressed
                    }
                    break
                }
            }
            step = RunStep(rawValue: (step.rawValue + 1) % 4)!
        }
        resumeStep = .write
        if libssh2_channel_eof(channel) != 0 {
            stage = .closing
            return .progressed
        }
        if progressed { return .progressed }
        if !sink.hasRoom || (!inputDone && pending == nil && !waitsForSocket) {
            return waitsForSocket ? .waitingForSocket : .waitingForWake
        }
        return .waitingForSocket
    }

    private func exitStatus(_ channel: OpaquePointer, session: OpaquePointer) -> RemoteExitStatus {
        var signal: UnsafeMutablePointer<CChar>?
        var signalLength = 0
        if libssh2_channel_get_exit_signal(channel, &signal, &signalLength, nil, nil, nil, nil) == 0, let signal {
            let name = String(cString: signal)
            libssh2_free(session, signal)
            if !name.isEmpty { return .signaled(name, coreDumped: false) }
        }
        return .exited(libssh2_channel_get_exit_status(channel))
    }
}
