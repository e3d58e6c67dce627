public import ExeSSH
import ExeSystem
import Foundation
import Synchronization

/// A request to run a command on a lease.
public struct LeaseRunRequest: Sendable {
    /// The lease (id, slug or VM name); `nil` creates a one-shot lease.
    public var lease: String?
    /// The command: several words run as an argument vector; one word is a shell script.
    public var arguments: [String]
    /// Sync the work tree first.
    public var sync = true
    /// Sync, then stop without running anything.
    public var syncOnly = false
    /// Compare content, not size and time, when syncing.
    public var checksum = false
    /// Sync past the size guardrails.
    public var allowLargeSync = false
    /// Variable names to forward in addition to the settings' allowlist.
    public var allowEnv: [String] = []
    /// The local environment to pick forwarded variables from.
    public var environment: [String: String] = [:]
    /// Keep a one-shot lease afterwards instead of stopping it.
    public var keep = false
    /// Use a lease claimed by another repository.
    public var reclaim = false
    /// How long an interrupted command gets between SIGINT and SIGKILL.
    public var interruptGrace: Duration = .seconds(5)
    /// Files to copy back after the command (also when it failed or was interrupted).
    public var artifacts: ArtifactRequest?

    /// Creates a request.
    public init(lease: String?, arguments: [String]) {
        self.lease = lease
        self.arguments = arguments
    }
}

/// The timing record of one run (`--timing-json`).
public struct LeaseRunTiming: Sendable, Codable, Equatable {
    /// The lease's id.
    public var leaseID: String
    /// The lease's slug.
    public var slug: String
    /// This run's id (`run_` + 12 hex digits).
    public var runID: String
    /// Milliseconds spent creating a one-shot lease.
    public var warmupMilliseconds: Int?
    /// Milliseconds spent syncing (`nil`: no sync).
    public var syncMilliseconds: Int?
    /// Milliseconds the remote command ran (`nil`: it never started).
    public var commandMilliseconds: Int?
    /// Milliseconds from start to end of the whole run.
    public var totalMilliseconds: Int
    /// Bytes the sync sent.
    public var bytesSent: Int64
    /// Files the sync sent or deleted.
    public var filesChanged: Int
    /// Whether the VM's work tree was already up to date.
    public var syncUpToDate: Bool
    /// The remote command's exit code (128+n for a signal, 130 when interrupted).
    public var exitCode: Int32?
    /// Whether the run was interrupted (Ctrl-C).
    public var interrupted: Bool
    /// Whether the lease was stopped at the end (one-shot runs).
    public var leaseStopped: Bool

    /// The one-line summary printed after a run.
    public var summary: String {
        func seconds(_ ms: Int?) -> String { ms.map { String(format: "%.2fs", Double($0) / 1000) } ?? "-" }
        var parts = ["lease \(leaseID) (\(slug))"]
        if let warmup = warmupMilliseconds { parts.append("warmup=\(seconds(warmup))") }
        parts.append("sync=\(seconds(syncMilliseconds))\(syncUpToDate ? " (up to date)" : "")")
        parts.append("command=\(seconds(commandMilliseconds))")
        parts.append("total=\(seconds(totalMilliseconds))")
        parts.append("sent=\(Self.bytes(bytesSent))")
        parts.append("files=\(filesChanged)")
        if let exitCode { parts.append("exit=\(exitCode)") }
        if leaseStopped { parts.append("stopped") }
        return parts.joined(separator: " ")
    }

    static func bytes(_ count: Int64) -> String {
        if count < 1024 { return "\(count) B" }
        if count < 1 << 20 { return String(format: "%.1f KiB", Double(count) / 1024) }
        return String(format: "%.1f MiB", Double(count) / 1_048_576)
    }
}

/// Fired by the caller (the CLI's SIGINT handler) to interrupt a run.
public final class RunInterrupt: Sendable {
    private struct State {
        var fired = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Creates an unfired interrupt.
    public init() {}

    /// Interrupts the run (idempotent).
    public func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.fired else { return [] }
            state.fired = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether it fired.
    public var isFired: Bool { state.withLock { $0.fired } }

    /// Returns when fired, or when the waiting task is cancelled.
    func wait() async {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.fired || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

extension Leases {
    /// Syncs the work tree to the lease, runs the command in the remote work
    /// directory, streams its output to `output` as it arrives, and returns
    /// its exit status with the timing record. Without a lease it creates a
    /// one-shot lease and stops it afterwards (unless `keep`), even when the
    /// sync or the command fails.
    ///
    /// Everything on the VM (readiness aside) goes over one SSH connection.
    public func run(
        _ request: LeaseRunRequest, interrupt: RunInterrupt = RunInterrupt(),
        output: @escaping @Sendable (CommandOutputEvent) -> Void
    ) async throws -> LeaseRunResult {
        let clock = context.clock
        let start = clock.instant()
        var warmupMilliseconds: Int?
        let claim: LeaseClaim
        var useLock: LeaseUseLock?
        // With the reuse setting, a run without a lease takes (or makes) a
        // lease it leaves for the next run instead of a one-shot lease.
        let reusing = request.lease == nil && context.settings.reuse && !request.keep
        let oneShot = request.lease == nil && !reusing
        if let key = request.lease {
            claim = try self.claim(key, reclaim: request.reclaim)
        } else if reusing {
            let begin = clock.instant()
            let (acquired, lock) = try await acquireHolding(WarmupRequest(reuse: true))
            claim = acquired.claim
            lock?.downgrade()
            useLock = lock
            warmupMilliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: begin))
        } else {
            let begin = clock.instant()
            claim = try await warmup(WarmupRequest(keep: request.keep))
            warmupMilliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: begin))
        }
        // Marks the lease in use here: no reuse takes it and no gc on this
        // machine collects it until the run ends.
        if useLock == nil { useLock = LeaseUseLock.shared(directory: context.claims.directory, leaseID: claim.identity.id) }
        defer { useLock?.release() }
        do {
            if interrupt.isFired {
                // Ctrl-C during the warmup: the VM was allowed to finish
                // (removing a VM that is still being created could miss it),
                // and is stopped below like any one-shot lease.
                context.progress("interrupted during the warmup; nothing was run")
                var timing = LeaseRunTiming(
                    leaseID: claim.identity.id, slug: claim.identity.slug, runID: RemoteCommand.newRunID(), totalMilliseconds: 0, bytesSent: 0,
                    filesChanged: 0, syncUpToDate: false, exitCode: 130, interrupted: true, leaseStopped: false)
                timing.warmupMilliseconds = warmupMilliseconds
                if oneShot && !request.keep {
                    useLock?.release()
                    _ = try await stop([claim.identity.id])
                    timing.leaseStopped = true
                }
                timing.totalMilliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: start))
                return LeaseRunResult(status: nil, timing: timing)
            }
            var result = try await runOnLease(claim, request: request, interrupt: interrupt, output: output, start: start)
            result.timing.warmupMilliseconds = warmupMilliseconds
            if oneShot && !request.keep {
                useLock?.release()
                _ = try await stop([claim.identity.id])
                result.timing.leaseStopped = true
            }
            result.timing.totalMilliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: start))
            var final = LeaseRunResult(status: result.status, timing: result.timing)
            final.artifacts = result.artifacts
            return final
        } catch {
            if oneShot && !request.keep {
                context.progress("lease \(claim.identity.id): stopping the one-shot lease after the failure")
                useLock?.release()
                _ = try? await stop([claim.identity.id])
            }
            throw LeaseError.wrapping(error)
        }
    }

    private func runOnLease(
        _ claim: LeaseClaim, request: LeaseRunRequest, interrupt: RunInterrupt,
        output: @escaping @Sendable (CommandOutputEvent) -> Void, start: ContinuousClock.Instant
    ) async throws -> (status: RemoteExitStatus?, timing: LeaseRunTiming, artifacts: ArtifactReport?) {
        let clock = context.clock
        let runID = RemoteCommand.newRunID()
        var timing = LeaseRunTiming(
            leaseID: claim.identity.id, slug: claim.identity.slug, runID: runID, totalMilliseconds: 0, bytesSent: 0,
            filesChanged: 0, syncUpToDate: false, interrupted: false, leaseStopped: false)
        let touching = Task { try await touch(claim) }
        // The heartbeat keeps the idle expiry ahead while the run lasts.
        let beating = heartbeat(claim)
        defer { beating.cancel() }
        let connection = try await connectResuming(claim)
        /// Ends a run interrupted before its command started.
        func interrupted() async -> (status: RemoteExitStatus?, timing: LeaseRunTiming, artifacts: ArtifactReport?) {
            context.progress("interrupted before the command started; nothing was run")
            timing.interrupted = true
            timing.exitCode = 130
            _ = try? await touching.value
            await connection.close()
            timing.totalMilliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: start))
            return (nil, timing, nil)
        }
        do {
            let remoteDirectory = claim.remoteDirectory
            if request.sync || request.syncOnly {
                var options = SyncOptions()
                options.checksum = request.checksum
                options.allowLarge = request.allowLargeSync
                options.excludePatterns = context.settings.syncExclude
                options.compress = context.settings.syncCompress
                let begin = clock.instant()
                let sync = WorkTreeSync(connection: connection, localRoot: context.repositoryRoot, remoteDirectory: remoteDirectory, runner: context.runner)
                let progress = context.progress
                // Ctrl-C during the sync cancels it (the remote tree stays as
                // it was: a sync commits only at its end) and runs nothing.
                let syncing = Task { try await sync.run(options, warn: progress) }
                let canceller = Task {
                    await interrupt.wait()
                    if !Task.isCancelled { syncing.cancel() }
                }
                let report: SyncReport
                do {
                    report = try await syncing.value
                    canceller.cancel()
                } catch {
                    canceller.cancel()
                    if interrupt.isFired { return await interrupted() }
                    throw error
                }
                timing.syncMilliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: begin))
                timing.bytesSent = report.bytesSent
                timing.filesChanged = report.filesSent + report.filesDeleted
                timing.syncUpToDate = report.upToDate
            }
            if interrupt.isFired { return await interrupted() }
            if request.syncOnly {
                _ = try? await touching.value
                await connection.close()
                timing.totalMilliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: start))
                return (nil, timing, nil)
            }

            var environment = RemoteCommand.forwardedEnvironment(allowed: context.settings.allowEnv + request.allowEnv, from: request.environment)
            environment.removeAll { ["EXE_LEASE_ID", "EXE_LEASE_SLUG", "EXE_RUN_ID"].contains($0.name) }
            environment += [
                ("EXE_LEASE_ID", Secret(claim.identity.id)), ("EXE_LEASE_SLUG", Secret(claim.identity.slug)), ("EXE_RUN_ID", Secret(runID)),
            ]
            let stateDirectory = (remoteDirectory as NSString).deletingLastPathComponent + "/.exe-run"
            let command = RemoteCommand(arguments: request.arguments, workDirectory: remoteDirectory, environment: environment, stateDirectory: stateDirectory, runID: runID)
            let execution = RemoteExecution(connection: connection, command: command)
            let begin = clock.instant()
            let events = try await execution.start()
            let interrupter = Task {
                await interrupt.wait()
                if Task.isCancelled { return }
                context.progress("interrupting the remote command (SIGINT, then SIGKILL after \(request.interruptGrace))")
                try? await execution.interrupt(grace: request.interruptGrace)
            }
            var status: RemoteExitStatus?
            do {
                for try await event in events {
                    if case .exit(let exit) = event { status = exit }
                    output(event)
                }
            } catch {
                interrupter.cancel()
                throw error
            }
            timing.interrupted = interrupt.isFired
            // An interrupted run waits for the SIGKILL step, so nothing that
            // ignored SIGINT is left behind.
            if !timing.interrupted { interrupter.cancel() }
            _ = await interrupter.value
            timing.commandMilliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: begin))
            timing.exitCode = timing.interrupted ? 130 : status?.shellStatus
            var artifacts: ArtifactReport?
            if let wanted = request.artifacts {
                do {
                    artifacts = try await collectArtifacts(wanted, runID: runID, claim: claim, connection: connection)
                } catch {
                    context.progress("lease \(claim.identity.id): artifacts not copied: \(LeaseError.wrapping(error))")
                }
            }
            _ = try? await touching.value
            await connection.close()
            timing.totalMilliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: start))
            return (status, timing, artifacts)
        } catch {
            _ = try? await touching.value
            await connection.close()
            throw error
        }
    }
}
