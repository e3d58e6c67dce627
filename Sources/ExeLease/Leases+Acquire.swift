import ExeControl
import Foundation

extension Leases {
    /// Returns a lease for `request`, making a VM only when needed:
    ///
    /// - With ``WarmupRequest/leaseID``: the lease with that id if this
    ///   machine claims it for this repository (resumed if paused, its TTL
    ///   renewed), else a new lease with that id. Replaying the call never
    ///   makes a second VM. An id whose VM this machine has no claim for is
    ///   refused (its owner is unknown).
    /// - With ``WarmupRequest/reuse``: an idle or paused lease of this
    ///   repository, on this control host, made with the same size settings
    ///   (``LeaseSettings/sizeKey``), not kept, not in use by a `lease run`
    ///   here, and not near its TTL; the most recently used wins. It is
    ///   resumed if paused and its TTL renewed. Leases whose age or owner is
    ///   unknown (no claim here, or a claim without size settings) are never
    ///   taken.
    /// - Otherwise (or when nothing fits): ``warmup(_:)``.
    public func acquire(_ request: WarmupRequest) async throws -> AcquiredLease {
        let (lease, lock) = try await acquireHolding(request)
        lock?.release()
        return lease
    }

    /// ``acquire(_:)``, returning a reused lease still locked against other
    /// reuses (exclusively: the caller downgrades or releases it).
    func acquireHolding(_ request: WarmupRequest) async throws -> (AcquiredLease, LeaseUseLock?) {
        try await wrappingErrors {
            if let id = request.leaseID {
                return (try await acquireFixed(id, request: request), nil)
            }
            if request.reuse, let (claim, lock) = try await chooseReusable() {
                do {
                    let wasPaused = try await bringUp(claim)
                    let renewed = try context.claims.load(claim.identity.id) ?? claim
                    context.progress("lease \(claim.identity.id): reusing \(claim.vmName) (slug \(claim.identity.slug))\(wasPaused ? ", resumed" : "")")
                    return (AcquiredLease(claim: renewed, origin: wasPaused ? .resumed : .reused), lock)
                } catch {
                    lock.release()
                    context.progress("lease \(claim.identity.id): could not be reused (\(error)); creating a new lease")
                }
            }
            return (AcquiredLease(claim: try await warmup(request), origin: .created), nil)
        }
    }

    private func acquireFixed(_ id: String, request: WarmupRequest) async throws -> AcquiredLease {
        guard LeaseIdentity.isID(id) else {
            throw LeaseError(.configuration, "\"\(id)\" is not a lease id (lease_ followed by 12 lowercase hex digits)")
        }
        if let claim = try context.claims.load(id) {
            try requireThisControlHost(claim)
            guard claim.repositoryRoot == context.repositoryRoot else {
                throw LeaseError(.claim, "lease \(id) belongs to \(claim.repositoryRoot), not \(context.repositoryRoot)")
            }
            guard claim.state == .ready else {
                throw LeaseError(.claim, "a warmup of lease \(id) is under way (or died: `exe-cli lease stop \(id)` clears it)")
            }
            if try await context.control.vm(named: claim.vmName) != nil {
                let wasPaused = try await bringUp(claim)
                return AcquiredLease(claim: try context.claims.load(id) ?? claim, origin: wasPaused ? .resumed : .existing)
            }
            // The VM is gone (collected): the id starts a new lease.
            try context.claims.remove(id)
        } else {
            let owned = try await context.control.list([LeaseTags.owner]).vms
            if let vm = owned.first(where: { LeaseTags.leaseID(in: $0.tags) == id }) {
                throw LeaseError(.claim, "lease \(id) is the VM \(vm.name), which this machine has no claim for; its owner is unknown, so it is not taken")
            }
        }
        var fixed = request
        fixed.reuse = false
        return AcquiredLease(claim: try await warmup(fixed), origin: .created)
    }

    /// The lease a reuse takes, locked exclusively, if any fits.
    private func chooseReusable() async throws -> (LeaseClaim, LeaseUseLock)? {
        let now = context.now()
        let vms = try await context.control.list([LeaseTags.owner]).vms
        let sizeKey = context.settings.sizeKey
        return try context.claims.withLock("allocation") { () -> (LeaseClaim, LeaseUseLock)? in
            let candidates = context.claims.all().claims.filter { claim in
                claim.repositoryRoot == context.repositoryRoot && isOnThisControlHost(claim) && claim.state == .ready && !claim.keep
                    && claim.sizeKey == sizeKey
            }
            for claim in candidates.sorted(by: { $0.lastUsedAt > $1.lastUsedAt }) {
                guard let vm = vms.first(where: { $0.name == claim.vmName && LeaseTags.leaseID(in: $0.tags) == claim.identity.id }),
                    vm.status == .running || vm.status == .paused
                else { continue }
                // Too close to its TTL: `gc` may stop it under the run.
                let ttlEnd = [claim.ttlExpiresAt, LeaseTags.ttlEnd(in: vm.tags)].compactMap { $0 }.max()!
                if ttlEnd.timeIntervalSince(now) < 60 { continue }
                guard let lock = LeaseUseLock.exclusiveIfIdle(directory: context.claims.directory, leaseID: claim.identity.id) else { continue }
                return (claim, lock)
            }
            return nil
        }
    }

    /// Resumes the lease's VM if it is paused, and renews the lease (used
    /// now, TTL from now), locally and in its tags. Returns whether it was paused.
    private func bringUp(_ claim: LeaseClaim) async throws -> Bool {
        let vm = try await existingVM(of: claim)
        let wasPaused = vm.status == .paused
        if wasPaused {
            try await context.control.resume(claim.vmName)
            try await waitUntilReady(try destination(of: claim), lease: claim.identity.id)
        }
        let now = context.now()
        let renewed = try context.claims.update(claim.identity.id) {
            $0.pausedAt = nil
            $0.lastUsedAt = now
            $0.renewedAt = now
        }
        try await retag(renewed)
        return wasPaused
    }
}
