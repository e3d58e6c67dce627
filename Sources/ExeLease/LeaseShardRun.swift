import ExeControl
import ExeSystem
public import ExeSSH
import Foundation
import Synchronization

/// A request to run a command as N shards at once (`lease run --shards N`).
public struct ShardedRunRequest: Sendable {
    /// The most shards one run may have.
    public static let maximumShards = 64

    /// The run every shard makes: its ``LeaseRunRequest/lease`` is the base
    /// lease (`nil` warms one up, removed at the end unless `keep`), its
    /// arguments may hold `{index}` and `{total}`, and its `keep` keeps the
    /// copies (and a warmed base) as leases afterwards. Its
    /// ``LeaseRunRequest/artifacts`` are copied back from every shard into
    /// `<directory>/shard-<i>/` (the directory defaults to
    /// `<repository>/.exe/artifacts/<run id>`).
    public var run: LeaseRunRequest
    /// How many shards, 1...``maximumShards``.
    public var shards: Int
    /// Where the shards write JUnit XML, to collect and merge; `nil` collects nothing.
    public var junit: JUnitPattern?

    /// A request.
    public init(run: LeaseRunRequest, shards: Int, junit: JUnitPattern? = nil) {
        self.run = run
        self.shards = shards
        self.junit = junit
    }
}

/// How a sharded run ended.
public struct ShardedRunResult: Sendable {
    /// This sharded run's id (`run_` + 12 hex digits; each shard's command
    /// has a run id of its own in `EXE_RUN_ID`).
    public var runID: String
    /// Where the shards' artifacts went (`<directory>/shard-<i>/`), when
    /// artifacts were asked for.
    public var artifactsDirectory: String?
    /// Every shard, in order (none is left out: a shard that could not run
    /// says why).
    public var shards: [ShardOutcome]
    /// The base lease.
    public var baseLeaseID: String
    /// Whether Ctrl-C interrupted the run.
    public var interrupted: Bool
    /// The merged JUnit report, when `--junit` was given.
    public var junit: JUnitMergeResult?
    /// Leases this run made and removed at the end.
    public var removed: [String]
    /// Leases this run made and kept (`keep`).
    public var kept: [String]
    /// Why removing the leases this run made failed, with how to remove
    /// them by hand; `nil` when nothing failed.
    public var cleanupFailure: String?
    /// Milliseconds from start to end, removal included.
    public var totalMilliseconds: Int

    /// 130 when interrupted; otherwise the exit code of the lowest-numbered
    /// shard that did not pass; 0 when every shard passed.
    public var exitCode: Int32 {
        if interrupted { return 130 }
        return shards.sorted { $0.index < $1.index }.first { $0.status != .passed }?.status.exitCode ?? 0
    }
}

/// The leases a sharded run made, recorded as they are made, so that
/// every one is removed at the end whatever happened meanwhile.
private final class MadeLeases: Sendable {
    private let ids = Mutex<[String]>([])
    func add(_ id: String) { ids.withLock { $0.append(id) } }
    var all: [String] { ids.withLock { $0 } }
}

/// The lease a shard runs on.
private struct ShardLease: Sendable {
    var claim: LeaseClaim
    var origin: ShardOrigin
}

extension Leases {
    /// Runs `request.run`'s command as `request.shards` shards at once.
    ///
    /// Warms up (or uses) the base lease, syncs the work tree to it once,
    /// makes a `cp --standalone` copy of it for each other shard (a copy
    /// that fails is tried once more, then its shard gets a freshly warmed
    /// and synced lease; when `cp` is unknown to the server the retry is
    /// skipped), and runs the command on all of them at once, shard `i`
    /// with `EXE_SHARD_INDEX=i`, `EXE_SHARD_TOTAL=N` and `{index}`/`{total}`
    /// replaced in its arguments. Output arrives through `output` with the
    /// shard's number. After the commands, JUnit files are read from every
    /// shard that ran (also failed or interrupted ones) and merged.
    ///
    /// Every lease the run made is removed at the end (unless `keep`), also
    /// when a shard failed, when Ctrl-C fired `interrupt`, or when this
    /// throws. A base named by `lease` is never removed.
    public func runSharded(
        _ request: ShardedRunRequest, interrupt: RunInterrupt = RunInterrupt(),
        output: @escaping @Sendable (Int, CommandOutputEvent) -> Void
    ) async throws -> ShardedRunResult {
        guard (1...ShardedRunRequest.maximumShards).contains(request.shards) else {
            throw LeaseError(.configuration, "--shards must be 1...\(ShardedRunRequest.maximumShards), not \(request.shards)")
        }
        let clock = context.clock
        let start = clock.instant()
        let runID = RemoteCommand.newRunID()
        var request = request
        if request.run.artifacts != nil, request.run.artifacts?.directory == nil {
            request.run.artifacts?.directory = context.repositoryRoot + "/.exe/artifacts/" + runID
        }
        let template = request.run
        let made = MadeLeases()
        let base: LeaseClaim
        if let key = template.lease {
            base = try claim(key, reclaim: template.reclaim)
        } else {
            base = try await warmup(WarmupRequest(keep: template.keep))
            made.add(base.identity.id)
        }
        var result = ShardedRunResult(
            runID: runID, artifactsDirectory: template.artifacts?.directory, shards: [], baseLeaseID: base.identity.id, interrupted: false, junit: nil, removed: [], kept: [], cleanupFailure: nil,
            totalMilliseconds: 0)
        do {
            result.shards = try await runShards(request, base: base, made: made, interrupt: interrupt, output: output)
        } catch {
            let failure = await removeMadeLeases(made, keep: template.keep)
            if let failure { context.progress(failure.message) }
            throw LeaseError.wrapping(error)
        }
        result.interrupted = interrupt.isFired
        if request.junit != nil {
            let sources = result.shards.flatMap(\.junitFiles)
            var merged = JUnitMerger.merge(sources, name: "exe-cli lease run --shards \(request.shards)")
            merged.problems = result.shards.flatMap(\.junitProblems) + merged.problems
            result.junit = merged
        }
        let ids = made.all
        if template.keep {
            result.kept = ids
        } else if let failure = await removeMadeLeases(made, keep: false) {
            result.cleanupFailure = failure.message
            result.removed = failure.removed
        } else {
            result.removed = ids
        }
        result.totalMilliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: start))
        return result
    }

    /// Removes the leases in `made` (unless `keep`); returns what failed and
    /// what was removed when something failed.
    private func removeMadeLeases(_ made: MadeLeases, keep: Bool) async -> (message: String, removed: [String])? {
        let ids = made.all
        guard !keep, !ids.isEmpty else { return nil }
        context.progress("removing the \(ids.count) lease\(ids.count == 1 ? "" : "s") this run made")
        // One `rm` per lease, all at once: the server removes the VMs of one
        // `rm` one after another.
        let failures = await withTaskGroup(of: String?.self) { group in
            for id in ids {
                group.addTask {
                    do {
                        _ = try await self.stop([id])
                        return nil
                    } catch {
                        return "\(id): \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        guard !failures.isEmpty else { return nil }
        let left = ids.filter { (try? lookup($0)) != nil }
        let names = left.compactMap { try? lookup($0).vmName }
        let manual = names.map { Self.manualRemovalCommand(vmName: $0, controlHost: context.controlHost) }.joined(separator: "; ")
        return (
            "removing the shards' leases failed: \(failures.sorted().joined(separator: "; ")). Remove them by hand: \(manual)",
            ids.filter { !left.contains($0) }
        )
    }

    private func runShards(
        _ request: ShardedRunRequest, base: LeaseClaim, made: MadeLeases, interrupt: RunInterrupt,
        output: @escaping @Sendable (Int, CommandOutputEvent) -> Void
    ) async throws -> [ShardOutcome] {
        let template = request.run
        let total = request.shards
        // The slugs the copies must avoid, asked for while the base syncs.
        let control = context.control
        async let takenSlugs = total > 1
            ? Set(try await control.list([LeaseTags.owner]).vms.compactMap { LeaseTags.slug(in: $0.tags) }) : []
        if template.sync, !interrupt.isFired {
            var sync = template
            sync.lease = base.identity.id
            sync.syncOnly = true
            sync.reclaim = false
            sync.artifacts = nil
            let synced = try await run(sync, interrupt: interrupt) { _ in }
            if synced.timing.interrupted || interrupt.isFired {
                return (1...total).map { ShardOutcome(index: $0, status: .notStarted) }
            }
        }
        // Leases for shards 2...N, made at once.
        var leases: [Int: Result<ShardLease, ShardLeaseFailure>] = [1: .success(ShardLease(claim: base, origin: .base))]
        if total > 1 {
            let taken = try await takenSlugs
            await withTaskGroup(of: (Int, Result<ShardLease, ShardLeaseFailure>).self) { group in
                for index in 2...total {
                    group.addTask {
                        (index, await self.leaseForShard(index, base: base, takenSlugs: taken, request: template, made: made, interrupt: interrupt))
                    }
                }
                for await (index, lease) in group { leases[index] = lease }
            }
        }
        let finished = leases
        return await withTaskGroup(of: ShardOutcome.self) { group in
            for index in 1...total {
                group.addTask {
                    switch finished[index] {
                    case .success(let lease):
                        return await self.runShard(index, on: lease, request: request, interrupt: interrupt, output: output)
                    case .failure(.interrupted), nil:
                        return ShardOutcome(index: index, status: .notStarted)
                    case .failure(.failed(let message)):
                        return ShardOutcome(index: index, status: .error(message))
                    }
                }
            }
            var outcomes: [ShardOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.index < $1.index }
        }
    }

    /// A copy of the base for shard `index`, tried twice, else a fresh lease.
    private func leaseForShard(
        _ index: Int, base: LeaseClaim, takenSlugs: Set<String>, request: LeaseRunRequest, made: MadeLeases, interrupt: RunInterrupt
    ) async -> Result<ShardLease, ShardLeaseFailure> {
        var lastError = ""
        for attempt in 1...2 {
            if interrupt.isFired { return .failure(.interrupted) }
            do {
                let copy = try await copyLease(of: base, slug: base.identity.slug + "-\(index)", takenSlugs: takenSlugs, keep: request.keep)
                made.add(copy.identity.id)
                return .success(ShardLease(claim: copy, origin: .copy))
            } catch {
                lastError = "\(error)"
                let unknownCommand = ((error as? LeaseError)?.underlying as? ControlError)?.kind == .unknownCommand
                context.progress("shard \(index): copying the base lease failed (attempt \(attempt)): \(error)")
                if unknownCommand { break }
            }
        }
        if interrupt.isFired { return .failure(.interrupted) }
        context.progress("shard \(index): running on a fresh lease instead of a copy")
        do {
            let fresh = try await warmup(WarmupRequest(keep: request.keep))
            made.add(fresh.identity.id)
            return .success(ShardLease(claim: fresh, origin: .freshLease))
        } catch {
            return .failure(.failed("no lease for this shard: copying failed (\(lastError)), and so did a fresh warmup (\(error))"))
        }
    }

    private func runShard(
        _ index: Int, on lease: ShardLease, request: ShardedRunRequest, interrupt: RunInterrupt,
        output: @escaping @Sendable (Int, CommandOutputEvent) -> Void
    ) async -> ShardOutcome {
        let claim = lease.claim
        var outcome = ShardOutcome(index: index, status: .notStarted, leaseID: claim.identity.id, vmName: claim.vmName, origin: lease.origin)
        if interrupt.isFired { return outcome }
        let placeholder = ShardPlaceholder(index: index, total: request.shards)
        var run = request.run
        run.lease = claim.identity.id
        run.reclaim = false
        run.syncOnly = false
        run.keep = false
        // A copy has the base's synced tree; only a fresh lease needs its own sync.
        run.sync = request.run.sync && lease.origin == .freshLease
        run.arguments = placeholder.substitute(request.run.arguments)
        run.environment = request.run.environment.merging(placeholder.environment) { $1 }
        run.allowEnv = request.run.allowEnv + [ShardPlaceholder.indexVariable, ShardPlaceholder.totalVariable]
        // Each shard's artifacts go to a directory of their own, copied back
        // by its run (also when it failed or was interrupted), before the
        // copies are removed.
        if let directory = request.run.artifacts?.directory {
            run.artifacts?.directory = directory + "/shard-\(index)"
        }
        let clock = context.clock
        let begin = clock.instant()
        do {
            let result = try await self.run(run, interrupt: interrupt) { output(index, $0) }
            outcome.artifacts = result.artifacts
            if result.timing.interrupted {
                outcome.status = .interrupted
            } else if let status = result.status {
                outcome.status = status == .exited(0) ? .passed : .failed(status)
            } else {
                outcome.status = interrupt.isFired ? .notStarted : .error("the command did not run")
            }
        } catch {
            outcome.status = .error("\(error)")
        }
        outcome.milliseconds = WorkTreeSync.milliseconds(clock.elapsed(since: begin))
        if let pattern = request.junit, outcome.status != .notStarted {
            do {
                let host = try await host(claim)
                let collected = await pattern.collect(from: host, workDirectory: claim.remoteDirectory, shard: index)
                await host.close()
                outcome.junitFiles = collected.files
                outcome.junitProblems = collected.problems
            } catch {
                outcome.junitProblems = ["shard \(index): could not connect to read the JUnit files: \(error)"]
            }
        }
        return outcome
    }
}

/// Why a shard got no lease.
private enum ShardLeaseFailure: Error {
    /// Ctrl-C came first.
    case interrupted
    /// Copies and a fresh warmup failed.
    case failed(String)
}
