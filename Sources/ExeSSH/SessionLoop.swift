internal import CLibSSH2
import Foundation
import ExeSystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What an operation did in one turn of the loop.
enum OperationProgress {
    /// The operation is done and leaves the loop.
    case finished
    /// It did something; turn the loop again before sleeping.
    case progressed
    /// It waits for bytes from the server.
    case waitingForSocket
    /// It waits for something outside the session (a consumer reading
    /// output, a producer writing input); that side wakes the loop.
    case waitingForWake
    /// A libssh2 call left a partly sent packet. Until the very same call
    /// completes, no other libssh2 call may be made on the session
    /// (libssh2 1.10 `send_existing` would return `LIBSSH2_ERROR_BAD_USE`).
    case blockedOutbound
    /// The server refused to open a channel (OpenSSH `MaxSessions`); retry
    /// once another channel closes.
    case channelRefused
}

/// Work that a ``SessionLoop`` advances on its thread: an exec, an SFTP
/// request. Implementations touch libssh2 only inside ``advance(_:)``.
protocol LoopOperation: AnyObject, Sendable {
    /// Whether the operation needs a channel slot of its own.
    var usesChannel: Bool { get }
    /// When the operation must be abandoned with a timeout error.
    var deadline: Deadline? { get }
    /// Advances the operation as far as it can go without blocking.
    func advance(_ loop: SessionLoop) -> OperationProgress
    /// Reports `error` to the caller at once; the operation then winds down
    /// (closing its channel) through further calls to ``advance(_:)``.
    func abandon(_ error: SSHError)
    /// The session is gone: report `error` and make no more libssh2 calls.
    func connectionLost(_ error: SSHError)
}

/// The single owner of one TCP socket and one `LIBSSH2_SESSION`.
///
/// libssh2 sessions are not thread-safe, and in non-blocking mode a call that
/// left outbound data pending must be repeated before any other call. So one
/// dedicated thread runs everything: it connects, authenticates, then turns a
/// `poll(2)` loop that advances every operation (many channels at once),
/// sends keepalives between operations, enforces deadlines and notices a
/// dead server. Other threads only post jobs and wake it through an eventfd.
final class SessionLoop: @unchecked Sendable {
    enum Job {
        case add(any LoopOperation)
        case abandon(ObjectIdentifier, SSHError)
        case shutdown
    }

    private struct Shared {
        var jobs: [Job] = []
        var isAlive = true
        var failure: SSHError?
        var load = 0
        var threadCPUTime: Duration?
    }

    let destination: SSHDestination
    let configuration: SSHClientConfiguration
    private let shared = Mutex(Shared())
    private let wakeDescriptor: Int32

    // Everything below is touched only by the loop thread.
    private(set) var session: OpaquePointer?
    private(set) var socketDescriptor: Int32 = -1
    private var active: [any LoopOperation] = []
    private var waitingForChannel: [any LoopOperation] = []
    private var outboundOwner: (any LoopOperation)? {
        didSet { if outboundOwner == nil { outboundStalledSince = nil } }
    }
    /// Since when the socket has had no room for the half-sent packet of
    /// ``outboundOwner`` (reset each time `poll` reports room).
    private var outboundStalledSince: Deadline?
    /// How many channels may be open at once (lowered when the server
    /// refused one).
    private(set) var channelLimit: Int
    private var lastInbound = Deadline.now
    private var queuedInboundBytes: Int32 = 0
    private var nextKeepalive: Deadline?
    private var keepaliveProbing = false
    private var shuttingDown = false
    private var fatalError: SSHError?
    /// Who may wait for which kind of reply now (libssh2 allows one each).
    var turns = ReplyTurns()
    /// Session channels opened ahead of need (``SSHClientConfiguration/spareSessionChannels``).
    private var spareChannels: [OpaquePointer] = []
    /// Channel refusals an operation met while no other channel was open.
    private var refusalsWithNothingOpen: [ObjectIdentifier: Int] = [:]
    /// How often such a refusal is retried before it fails the operation.
    private static let refusalsToRetry = 5
    private var spareOpening = false
    private var spareTarget: Int
    /// A scratch buffer for channel reads, shared by all operations.
    let readBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 64 * 1024)
    let readBufferSize = 64 * 1024
    /// The SFTP subsystem, opened on first use.
    let sftp = SFTPSubsystem()
    /// Completed once the thread has freed the session and closed the socket.
    private let terminated = CompletionGate<Void>()

    init(destination: SSHDestination, configuration: SSHClientConfiguration) {
        _ = LibSSH2.isInitialized
        self.destination = destination
        self.configuration = configuration
        self.channelLimit = max(1, configuration.maxChannelsPerConnection)
        self.spareTarget = min(1, max(0, configuration.spareSessionChannels))
        self.wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    deinit {
        readBuffer.deallocate()
        close(wakeDescriptor)
    }

    // MARK: Starting

    /// Starts the thread, connects and authenticates; returns once the
    /// connection is usable or throws why it is not.
    func start() async throws {
        let result: Result<Void, SSHError> = await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                do {
                    try establish()
                    continuation.resume(returning: .success(()))
                } catch let error as SSHError {
                    teardown()
                    markDead(error)
                    terminated.complete(.success(()))
                    continuation.resume(returning: .failure(error))
                    return
                } catch {
                    teardown()
                    let wrapped = SSHError(.protocol, "\(error)")
                    markDead(wrapped)
                    terminated.complete(.success(()))
                    continuation.resume(returning: .failure(wrapped))
                    return
                }
                run()
                let used = ThreadCPUTime.now()
                shared.withLock { $0.threadCPUTime = used }
                terminated.complete(.success(()))
            }
            thread.name = "ExeSSH \(destination)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        try result.get()
    }

    func adopt(session: OpaquePointer, socket: Int32) {
        self.session = session
        self.socketDescriptor = socket
    }

    // MARK: Talking to the loop from other threads

    /// Whether the connection can still take work.
    var isAlive: Bool { shared.withLock { $0.isAlive } }

    /// How many operations are queued or running: the pool's load measure.
    var load: Int { shared.withLock { $0.load } }

    /// The error that ended the connection, if it ended.
    var failure: SSHError? { shared.withLock { $0.failure } }

    /// The CPU time the loop's thread used, once it has ended (`nil` while
    /// it runs): a loop that waits costs next to nothing.
    var threadCPUTime: Duration? { shared.withLock { $0.threadCPUTime } }

    /// Hands `operation` to the loop. Returns `false` (without queueing it)
    /// when the connection is already dead.
    @discardableResult
    func submit(_ operation: any LoopOperation) -> Bool {
        let accepted = shared.withLock { state -> Bool in
            guard state.isAlive else { return false }
            state.jobs.append(.add(operation))
            state.load += 1
            return true
        }
        if accepted { wake() }
        return accepted
    }

    /// Asks the loop to abandon `operation` with `error` (cancellation).
    func abandon(_ operation: any LoopOperation, with error: SSHError) {
        let id = ObjectIdentifier(operation)
        shared.withLock { $0.jobs.append(.abandon(id, error)) }
        wake()
    }

    /// Waits until the thread has freed the session and closed the socket.
    func waitUntilTerminated() async {
        _ = try? await terminated.wait {}
    }

    /// Asks the loop to disconnect once and exit.
    func shutdown() {
        shared.withLock { $0.jobs.append(.shutdown) }
        wake()
    }

    /// Wakes the loop from `poll`.
    func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeDescriptor, &one, 8)
    }

    private func markDead(_ error: SSHError) {
        shared.withLock { state in
            state.isAlive = false
            if state.failure == nil { state.failure = error }
        }
    }

    // MARK: The loop

    private func run() {
        lastInbound = .now
        scheduleKeepalive()
        while true {
            let stop = drainJobs()
            if stop { break }
            admitWaitingOperations()
            replenishSpares()
            var progressed = false
            if let owner = outboundOwner {
                let progress = step(owner)
                if progress == .blockedOutbound {
                    // No other libssh2 call may be made until this packet is
                    // out, but deadlines, silence and shutdown still count.
                    enforceDeadlines()
                    if !checkSilence() { break }
                    if let error = stalledOutboundFailure() {
                        fatal(error)
                        failEverything(error)
                        break
                    }
                    if !poll(wantSocketInput: true, wantSocketOutput: true, idle: false) { break }
                    continue
                }
                outboundOwner = nil
                progressed = true
            }
            var wantsSocket = false
            var index = 0
            while index < active.count, outboundOwner == nil, fatalError == nil {
                let operation = active[index]
                switch step(operation) {
                case .progressed, .finished, .channelRefused: progressed = true
                case .blockedOutbound:
                    outboundOwner = operation
                    outboundStalledSince = .now
                case .waitingForSocket: wantsSocket = true
                case .waitingForWake: break
                }
                if index < active.count, active[index] === operation { index += 1 }
            }
            if let error = fatalError {
                failEverything(error)
                break
            }
            enforceDeadlines()
            if checkKeepalive() == false { break }
            if progressed || outboundOwner != nil {
                // Drain the wake counter and note inbound bytes without sleeping.
                if !poll(wantSocketInput: false, wantSocketOutput: false, idle: false, timeout: 0) { break }
                continue
            }
            if !poll(wantSocketInput: wantsSocket, wantSocketOutput: needsOutbound, idle: active.isEmpty) { break }
        }
        teardown()
    }

    /// Advances one operation and applies the bookkeeping its answer asks for.
    private func step(_ operation: any LoopOperation) -> OperationProgress {
        let progress = operation.advance(self)
        switch progress {
        case .finished:
            remove(operation)
            refusalsWithNothingOpen[ObjectIdentifier(operation)] = nil
            shared.withLock { $0.load -= 1 }
        case .channelRefused:
            remove(operation)
            let open = channelsInUse + (sftp.holdsChannel ? 1 : 0)
            let id = ObjectIdentifier(operation)
            let refusals = (refusalsWithNothingOpen[id] ?? 0) + 1
            if open == 0, refusals <= Self.refusalsToRetry {
                // The server may not have freed a session that just closed
                // (or a spare channel's refusal raced it): try again.
                refusalsWithNothingOpen[id] = refusals
                waitingForChannel.insert(operation, at: 0)
            } else if open == 0 {
                refusalsWithNothingOpen[id] = nil
                operation.connectionLost(SSHError(.channelFailure, "\(destination.host) refused to open a session channel"))
                shared.withLock { $0.load -= 1 }
            } else {
                channelLimit = max(1, open)
                waitingForChannel.insert(operation, at: 0)
            }
        default:
            break
        }
        return progress
    }

    private func remove(_ operation: any LoopOperation) {
        active.removeAll { $0 === operation }
        if outboundOwner === operation { outboundOwner = nil }
    }

    private func drainJobs() -> Bool {
        let jobs = shared.withLock { state -> [Job] in
            let jobs = state.jobs
            state.jobs.removeAll()
            return jobs
        }
        for job in jobs {
            switch job {
            case .add(let operation):
                if operation.usesChannel { waitingForChannel.append(operation) } else { active.append(operation) }
            case .abandon(let id, let error):
                if let operation = (active + waitingForChannel).first(where: { ObjectIdentifier($0) == id }) {
                    operation.abandon(error)
                    if waitingForChannel.contains(where: { $0 === operation }) {
                        waitingForChannel.removeAll { $0 === operation }
                        shared.withLock { $0.load -= 1 }
                    }
                }
            case .shutdown:
                shuttingDown = true
            }
        }
        if shuttingDown {
            let error = SSHError(.cancelled, "the connection to \(destination) was closed")
            markDead(error)
            for operation in waitingForChannel { operation.abandon(error) }
            waitingForChannel.removeAll()
            // Let running operations finish their current libssh2 call, then stop.
            if outboundOwner == nil {
                for operation in active { operation.connectionLost(error) }
                active.removeAll()
                disconnect()
                return true
            }
        }
        return false
    }

    // MARK: Spare channels

    /// A spare session channel for a command to use instead of opening one,
    /// or `nil`. One the server has already closed is retired, not returned.
    func takeSpareChannel() -> OpaquePointer? {
        while let channel = spareChannels.popLast() {
            if libssh2_channel_eof(channel) == 0 { return channel }
            retire(channel)
        }
        return nil
    }

    /// Keeps a channel a ``SpareChannelOpening`` opened.
    func keepSpare(_ channel: OpaquePointer) {
        spareOpening = false
        spareChannels.append(channel)
    }

    /// A spare opening ended without a channel; `disable` stops further ones
    /// (the server refused a channel).
    func spareOpeningEnded(disable: Bool = false) {
        spareOpening = false
        if disable { spareTarget = 0 }
    }

    /// Frees `channel` through the loop.
    func retire(_ channel: OpaquePointer) {
        active.append(ChannelRetirement(channel))
        shared.withLock { $0.load += 1 }
    }

    /// Opens a spare when fewer than wanted are open or opening, once the
    /// session is up.
    private func replenishSpares() {
        guard spareTarget > 0, !spareOpening, spareChannels.count < spareTarget, session != nil, !shuttingDown, fatalError == nil else {
            return
        }
        spareOpening = true
        active.append(SpareChannelOpening())
        shared.withLock { $0.load += 1 }
    }

    /// Channels open or opening for operations (not counting SFTP's).
    var channelsInUse: Int { active.filter(\.usesChannel).count }

    /// The server refused a channel while `open` others were open: no more
    /// than those at once from now on (when any were open).
    func lowerChannelLimit(toOpen open: Int) {
        if open > 0 { channelLimit = max(1, min(channelLimit, open)) }
    }

    private func admitWaitingOperations() {
        var open = channelsInUse + (sftp.holdsChannel ? 1 : 0)
        while open < channelLimit, !waitingForChannel.isEmpty {
            active.append(waitingForChannel.removeFirst())
            open += 1
        }
    }

    private var needsOutbound: Bool {
        guard let session else { return false }
        return libssh2_session_block_directions(session) & exe_block_outbound() != 0
    }

    /// Waits for the socket or a wake-up. Returns `false` when the connection died.
    private func poll(wantSocketInput: Bool, wantSocketOutput: Bool, idle: Bool, timeout: Int32? = nil) -> Bool {
        var events: Int16 = exe_pollrdhup()
        if wantSocketInput { events |= Int16(POLLIN) }
        if wantSocketOutput { events |= Int16(POLLOUT) }
        var fds = [
            pollfd(fd: socketDescriptor, events: events, revents: 0),
            pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        let wait = timeout ?? nextWakeTimeout()
        let rc = Glibc.poll(&fds, 2, wait)
        if rc < 0, errno != EINTR {
            fatal(SSHError(.disconnected, "poll failed: \(String(cString: strerror(errno)))"))
            failEverything(fatalError!)
            return false
        }
        if fds[1].revents & Int16(POLLIN) != 0 {
            var counter: UInt64 = 0
            _ = Glibc.read(wakeDescriptor, &counter, 8)
        }
        let socketEvents = fds[0].revents
        if socketEvents & Int16(POLLIN) != 0 { lastInbound = .now }
        if socketEvents & Int16(POLLOUT) != 0, outboundStalledSince != nil { outboundStalledSince = .now }
        noteQueuedInbound()
        if socketEvents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
            || (socketEvents & exe_pollrdhup() != 0 && active.isEmpty)
        {
            if active.isEmpty {
                let error = SSHError(.disconnected, "the server \(destination.host):\(destination.port) closed the connection")
                fatal(error)
                failEverything(error)
                return false
            }
            // Running operations will meet the error in their next libssh2 call.
            lastInbound = .now
        }
        return true
    }

    /// Counts bytes waiting in the kernel: on an idle connection nobody reads
    /// them, but their arrival still proves the server is alive.
    private func noteQueuedInbound() {
        var queued: Int32 = 0
        if ioctl(socketDescriptor, UInt(FIONREAD), &queued) == 0 {
            if queued > queuedInboundBytes { lastInbound = .now }
            queuedInboundBytes = queued
        }
    }

    private func nextWakeTimeout() -> Int32 {
        var nearest: Deadline?
        for operation in active + waitingForChannel {
            // A passed deadline has been enforced; the operation is winding down.
            if let deadline = operation.deadline, !deadline.hasPassed, nearest.map({ deadline < $0 }) ?? true { nearest = deadline }
        }
        // A due keepalive waits while a probe is out (or the connection is
        // closing): counting it would make every poll return at once, a
        // busy loop for as long as the probe's answer takes.
        if !keepaliveProbing, !shuttingDown, let keepalive = nextKeepalive, nearest.map({ keepalive < $0 }) ?? true { nearest = keepalive }
        if let interval = configuration.keepaliveInterval {
            let silenceLimit = Deadline(instant: lastInbound.instant + interval * configuration.keepaliveCountMax)
            if !silenceLimit.hasPassed, nearest.map({ silenceLimit < $0 }) ?? true { nearest = silenceLimit }
        }
        if let stalled = outboundStalledSince {
            let limit = Deadline(instant: stalled.instant + Self.outboundStallLimit)
            if !limit.hasPassed, nearest.map({ limit < $0 }) ?? true { nearest = limit }
        }
        return nearest?.pollTimeout(cap: 1000) ?? 1000
    }

    private func enforceDeadlines() {
        for operation in active + waitingForChannel {
            guard let deadline = operation.deadline, deadline.hasPassed else { continue }
            operation.abandon(SSHError(.timeout, "the operation on \(destination) did not finish before its deadline"))
            if waitingForChannel.contains(where: { $0 === operation }) {
                waitingForChannel.removeAll { $0 === operation }
                shared.withLock { $0.load -= 1 }
            }
        }
    }

    // MARK: Keepalive

    private func scheduleKeepalive() {
        guard let interval = configuration.keepaliveInterval else { return }
        nextKeepalive = .after(interval)
    }

    /// Starts a ``KeepaliveProbe`` when one is due and none is under way,
    /// and declares the server dead when it has been silent for too long.
    /// Returns `false` when the connection died.
    private func checkKeepalive() -> Bool {
        guard checkSilence() else { return false }
        guard let interval = configuration.keepaliveInterval, session != nil, let due = nextKeepalive else { return true }
        guard due.hasPassed, !keepaliveProbing, !shuttingDown else { return true }
        keepaliveProbing = true
        active.append(KeepaliveProbe())
        shared.withLock { $0.load += 1 }
        nextKeepalive = .after(interval)
        wake()  // the probe goes out in the next turn, not after a poll timeout
        return true
    }

    /// A ``KeepaliveProbe`` has its answer (or gave up).
    func keepaliveProbeEnded() { keepaliveProbing = false }

    /// Declares the server dead when it has been silent for
    /// `keepaliveInterval × keepaliveCountMax`. Sends nothing, so it is safe
    /// while a packet is half-sent. Returns `false` when the connection died.
    private func checkSilence() -> Bool {
        guard let interval = configuration.keepaliveInterval else { return true }
        let silence = Deadline.now.instant - lastInbound.instant
        guard silence > interval * configuration.keepaliveCountMax else { return true }
        let error = SSHError(
            .disconnected,
            "no response from \(destination.host):\(destination.port) for \(silence.shortDescription); the connection is dead")
        fatal(error)
        failEverything(error)
        return false
    }

    /// How long a half-sent packet may find no room in the socket, once an
    /// operation's deadline has passed or the connection is closing, before
    /// the connection is given up.
    static let outboundStallLimit: Duration = .seconds(1)

    /// While a packet is half-sent no other packet can go out: a timed-out
    /// operation cannot close its channel and the connection cannot say
    /// goodbye. If the server has stopped reading (the socket has had no room
    /// for ``outboundStallLimit``) and someone is waiting (a deadline passed,
    /// or ``SSHConnection/close()`` was called), the connection is failed.
    private func stalledOutboundFailure() -> SSHError? {
        guard let stalled = outboundStalledSince, Deadline.now.instant - stalled.instant >= Self.outboundStallLimit else { return nil }
        let expired = (active + waitingForChannel).contains { $0.deadline?.hasPassed ?? false }
        guard expired || shuttingDown else { return nil }
        let reason = shuttingDown ? "the connection was being closed" : "an operation's deadline passed"
        return SSHError(
            .disconnected,
            "\(destination.host):\(destination.port) stopped reading: a packet has been half-sent for \((Deadline.now.instant - stalled.instant).shortDescription) and \(reason); the connection was dropped")
    }

    // MARK: Failure and teardown

    /// Records a connection-level failure; the loop fails everything after
    /// the current turn.
    func fatal(_ error: SSHError) {
        if fatalError == nil { fatalError = error }
        markDead(error)
    }

    /// Turns a libssh2 failure into an error, and marks the connection dead
    /// when the code means the session is unusable.
    func error(_ code: Int32, _ what: String, kind: SSHError.Kind = .channelFailure) -> SSHError {
        let message = session.map { LibSSH2.lastError($0).message } ?? ""
        if LibSSH2.isConnectionFatal(code) {
            let error = SSHError(.disconnected, "the connection to \(destination) was lost while \(what): \(message.isEmpty ? "error \(code)" : message)", libssh2Code: code)
            fatal(error)
            return error
        }
        return SSHError(kind, "\(what) failed: \(message.isEmpty ? "error \(code)" : message)", libssh2Code: code)
    }

    /// Whether the last call that returned EAGAIN left outbound data pending.
    func blockedOutbound() -> Bool { needsOutbound }

    private func failEverything(_ error: SSHError) {
        markDead(error)
        for operation in active + waitingForChannel { operation.connectionLost(error) }
        shared.withLock { $0.load -= active.count + waitingForChannel.count }
        active.removeAll()
        waitingForChannel.removeAll()
        outboundOwner = nil
    }

    private func disconnect() {
        guard let session else { return }
        let deadline = Deadline.after(.seconds(1))
        while !deadline.hasPassed {
            let rc = exe_session_disconnect(session, "closed by client")
            if rc != LIBSSH2_ERROR_EAGAIN { break }
            var descriptor = pollfd(fd: socketDescriptor, events: Int16(POLLOUT), revents: 0)
            _ = Glibc.poll(&descriptor, 1, deadline.pollTimeout())
        }
    }

    private func teardown() {
        sftp.forget()
        if socketDescriptor >= 0 {
            // Whether the server is gone or was told goodbye: libssh2's parting
            // sends (channel closes, a half-sent packet) fail at once instead
            // of waiting, and `libssh2_session_free`, which in non-blocking
            // mode returns EAGAIN while a channel (a spare) waits for the
            // server's close, frees everything.
            _ = Glibc.shutdown(socketDescriptor, Int32(SHUT_RDWR))
        }
        if let session {
            libssh2_session_free(session)
            self.session = nil
        }
        if socketDescriptor >= 0 {
            close(socketDescriptor)
            socketDescriptor = -1
        }
        markDead(fatalError ?? SSHError(.disconnected, "the connection to \(destination) is closed"))
    }
}
