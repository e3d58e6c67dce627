import ExeControl
import ExeSSH
import Foundation

extension Leases {
    /// Makes a new lease that is a disk copy of `base` (`cp --standalone`,
    /// without the base's tags), tags it as its own lease, waits until it
    /// answers over SSH, and records its claim. Its work directory is the
    /// base's (the copy's disk holds the base's synced tree there).
    ///
    /// As with ``warmup(_:)``, the claim is recorded before the VM exists,
    /// and a failure after the copy exists removes it (unless `keep`).
    ///
    /// - Parameters:
    ///   - slug: the slug wanted (made unique against `takenSlugs` and this
    ///     machine's claims).
    ///   - takenSlugs: slugs of the tool's VMs (one `ls` for all copies).
    func copyLease(of base: LeaseClaim, slug: String, takenSlugs: Set<String>, keep: Bool) async throws -> LeaseClaim {
        try await wrappingErrors {
            let settings = context.settings
            let id = LeaseIdentity.newID()
            let preferred = LeaseIdentity.normalizeSlug(slug) ?? LeaseIdentity.defaultSlug(for: id)
            let created = context.now()
            let identity = try context.claims.withLock("allocation") { () throws -> LeaseIdentity in
                let local = Set(context.claims.all().claims.map(\.identity.slug))
                let identity = LeaseIdentity(id: id, slug: LeaseIdentity.uniqueSlug(preferred, taken: local.union(takenSlugs)))
                let claim = LeaseClaim(
                    identity: identity, vmName: identity.vmName, controlHost: context.controlHost, sshHost: "", sshPort: 22, sshUser: "",
                    repositoryRoot: base.repositoryRoot, remoteDirectory: base.remoteDirectory, createdAt: created,
                    idleTimeoutSeconds: Int(settings.idleTimeout.components.seconds), ttlSeconds: Int(settings.ttl.components.seconds),
                    keep: keep)
                try context.claims.create(claim)
                return identity
            }
            let claim = try context.claims.load(id)!
            context.progress("lease \(id): copying \(base.vmName) to \(identity.vmName) (cp --standalone)")
            var options = CopyOptions(copyTags: false)
            options.standalone = true
            let copied: CopyResult
            do {
                copied = try await context.control.copy(base.vmName, as: identity.vmName, options: options)
            } catch {
                try? context.claims.remove(id)
                throw error
            }
            do {
                var tags = [LeaseTags.owner, LeaseTags.id(id), LeaseTags.slug(identity.slug), LeaseTags.expires(claim.expiresAt)]
                if keep { tags.append(LeaseTags.keep) }
                let control = context.control
                let vmName = identity.vmName
                // Tagging and the wait for SSH go on at once; both must succeed.
                async let tagged = control.tag(vmName, tags)
                let destination: SSHDestination
                if copied.sshDestination != nil || copied.sshHost != nil {
                    // `cp --json` names the copy's SSH destination (execore/ssh_cp_command.go: "ssh").
                    destination = VMEndpoint.destination(
                        name: vmName, sshHost: copied.sshHost, sshUser: copied.sshUser, sshDestination: copied.sshDestination,
                        sshPort: copied.sshPort, defaultUser: context.defaultUser)
                } else if let vm = try await control.vm(named: vmName) {
                    destination = vm.sshDestination(defaultUser: context.defaultUser)
                } else {
                    _ = try? await tagged
                    throw LeaseError(.notFound, "the copy \(vmName) is not listed after `cp`")
                }
                do {
                    try await waitUntilReady(destination, lease: id)
                } catch {
                    _ = try? await tagged
                    throw error
                }
                _ = try await tagged
                return try context.claims.update(id) { claim in
                    claim.state = .ready
                    claim.record(destination)
                }
            } catch {
                if keep {
                    throw LeaseError(.notReady, "\(error); the copy \(identity.vmName) was kept (--keep): stop it with `exe-cli lease stop \(id)`")
                }
                context.progress("lease \(id): the copy failed; removing VM \(identity.vmName)")
                try await discardFailedVM(identity.vmName, lease: id, after: error, noun: "the copy")
            }
        }
    }
}
