import ExeControl
import ExeSSH
import Foundation

extension Leases {
    /// Pauses the lease's VM: its memory and processes are kept, and it
    /// answers nothing until resumed. Pausing a paused lease is fine
    /// (`already-paused`). The pause time goes to the claim and the VM's
    /// tags, so `lease gc` on any machine stops it after the paused TTL.
    public func pause(_ claim: LeaseClaim) async throws -> PowerOutcome {
        try await wrappingErrors {
            try requireThisControlHost(claim)
            let vm = try await existingVM(of: claim)
            if vm.status == .paused {
                return PowerOutcome(lease: claim.identity.id, vmName: claim.vmName, result: .alreadyPaused)
            }
            try await context.control.pause(claim.vmName)
            let updated = try context.claims.update(claim.identity.id) { $0.pausedAt = context.now() }
            try await retag(updated)
            return PowerOutcome(lease: claim.identity.id, vmName: claim.vmName, result: .paused)
        }
    }

    /// Resumes the lease's VM with its processes, waits until it answers
    /// over SSH again, and marks it used now. Resuming a running lease is
    /// fine (`already-running`; it is touched all the same).
    public func resume(_ claim: LeaseClaim) async throws -> PowerOutcome {
        try await wrappingErrors {
            try requireThisControlHost(claim)
            let vm = try await existingVM(of: claim)
            func markUsed() throws -> LeaseClaim {
                try context.claims.update(claim.identity.id) {
                    $0.pausedAt = nil
                    $0.lastUsedAt = context.now()
                }
            }
            guard vm.status == .paused else {
                try await retag(try markUsed(), knownTags: vm.tags)
                return PowerOutcome(lease: claim.identity.id, vmName: claim.vmName, result: .alreadyRunning)
            }
            try await context.control.resume(claim.vmName)
            let updated = try markUsed()
            // The tags (from the listing above: resuming changes none) are
            // rewritten while the VM comes back, not after.
            async let retagged: Void = retag(updated, knownTags: vm.tags)
            do {
                try await waitUntilReady(try destination(of: claim), lease: claim.identity.id)
            } catch {
                try? await retagged
                throw error
            }
            try await retagged
            return PowerOutcome(lease: claim.identity.id, vmName: claim.vmName, result: .resumed)
        }
    }

    /// The lease's VM, or a not-found error saying how to forget the lease.
    func existingVM(of claim: LeaseClaim) async throws -> VM {
        guard let vm = try await context.control.vm(named: claim.vmName) else {
            throw LeaseError(.notFound, "the VM \(claim.vmName) of lease \(claim.identity.id) is gone; `exe-cli lease stop \(claim.identity.id)` forgets it")
        }
        return vm
    }
}

extension Leases {
    /// Connects to the lease's VM for a run, resuming it first when needed
    /// (see ``resumingIfPaused(_:connect:)``).
    func connectResuming(_ claim: LeaseClaim) async throws -> any RemoteHost {
        try await resumingIfPaused(claim) { try await host(claim) }
    }

    /// Runs `connect` (a connection to the lease's VM), resuming the VM
    /// first when this machine paused it (the claim says so), or, when
    /// `connect` fails with an SSH error, when the control plane says the
    /// VM is paused (a `gc` elsewhere paused it); then `connect` is tried
    /// once more. Each resume is said through the context's progress
    /// (`lease ID: resuming the paused VM NAME`). `lease run` and `lease
    /// tunnel` connect through this.
    ///
    /// - Throws: ``LeaseError``; what `connect` throws arrives wrapped
    ///   (``LeaseError/wrapping(_:)``).
    public func resumingIfPaused<Connection>(
        _ claim: LeaseClaim, connect: () async throws -> Connection
    ) async throws -> Connection {
        try await wrappingErrors {
            if claim.pausedAt != nil {
                context.progress("lease \(claim.identity.id): resuming the paused VM \(claim.vmName)")
                _ = try await resume(claim)
            }
            do {
                return try await connect()
            } catch where Self.isVMConnectionFailure(error) {
                guard let vm = try? await context.control.vm(named: claim.vmName), vm.status == .paused else { throw error }
                context.progress("lease \(claim.identity.id): resuming the paused VM \(claim.vmName)")
                _ = try await resume(claim)
                return try await connect()
            }
        }
    }

    /// Whether `error` is an SSH failure, bare or wrapped in a ``LeaseError``.
    static func isVMConnectionFailure(_ error: any Error) -> Bool {
        error is SSHError || (error as? LeaseError)?.underlying is SSHError
    }
}
