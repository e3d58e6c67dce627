import ExeSystem
import ExeControl
import ExeSSH
import Foundation

/// Pattern A: replace the app's stateless VM with a new one made from the
/// pushed image, keeping what the user set on the old VM (share port,
/// public/private, tags, comment).
///
/// `blue-green` (the default) creates `<vm>-g<5 characters>` beside the old
/// VM, gates on its health, then removes the old VM and renames the new one
/// to the app's VM name; a release that fails its health check is removed,
/// its logs printed, and the old VM keeps serving. `replace` is the seed's
/// order (remove, then create under the same name).
///
/// The lock is the `exe-deploy-lock` tag on the live VM (``VMTagLock``);
/// the audit log lives on the VM in `/data/.exe-deploy/<app>/audit.jsonl`,
/// copied from the old VM to the new one on every deploy (best effort: a
/// VM whose image cannot be reached over SSH keeps no log).
struct ReplaceDeployment: Sendable {
    let configuration: DeployConfiguration
    let context: DeployContext
    let steps: DeploySteps
    let actor: DeployActor

    private var app: String { configuration.app }
    private var vmName: String { configuration.vm }
    private var control: ControlClient { context.control }

    /// Takes the app's deploy lock (the tag on the live VM) as a `lock` step
    /// for `action`; a held lock is a ``DeployError`` naming its holder.
    private func takeLock(for action: DeployAction, redactor: SecretRedactor) async throws -> VMTagLock {
        let details = DeployLockDetails(app: app, holder: actor.name, host: actor.host, action: action.rawValue, acquiredAt: context.clock.now())
        do {
            return try await steps.run("lock", "taking the deploy lock (tag \(VMTagLock.lockTag) on \(vmName))") {
                try await VMTagLock.acquire(
                    details, control: control, vm: vmName, now: context.clock.now(), staleAfter: configuration.lockStaleAfter,
                    unlockCommand: configuration.unlockCommand)
            }
        } catch {
            throw ComposeDeployment.wrap(error, redactor: redactor, report: nil)
        }
    }

    /// Takes the lock, then deploys the image `release` gives (it builds
    /// and pushes, under the lock); `action` is `deploy` or `rollback` (for
    /// the audit log). With `promote` false (`--no-promote`, blue-green
    /// only) the healthy new VM is kept as the candidate (``CandidateVM``)
    /// and the live one is not touched. A waiting candidate refuses every
    /// deploy (``DeployError/Kind/candidatePending``).
    func deploy(
        _ release: @Sendable () async throws -> BuiltImage, action: DeployAction, promote: Bool = true, redactor: SecretRedactor
    ) async throws -> DeployReport {
        var redactor = redactor
        var report = DeployReport(action: action, app: app, pattern: .replace, vm: vmName)
        report.strategy = configuration.replace.strategy
        let old: VM?
        do {
            old = try await control.vm(named: vmName)
        } catch {
            throw ComposeDeployment.wrap(error, redactor: redactor, report: nil)
        }
        if !promote {
            guard configuration.replace.strategy == .blueGreen else {
                throw DeployError(.configuration, "--no-promote needs strategy blue-green (the replace strategy removes \(vmName) first)")
            }
            guard old != nil else {
                throw DeployError(.configuration, "--no-promote: nothing is live yet (no VM \(vmName)); deploy without --no-promote first")
            }
        }
        var lock: VMTagLock?
        if old != nil { lock = try await takeLock(for: action, redactor: redactor) }
        var state = SwapState()
        do {
            if old != nil { try await refuseIfCandidateWaits() }
            let image = try await release()
            report.image = image.reference.description
            report.digest = image.digest
            var carried: CarriedVMSettings?
            var history = Data()
            if let old {
                carried = try await CarriedVMSettings.capture(old, control: control)
                steps.note("keeping from \(vmName): \(carried!.summary)")
                if carried!.sharedUsers + carried!.shareLinks > 0 {
                    report.notes.append(
                        "\(vmName) was shared with \(carried!.sharedUsers) people and \(carried!.shareLinks) links; re-share the new VM with `exe-cli vm share add`")
                }
                do {
                    history = try await context.withConnection(to: old) { try await AuditLog.read(app: app, connection: $0) }
                } catch {
                    steps.warning("could not read the audit log on \(vmName): \(redactor.describe(error))")
                }
                report.previousImage =
                    DeployAuditRecord.parse(history).last { $0.result == DeployReport.Outcome.deployed.rawValue }?.image ?? old.image
            }
            switch configuration.replace.strategy {
            case .blueGreen:
                try await blueGreen(
                    image, old: old, carried: carried, history: history, promote: promote, state: &state, report: &report, redactor: &redactor)
            case .replace:
                try await replaceInPlace(image, old: old, carried: carried, history: history, state: &state, report: &report, redactor: &redactor)
            }
        } catch {
            report.error = redactor.describe(error)
            report.timings = steps.snapshot
            if let lock, !state.oldRemoved { await CleanupTask.run { await lock.release() } }
            throw ComposeDeployment.wrap(error, redactor: redactor, report: report)
        }
        if let lock, !state.oldRemoved { await CleanupTask.run { await lock.release() } }
        report.outcome = promote ? .deployed : .candidate
        report.timings = steps.snapshot
        return report
    }

    /// Throws ``DeployError/Kind/candidatePending`` when a candidate
    /// release (`--no-promote`) waits: it is promoted or discarded first.
    private func refuseIfCandidateWaits() async throws {
        let vms = try await control.list().vms
        guard let candidate = CandidateVM.candidates(of: vmName, in: vms).first else { return }
        throw DeployError(
            .candidatePending,
            "the candidate release \(candidate.name) (\(candidate.image ?? "its image")) waits: promote it with `\(configuration.command("promote"))` or remove it with `\(configuration.command("discard"))` first")
    }

    /// What has happened to the old VM so far.
    private struct SwapState {
        var oldRemoved = false
    }

    private func blueGreen(
        _ image: BuiltImage, old: VM?, carried: CarriedVMSettings?, history: Data, promote: Bool, state: inout SwapState,
        report: inout DeployReport, redactor: inout SecretRedactor
    ) async throws {
        // With no VM to keep serving, the first release gets the name at once.
        let temporary = old == nil ? vmName : Self.temporaryName(for: vmName)
        let created: VM
        do {
            created = try await steps.run("create", "creating \(temporary) from \(image.reference)") {
                try await control.create(try newVMOptions(name: temporary, image: image, carried: carried))
            }
        } catch {
            // `new` failed, timed out or was interrupted: the VM may exist all the same.
            await removeHalfMade(temporary, after: error, report: &report, redactor: redactor)
            if let old {
                report.outcome = .restored
                report.notes.append("\(old.name) keeps serving the previous release")
                await appendAudit(on: old, history: nil, report: report, result: .failed, error: redactor.describe(error), redactor: redactor)
            }
            throw error
        }
        do {
            let isPublic = try await applyShare(to: created, carried: carried)
            try await gateHealth(created, isPublic: isPublic, redactor: &redactor)
        } catch {
            await collectLogs(of: created, report: &report, redactor: redactor)
            let name = created.name
            await CleanupTask.run { _ = try? await control.remove(name) }
            if let old {
                report.outcome = .restored
                report.notes.append("\(temporary) was removed; \(old.name) keeps serving the previous release")
                await appendAudit(on: old, history: nil, report: report, result: .failed, error: redactor.describe(error), redactor: redactor)
            }
            throw error
        }
        if let old, !promote {
            try await keepCandidate(created, image: image, old: old, report: &report, redactor: redactor)
            return
        }
        if old != nil {
            let aside = try await swapIn(temporary, report: &report)
            state.oldRemoved = true
            await retire(aside)
        }
        let live = try await control.vm(named: vmName) ?? created
        report.url = live.httpsURL ?? created.httpsURL
        await appendAudit(on: live, history: history, report: report, result: .deployed, error: nil, redactor: redactor)
    }

    private func replaceInPlace(
        _ image: BuiltImage, old: VM?, carried: CarriedVMSettings?, history: Data, state: inout SwapState, report: inout DeployReport,
        redactor: inout SecretRedactor
    ) async throws {
        if old != nil {
            try await steps.run("remove", "removing \(vmName)") { try await control.remove(vmName) }
            state.oldRemoved = true
        }
        let created = try await steps.run("create", "creating \(vmName) from \(image.reference)") {
            try await control.create(try newVMOptions(name: vmName, image: image, carried: carried))
        }
        report.url = created.httpsURL
        do {
            let isPublic = try await applyShare(to: created, carried: carried)
            try await gateHealth(created, isPublic: isPublic, redactor: &redactor)
        } catch {
            await collectLogs(of: created, report: &report, redactor: redactor)
            if let previous = report.previousImage {
                report.notes.append("\(vmName) runs the failed release; go back to \(previous) with: \(configuration.command("rollback"))")
            }
            await appendAudit(on: created, history: history, report: report, result: .failed, error: redactor.describe(error), redactor: redactor)
            throw error
        }
        await appendAudit(on: created, history: history, report: report, result: .deployed, error: nil, redactor: redactor)
    }

    /// The shortest swap the server permits (execore/ssh_rename_command.go:
    /// rename needs the new name free and the VM running; the old name
    /// stays reserved for its owner): the live VM is renamed aside and
    /// keeps running, then `incoming` takes the name. The name answers
    /// nothing only between those two calls: step "window". When the second
    /// rename fails, the live VM is renamed back. The custom domains move to
    /// the VM that now has the name.
    ///
    /// - Parameters:
    ///   - incoming: the VM that takes the app's name.
    ///   - outgoing: what the notes call the live release when the swap
    ///     fails ("previous release" on a deploy, "release it had" on a
    ///     rollback).
    ///   - incomingRole: what the notes call `incoming` ("new one", "kept one").
    /// - Returns: the name the previous release now has.
    private func swapIn(
        _ incoming: String, outgoing: String = "previous release", incomingRole: String = "new one", report: inout DeployReport
    ) async throws -> String {
        let aside = Self.asideName(for: vmName)
        _ = try await steps.run("aside", "renaming \(vmName) to \(aside)") { try await control.rename(vmName, to: aside) }
        do {
            _ = try await steps.run("window", "renaming \(incoming) to \(vmName)") { try await control.rename(incoming, to: vmName) }
        } catch {
            let control = self.control
            let vmName = self.vmName
            let putBack = await CleanupTask.run { (try? await control.rename(aside, to: vmName)) != nil }
            report.notes.append(
                putBack
                    ? "\(vmName) is back on the \(outgoing); the \(incomingRole) is \(incoming)"
                    : "the \(outgoing) is \(aside) and the \(incomingRole) \(incoming): give one of them the app's name with exe-cli vm rename")
            throw error
        }
        await moveDomains(from: aside)
        return aside
    }

    // MARK: Manual promote

    /// `--no-promote`: tags the healthy new VM as the candidate and leaves
    /// the live one serving; the audit log of the live VM records it.
    private func keepCandidate(_ created: VM, image: BuiltImage, old: VM, report: inout DeployReport, redactor: SecretRedactor) async throws {
        let control = self.control
        let name = created.name
        let now = context.clock.now()
        do {
            _ = try await steps.run("candidate", "keeping \(name) as the candidate; \(vmName) keeps serving") {
                try await control.tag(name, [CandidateVM.tag(at: now)])
            }
        } catch {
            await CleanupTask.run { _ = try? await control.remove(name) }
            report.outcome = .restored
            report.notes.append("\(name) could not be marked as the candidate and was removed; \(vmName) keeps serving")
            throw error
        }
        var candidate = CandidateVM.describe((try? await control.vm(named: name)) ?? created)
        candidate.since = candidate.since ?? now
        candidate.digest = image.digest
        candidate.by = "\(actor.name) (on \(actor.host))"
        report.candidate = candidate
        report.url = candidate.url
        report.notes.append(
            "\(vmName) keeps serving; the candidate \(name) answers at \(candidate.url ?? "its own URL"): swap it in with `\(configuration.command("promote"))`, or remove it with `\(configuration.command("discard"))`")
        await appendAudit(on: old, history: nil, report: report, result: .candidate, error: nil, redactor: redactor)
    }

    /// The live VM and the waiting candidate (or ``DeployError/Kind/noCandidate``).
    private func liveAndCandidate(redactor: SecretRedactor) async throws -> (live: VM, candidate: VM) {
        let vms: [VM]
        do {
            vms = try await control.list().vms
        } catch {
            throw ComposeDeployment.wrap(error, redactor: redactor, report: nil)
        }
        guard let live = vms.first(where: { $0.name == vmName }) else {
            throw DeployError(.notFound, "VM \"\(vmName)\" not found (app \(app))")
        }
        guard let candidate = CandidateVM.candidates(of: vmName, in: vms).first else {
            throw DeployError(
                .noCandidate, "\(app) has no candidate release (a \(vmName)-g... VM tagged \(CandidateVM.tagPrefix)...): make one with `\(configuration.command("run")) --no-promote`")
        }
        return (live, candidate)
    }

    /// `exe-cli deploy promote`: takes the lock, gates the candidate on its
    /// health again (with the live VM's share settings), then swaps it in as
    /// a deploy would: the live release renamed aside and kept paused
    /// (`--keep-releases`), the domains moved. A candidate that fails the
    /// check is removed, its logs printed; the live VM keeps serving.
    func promote(redactor: SecretRedactor) async throws -> DeployReport {
        var redactor = redactor
        let (live, candidate) = try await liveAndCandidate(redactor: redactor)
        var report = DeployReport(action: .promote, app: app, pattern: .replace, vm: vmName)
        report.strategy = configuration.replace.strategy
        report.candidate = CandidateVM.describe(candidate)
        let lock = try await takeLock(for: .promote, redactor: redactor)
        var swapped = false
        do {
            var history = Data()
            do {
                history = try await context.withConnection(to: live) { try await AuditLog.read(app: app, connection: $0) }
            } catch {
                steps.warning("could not read the audit log on \(vmName): \(redactor.describe(error))")
            }
            let records = DeployAuditRecord.parse(history)
            report.previousImage = records.last { $0.result == DeployReport.Outcome.deployed.rawValue }?.image ?? live.image
            report.image = candidate.image
            report.digest = records.last { $0.result == DeployReport.Outcome.candidate.rawValue && $0.image == candidate.image }?.digest
            steps.note("promoting the candidate \(candidate.name) (\(candidate.image ?? "its image"))")
            do {
                let carried = try await CarriedVMSettings.capture(live, control: control)
                let isPublic = try await applyShare(to: candidate, carried: carried)
                try await gateHealth(candidate, isPublic: isPublic, redactor: &redactor)
            } catch {
                await collectLogs(of: candidate, report: &report, redactor: redactor)
                let name = candidate.name
                let control = self.control
                await CleanupTask.run { _ = try? await control.remove(name) }
                report.outcome = .restored
                report.notes.append("the candidate \(name) failed its health check and was removed; \(vmName) keeps serving")
                await appendAudit(on: live, history: nil, report: report, result: .failed, error: redactor.describe(error), redactor: redactor)
                throw error
            }
            let aside = try await swapIn(candidate.name, report: &report)
            swapped = true
            let marks = candidate.tags.filter(CandidateVM.isCandidateTag)
            if !marks.isEmpty { _ = try? await control.untag(vmName, marks) }
            await retire(aside)
            let now = try await control.vm(named: vmName) ?? candidate
            report.url = now.httpsURL
            await appendAudit(on: now, history: history, report: report, result: .deployed, error: nil, redactor: redactor)
        } catch {
            report.error = redactor.describe(error)
            report.timings = steps.snapshot
            if !swapped { await CleanupTask.run { await lock.release() } }
            throw ComposeDeployment.wrap(error, redactor: redactor, report: report)
        }
        report.outcome = .deployed
        report.timings = steps.snapshot
        return report
    }

    /// `exe-cli deploy discard`: takes the lock and removes the candidate
    /// VM; the live VM is not touched (beyond its lock tags and audit log).
    func discard(redactor: SecretRedactor) async throws -> DeployReport {
        let (live, candidate) = try await liveAndCandidate(redactor: redactor)
        var report = DeployReport(action: .discard, app: app, pattern: .replace, vm: vmName)
        report.strategy = configuration.replace.strategy
        report.candidate = CandidateVM.describe(candidate)
        report.image = candidate.image
        report.url = live.httpsURL
        let lock = try await takeLock(for: .discard, redactor: redactor)
        do {
            try await steps.run("discard", "removing the candidate \(candidate.name)") { try await control.remove(candidate.name) }
        } catch {
            report.error = redactor.describe(error)
            report.timings = steps.snapshot
            await CleanupTask.run { await lock.release() }
            throw ComposeDeployment.wrap(error, redactor: redactor, report: report)
        }
        report.notes.append("\(candidate.name) was removed; \(vmName) keeps serving \(live.image ?? "the live release")")
        await appendAudit(on: live, history: nil, report: report, result: .discarded, error: nil, redactor: redactor)
        await lock.release()
        report.outcome = .discarded
        report.timings = steps.snapshot
        return report
    }

    // MARK: Kept releases

    /// After a swap: keeps the previous release `aside` paused (its lock
    /// tags removed, tagged ``KeptRelease``) when `keepReleases` > 0, else
    /// removes it; then removes kept releases beyond `keepReleases`. A
    /// server without `pause` (or a pause that fails) removes it as before.
    func retire(_ aside: String) async {
        let control = self.control
        let keep = configuration.replace.keepReleases
        var kept = false
        if keep > 0 {
            let now = context.clock.now()
            kept = (try? await steps.run("retire", "keeping the previous release \(aside) paused") {
                do {
                    try await VMTagLock.breakLock(vm: aside, control: control)
                    try await control.tag(aside, [KeptRelease.tag(at: now)])
                    try await control.pause(aside)
                    return true
                } catch {
                    steps.warning("cannot keep \(aside) paused (\(error)); removing it")
                    return false
                }
            }) ?? false
        }
        if !kept {
            await CleanupTask.run {
                _ = try? await steps.run("retire", "removing the previous release \(aside)") {
                    do {
                        try await control.remove(aside)
                    } catch {
                        steps.warning("the previous release \(aside) could not be removed (\(error)); remove it with: exe-cli vm rm \(aside)")
                    }
                }
            }
        }
        await pruneKeptReleases(keep: keep)
    }

    /// Moves the custom domains (`domain add`) of the release renamed
    /// `aside` to the one that now has the app's name: the control plane
    /// keeps a domain on its VM across a rename (exe.dev/docs/cli-domain.md;
    /// the simulator models it so), so without this the domain would
    /// follow the old release. Best effort: a failure names the command.
    func moveDomains(from aside: String) async {
        let control = self.control
        guard let domains = try? await control.domains.list(aside), !domains.isEmpty else { return }
        for entry in domains where entry.vmName == nil || entry.vmName == aside {
            do {
                _ = try await control.domains.remove(aside, entry.domain)
                _ = try await control.domains.add(vmName, entry.domain, wildcard: entry.wildcard ?? false)
                steps.note("the domain \(entry.domain) moved to \(vmName)")
            } catch {
                steps.warning("the domain \(entry.domain) did not move to \(vmName) (\(error)); move it with: exe-cli domain rm \(aside) \(entry.domain) && exe-cli domain add \(vmName) \(entry.domain)")
            }
        }
    }

    /// Removes kept releases beyond the newest `keep`.
    private func pruneKeptReleases(keep: Int) async {
        guard let vms = try? await control.list().vms else { return }
        for old in KeptRelease.releases(of: vmName, in: vms).dropFirst(keep) {
            do {
                try await control.remove(old.name)
                steps.note("removed the older release \(old.name) (keeping \(keep))")
            } catch {
                steps.warning("the older release \(old.name) could not be removed (\(error)); remove it with: exe-cli vm rm \(old.name)")
            }
        }
    }

    /// Rolls back to the newest kept release: resumes it, gates on its
    /// health, swaps it in under the app's name (the live release is kept
    /// paused in its place). Returns `nil`, having changed nothing, when
    /// there is no kept release or it cannot be resumed: the caller then
    /// rolls back by image.
    func swapBack(redactor: SecretRedactor) async throws -> DeployReport? {
        var redactor = redactor
        let vms: [VM]
        do {
            vms = try await control.list().vms
        } catch {
            throw ComposeDeployment.wrap(error, redactor: redactor, report: nil)
        }
        guard let live = vms.first(where: { $0.name == vmName }) else {
            throw DeployError(.notFound, "VM \"\(vmName)\" not found (app \(app))")
        }
        if let candidate = CandidateVM.candidates(of: vmName, in: vms).first {
            throw DeployError(
                .candidatePending,
                "the candidate release \(candidate.name) waits: promote it with `\(configuration.command("promote"))` or remove it with `\(configuration.command("discard"))` first")
        }
        guard let target = KeptRelease.releases(of: vmName, in: vms).first else { return nil }
        var report = DeployReport(action: .rollback, app: app, pattern: .replace, vm: vmName)
        report.strategy = configuration.replace.strategy
        let lock = try await takeLock(for: .rollback, redactor: redactor)
        var swapped = false
        do {
            var history = Data()
            do {
                history = try await context.withConnection(to: live) { try await AuditLog.read(app: app, connection: $0) }
            } catch {
                steps.warning("could not read the audit log on \(vmName): \(redactor.describe(error))")
            }
            report.previousImage =
                DeployAuditRecord.parse(history).last { $0.result == DeployReport.Outcome.deployed.rawValue }?.image ?? live.image
            report.image = target.image
            steps.note("rolling back to the kept release \(target.name) (\(target.image ?? "its image"))")
            if target.status == .paused {
                do {
                    _ = try await steps.run("resume", "resuming \(target.name)") { try await control.resume(target.name) }
                } catch {
                    steps.warning("cannot resume \(target.name) (\(redactor.describe(error))); rolling back by image instead")
                    await CleanupTask.run { await lock.release() }
                    return nil
                }
            }
            let resumed = try await control.vm(named: target.name) ?? target
            do {
                // The live VM's share settings follow the name.
                let carried = try await CarriedVMSettings.capture(live, control: control)
                let isPublic = try await applyShare(to: resumed, carried: carried)
                try await gateHealth(resumed, isPublic: isPublic, redactor: &redactor)
            } catch {
                let name = target.name
                await CleanupTask.run { _ = try? await control.pause(name) }
                report.outcome = .restored
                report.notes.append("\(target.name) failed its health check and was paused again; \(vmName) keeps serving")
                throw error
            }
            let aside = try await swapIn(target.name, outgoing: "release it had", incomingRole: "kept one", report: &report)
            swapped = true
            let keptTags = target.tags.filter(KeptRelease.isKeptTag)
            if !keptTags.isEmpty { _ = try? await control.untag(vmName, keptTags) }
            await retire(aside)
            let now = try await control.vm(named: vmName) ?? resumed
            report.url = now.httpsURL
            await appendAudit(on: now, history: history, report: report, result: .deployed, error: nil, redactor: redactor)
        } catch {
            report.error = redactor.describe(error)
            report.timings = steps.snapshot
            if !swapped { await CleanupTask.run { await lock.release() } }
            throw ComposeDeployment.wrap(error, redactor: redactor, report: report)
        }
        report.outcome = .deployed
        report.timings = steps.snapshot
        return report
    }

    // MARK: Pieces

    /// After `new` for `name` failed in a way that may have left the VM
    /// behind (a timeout, a lost connection, an interruption, a server
    /// error), looks the name up and removes the VM, in a task of its own.
    /// Refusals that mean no VM was made (invalid or taken name, plan
    /// limits, permissions) skip the look-up, so a VM of that name made by
    /// someone else is never touched. When removal fails the output names
    /// the command that does it.
    private func removeHalfMade(_ name: String, after error: any Error, report: inout DeployReport, redactor: SecretRedactor) async {
        if let refusal = error as? ControlError, Self.refusalsBeforeCreation.contains(refusal.kind) { return }
        if let deploy = error as? DeployError, deploy.kind == .configuration { return }
        let control = self.control
        let problem: String?? = await CleanupTask.run {
            do {
                guard try await control.vm(named: name) != nil else { return .none }
                try await control.remove(name)
                return .some(nil)
            } catch {
                return .some("\(error)")
            }
        }
        switch problem {
        case .none:
            // A create cut short may still finish on the server after the look-up.
            let cutShort = error is CancellationError || (error as? ControlError).map { [.timeout, .transport, .cancelled].contains($0.kind) } ?? false
            if cutShort {
                report.notes.append("if \(name) shows up later in `exe-cli vm ls`, remove it with: exe-cli vm rm \(name)")
            }
        case .some(.none):
            steps.note("removed \(name), left by the failed create")
            report.notes.append("\(name) (made by the failed create) was removed")
        case .some(.some(let reason)):
            steps.warning("could not remove \(name) after the failed create: \(redactor.redact(reason))")
            report.notes.append("\(name) may be left from the failed create; remove it with: exe-cli vm rm \(name)")
        }
    }

    /// `new` errors after which the server made no VM.
    static let refusalsBeforeCreation: Set<ControlError.Kind> = [
        .nameNotAvailable, .invalidArgument, .conflict, .unknownCommand, .permissionDenied, .authenticationFailed, .hostKeyRejected,
        .noActivePlan, .planLimit, .rateLimited, .requestTooLarge,
    ]

    /// `<vm>-g` and five random letters or digits: at most 52 characters
    /// (names are at most 45), and never a reserved `-p123` form.
    /// The name the previous release is renamed to during the swap.
    static func asideName(for name: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return name + "-p" + String((0..<5).map { _ in alphabet.randomElement()! })
    }

    static func temporaryName(for name: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return name + "-g" + String((0..<5).map { _ in alphabet.randomElement()! })
    }

    private func newVMOptions(name: String, image: BuiltImage, carried: CarriedVMSettings?) throws -> NewVMOptions {
        var tags = carried?.tags ?? []
        for tag in configuration.replace.tags where !tags.contains(tag) { tags.append(tag) }
        do {
            return NewVMOptions(
                name: name, image: image.reference.description, memory: try configuration.replace.memory.map { try ByteSize($0) },
                disk: try configuration.replace.disk.map { try ByteSize($0) }, cpus: configuration.replace.cpus, comment: carried?.comment,
                tags: tags.sorted(), registryAuth: configuration.registryCredentials)
        } catch let error as ControlError {
            throw DeployError(.configuration, error.message)
        }
    }

    /// Routes the new VM's proxy like the old one (or as configured) and
    /// makes it public if the old one was; returns whether it is public.
    private func applyShare(to vm: VM, carried: CarriedVMSettings?) async throws -> Bool {
        let configured = configuration.port
        if let port = configured ?? carried?.port, port != vm.proxyPort {
            if (3000...9999).contains(port) {
                try await control.share.setPort(vm.name, port)
                steps.note("\(vm.name) routes to port \(port)")
            } else if configured != nil {
                steps.warning("cannot route \(vm.name) to port \(port): share port takes 3000-9999 (it routes to \(vm.proxyPort.map(String.init) ?? "its EXPOSE port"))")
            }
        }
        let isPublic = configuration.replace.isPublic ?? carried?.isPublic ?? false
        if isPublic {
            try await control.share.setPublic(vm.name)
            steps.note("\(vm.name) is public")
        }
        return isPublic
    }

    private func gateHealth(_ vm: VM, isPublic: Bool, redactor: inout SecretRedactor) async throws {
        guard configuration.healthPath != "none" else { return }
        guard let url = vm.httpsURL else {
            steps.warning("the control plane gave no https_url for \(vm.name); skipping the HTTP health check")
            return
        }
        let steps = self.steps
        let control = self.control
        let name = vm.name
        let check = HealthCheck(configuration)
        let context = self.context
        try await steps.run("health", "waiting for \(check.url(base: url)?.absoluteString ?? url) to answer \(check.expectedStatus)") {
            _ = try await HealthAccess.wait(
                check, base: url, vm: name, isPublic: isPublic, context: context, redactor: &redactor, warn: { steps.warning($0) },
                note: { steps.note($0) }
            ) {
                let answer: VM??
                do { answer = .some(try await control.vm(named: name)) } catch { answer = nil }
                guard let answer else { return nil }
                guard let current = answer else { return "the VM \(name) is gone" }
                if let status = current.status, status != .running { return "the VM \(name) is \(status)" }
                return nil
            }
        }
    }

    private func collectLogs(of vm: VM, report: inout DeployReport, redactor: SecretRedactor) async {
        let configuration = self.configuration
        let context = self.context
        let logs = await CleanupTask.run { await VMLogs.fetch(vm, tail: 50, configuration: configuration, context: context, redactor: redactor) }
        report.logs.append(.init(source: vm.name, text: logs))
        context.progress(.log(source: vm.name, text: logs))
    }

    /// Appends the outcome to `vm`'s audit log; with `history`, writes the
    /// old VM's log first (a new VM starts with the app's whole history).
    private func appendAudit(
        on vm: VM, history: Data?, report: DeployReport, result: DeployReport.Outcome, error: String?, redactor: SecretRedactor
    ) async {
        let record = DeployAuditRecord(
            time: context.clock.now(), action: report.action.rawValue, actor: actor.name, host: actor.host, app: app, vm: vmName,
            image: report.image, digest: report.digest, previousImage: report.previousImage, result: result.rawValue, detail: error)
        let app = self.app
        let context = self.context
        let problem: String? = await CleanupTask.run {
            do {
                try await context.withConnection(to: vm) { connection in
                    if let history {
                        try await AuditLog.carry(history, plus: record, app: app, connection: connection)
                    } else {
                        try await AuditLog.append(record, app: app, connection: connection)
                    }
                }
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let problem { steps.warning("could not write the audit log on \(vm.name): \(redactor.redact(problem))") }
    }
}
