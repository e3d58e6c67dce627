public import ExeControl
public import ExeSSH
public import ExeSystem
public import Foundation

/// What the lease commands run with, injected (the CLI passes the real
/// things; tests pass their own).
public struct LeaseContext: Sendable {
    /// The control plane.
    public var control: ControlClient
    /// The control host's name, recorded in claims.
    public var controlHost: String
    /// Local claims.
    public var claims: LeaseClaimStore
    /// Resolved settings.
    public var settings: LeaseSettings
    /// How to reach a lease's VM: over SSH in production, in memory in unit
    /// tests. Readiness probes always use it.
    public var vms: any VMConnector
    /// How `run` and sharded runs reach a *ready* lease's VM
    /// (``Leases/host(_:)``); `nil`: ``vms``. exe-cli passes one through
    /// its connection holder, so a warm `lease run` opens channels on a held
    /// connection instead of a new TCP + SSH session. Readiness probes never
    /// use it: a connection made while exe.dev's lobby still answers the
    /// VM's address must not be kept for later commands.
    public var readyVMs: (any VMConnector)?
    /// The SSH configuration for a VM at a destination (known hosts,
    /// identities, policy), for interactive sessions (``Leases/connect(_:)``).
    /// exe.dev's VMs present the control host's key, so the configuration
    /// should set `hostKeyAlias` to the control host's known_hosts name (exe-cli does).
    public var vmConfiguration: @Sendable (SSHDestination) -> SSHClientConfiguration
    /// The user SSH logs in as when the control plane names none.
    public var defaultUser: String
    /// The repository the command runs in (claims are bound to it).
    public var repositoryRoot: String
    /// Wall clock, monotonic clock and sleep (readiness back-off, expiries, timings).
    public var clock: ExeClock
    /// The wall clock's now (``clock``'s).
    public var now: @Sendable () -> Date { clock.now }
    /// Progress lines for the user (stderr on a terminal).
    public var progress: @Sendable (String) -> Void
    /// Runs local programs (git).
    public var runner: any ProcessRunner
    /// How long a new VM may take to answer over SSH.
    public var readinessTimeout: Duration
    /// Opens the connection to a lease's VM for `run`, `ssh` and `status`
    /// (`exe-cli` passes one through its connection holder); readiness
    /// probes always connect directly.
    public var connect: @Sendable (SSHDestination, SSHClientConfiguration) async throws -> SSHConnection = {
        try await SSHConnection.connect(to: $0, configuration: $1)
    }

    /// Creates a context that reaches VMs over SSH, with
    /// `vmConfiguration(destination)` for each.
    public init(
        control: ControlClient, controlHost: String, claims: LeaseClaimStore, settings: LeaseSettings,
        vmConfiguration: @escaping @Sendable (SSHDestination) -> SSHClientConfiguration, defaultUser: String,
        repositoryRoot: String, clock: ExeClock = .system,
        progress: @escaping @Sendable (String) -> Void = { _ in }, runner: any ProcessRunner = LocalProcessRunner(),
        readinessTimeout: Duration = .seconds(300)
    ) {
        self.init(
            control: control, controlHost: controlHost, claims: claims, settings: settings,
            vms: SSHVMConnector(defaultUser: defaultUser, configuration: vmConfiguration), repositoryRoot: repositoryRoot, clock: clock,
            progress: progress, runner: runner, readinessTimeout: readinessTimeout)
        self.vmConfiguration = vmConfiguration
    }

    /// Creates a context that reaches VMs through `vms` (whose
    /// `VMConnector/defaultUser` is the user when the control plane names
    /// none).
    public init(
        control: ControlClient, controlHost: String, claims: LeaseClaimStore, settings: LeaseSettings, vms: any VMConnector,
        repositoryRoot: String, clock: ExeClock = .system,
        progress: @escaping @Sendable (String) -> Void = { _ in }, runner: any ProcessRunner = LocalProcessRunner(),
        readinessTimeout: Duration = .seconds(300)
    ) {
        self.control = control
        self.controlHost = controlHost
        self.claims = claims
        self.settings = settings
        self.vms = vms
        let ssh = vms as? SSHVMConnector
        self.vmConfiguration = { ssh?.configuration(for: $0) ?? SSHClientConfiguration() }
        let defaultUser = vms.defaultUser
        self.defaultUser = defaultUser
        self.repositoryRoot = repositoryRoot
        self.clock = clock
        self.progress = progress
        self.runner = runner
        self.readinessTimeout = readinessTimeout
    }
}

/// A request to create a lease.
public struct WarmupRequest: Sendable {
    /// The slug wanted; made unique.
    public var slug: String?
    /// Keep the VM if warmup fails, and never collect it automatically.
    public var keep = false
    /// A fixed lease id (`lease_` + 12 hex digits) chosen by the caller, so a
    /// replayed warmup returns the same lease (``Leases/acquire(_:)``).
    public var leaseID: String?
    /// Take an idle or paused lease of this repository with the same size
    /// settings before creating one (``Leases/acquire(_:)``).
    public var reuse = false
    /// Creates a request.
    public init(slug: String? = nil, keep: Bool = false, leaseID: String? = nil, reuse: Bool = false) {
        self.slug = slug
        self.keep = keep
        self.leaseID = leaseID
        self.reuse = reuse
    }
}



/// Leases: test VMs that are created, synced, used and stopped, and that
/// never leak. See `Docs/ExeLease.md`.
public struct Leases: Sendable {
    /// The injected context.
    public let context: LeaseContext

    /// Creates the service.
    public init(context: LeaseContext) { self.context = context }

    // MARK: Warmup

    /// Creates a VM for a new lease, waits until it answers over SSH with the
    /// tools a sync needs, and records the claim.
    ///
    /// A failure after the VM exists removes it (unless `keep`); if even that
    /// fails, the error says exactly how to remove it by hand.
    public func warmup(_ request: WarmupRequest) async throws -> LeaseClaim {
        try await wrappingErrors {
            let settings = context.settings
            if let fixed = request.leaseID, !LeaseIdentity.isID(fixed) {
                throw LeaseError(.configuration, "\"\(fixed)\" is not a lease id (lease_ followed by 12 lowercase hex digits)")
            }
            let id = request.leaseID ?? LeaseIdentity.newID()
            let remote = try await context.control.list([LeaseTags.owner])
            let remoteSlugs = Set(remote.vms.compactMap { LeaseTags.slug(in: $0.tags) })
            let preferred = try request.slug.map { text -> String in
                guard let slug = LeaseIdentity.normalizeSlug(text) else {
                    throw LeaseError(.configuration, "the slug \"\(text)\" has no letters to make a name from")
                }
                return slug
            } ?? LeaseIdentity.defaultSlug(for: id)

            // Slug choice and the provisional claim happen under one lock, so
            // parallel warmups on this machine never pick the same slug.
            let created = context.now()
            let identity = try context.claims.withLock("allocation") { () throws -> LeaseIdentity in
                let local = Set(context.claims.all().claims.map(\.identity.slug))
                let identity = LeaseIdentity(id: id, slug: LeaseIdentity.uniqueSlug(preferred, taken: local.union(remoteSlugs)))
                let claim = LeaseClaim(
                    identity: identity, vmName: identity.vmName, controlHost: context.controlHost, sshHost: "", sshPort: 22, sshUser: "",
                    repositoryRoot: context.repositoryRoot,
                    remoteDirectory: settings.workRoot + "/" + id + "/" + Self.repositoryName(context.repositoryRoot),
                    createdAt: created, idleTimeoutSeconds: Int(settings.idleTimeout.components.seconds),
                    ttlSeconds: Int(settings.ttl.components.seconds), keep: request.keep)
                var sized = claim
                sized.sizeKey = settings.sizeKey
                try context.claims.create(sized)
                return identity
            }
            let claim = try context.claims.load(id)!
            context.progress("lease \(id): creating VM \(identity.vmName) (slug \(identity.slug))")

            var tags = [LeaseTags.owner, LeaseTags.id(id), LeaseTags.slug(identity.slug), LeaseTags.expires(claim.expiresAt), LeaseTags.ttl(claim.ttlExpiresAt)]
            if request.keep { tags.append(LeaseTags.keep) }
            let vm: VM
            do {
                vm = try await context.control.create(
                    NewVMOptions(
                        name: identity.vmName, image: settings.size.image, command: settings.size.command, sendEmail: false,
                        memory: try settings.size.memory.map { try ByteSize($0) }, disk: try settings.size.disk.map { try ByteSize($0) },
                        cpus: settings.size.cpus, tags: tags))
            } catch {
                try? context.claims.remove(id)
                throw error
            }

            let destination = vm.sshDestination(defaultUser: context.defaultUser)
            do {
                try await waitUntilReady(destination, lease: id)
                return try context.claims.update(id) { claim in
                    claim.state = .ready
                    claim.record(destination)
                }
            } catch {
                if request.keep {
                    _ = try? context.claims.update(id) { claim in
                        claim.record(destination)
                    }
                    throw LeaseError(.notReady, "\(error); the VM \(identity.vmName) was kept (--keep): stop it with `exe-cli lease stop \(id)`")
                }
                context.progress("lease \(id): warmup failed; removing VM \(identity.vmName)")
                try await discardFailedVM(identity.vmName, lease: id, after: error, noun: "the VM")
            }
        }
    }

    /// The commands that remove `vmName` by hand: through exe-cli, and
    /// through OpenSSH as exe.dev's own docs put it.
    static func manualRemovalCommand(vmName: String, controlHost: String) -> String {
        let control = normalizedControlHost(controlHost) == "exe.dev" ? [] : ["--control-host", controlHost]
        let cli = ShellCommand(["exe-cli", "vm", "rm", vmName] + control)
        // The user matters only when the control host names one.
        let destination = try? SSHDestination.parse(controlHost, defaultUser: "unused")
        let port = destination.map(\.port).flatMap { $0 == 22 ? nil : $0 }
        let login = destination.map { (controlHost.contains("@") ? $0.user + "@" : "") + $0.host } ?? controlHost
        let ssh = ShellCommand(["ssh"] + (port.map { ["-p", String($0)] } ?? []) + [login, "rm", vmName])
        return "\(cli)  (or: \(ssh))"
    }

    /// Waits until `destination` accepts TCP, then an SSH login, then has
    /// the tools a sync needs, backing off between tries.
    func waitUntilReady(_ destination: SSHDestination, lease: String) async throws {
        let clock = context.clock
        let start = clock.instant()
        let deadline = start + context.readinessTimeout
        let polling = ReadinessPolling()
        var pause: Duration?
        var stage = "tcp"
        var lastError = ""
        var lastReport = start
        while clock.instant() < deadline {
            do {
                stage = "ssh"
                let connection = try await context.vms.connect(to: destination)
                stage = "tools"
                let tools = try await connection.run(VMReadiness.toolCheck, timeout: .seconds(30))
                await connection.close()
                switch VMReadiness.interpretToolCheck(tools) {
                case .ready: return
                case .missingTools(let missing):
                    throw LeaseError(.notReady, "the VM lacks tools a sync needs: \(missing.joined(separator: ", "))")
                case .notTheVM:
                    stage = "route"
                    lastError = "the address answered, but not the VM (exe.dev's lobby answers until a new VM's SSH route is live)"
                case .failed(let status):
                    lastError = "the tool check failed (\(status))"
                }
            } catch let error as SSHError where [.connectionRefused, .timeout, .disconnected, .channelFailure, .protocol].contains(error.kind) {
                if error.kind == .connectionRefused { stage = "tcp" }
                lastError = error.message
            }
            if clock.instant() - lastReport >= .seconds(5) {
                lastReport = clock.instant()
                context.progress("lease \(lease): waiting for \(destination.host):\(destination.port) (\(stage)) elapsed=\(Int(clock.elapsed(since: start).components.seconds))s")
            }
            let next = polling.pause(after: pause, elapsed: clock.elapsed(since: start))
            pause = next
            try await clock.sleep(next)
        }
        throw LeaseError(.notReady, "the VM at \(destination.host):\(destination.port) did not become ready within \(context.readinessTimeout) (last step: \(stage): \(lastError))")
    }

    /// Removes `vmName` (and the claim `id`), a new VM that `error` made
    /// useless, then throws `error`; when the removal fails too, the error
    /// says how to remove it by hand.
    func discardFailedVM(_ vmName: String, lease id: String, after error: any Error, noun: String) async throws -> Never {
        do {
            try await context.control.remove(vmName)
            try? context.claims.remove(id)
        } catch let removal {
            if removal.kind == .notFound {
                try? context.claims.remove(id)
                throw error
            }
            throw LeaseError(
                .notReady,
                "\(error); removing \(noun) failed too (\(removal)). Remove it by hand: \(Self.manualRemovalCommand(vmName: vmName, controlHost: context.controlHost))")
        }
        throw error
    }

    // MARK: Finding leases

    /// The claim for `idOrSlug` (a lease id, a slug, or a VM name), bound to
    /// this repository.
    ///
    /// - Parameters:
    ///   - idOrSlug: a lease id, a slug or a VM name.
    ///   - reclaim: take over a claim bound to another repository (the
    ///     claim is rewritten to this one).
    public func claim(_ idOrSlug: String, reclaim: Bool = false) throws -> LeaseClaim {
        let claim = try lookup(idOrSlug)
        if claim.repositoryRoot != context.repositoryRoot {
            guard reclaim else {
                throw LeaseError(.claim, "lease \(claim.identity.id) (\(claim.identity.slug)) belongs to \(claim.repositoryRoot), not \(context.repositoryRoot); pass --reclaim to use it here")
            }
            return try context.claims.update(claim.identity.id, expectedRevision: claim.revision) { claim in
                claim.repositoryRoot = context.repositoryRoot
                claim.remoteDirectory = (claim.remoteDirectory as NSString).deletingLastPathComponent + "/" + Self.repositoryName(context.repositoryRoot)
            }
        }
        return claim
    }

    /// The claim for `idOrSlug` whatever repository it is bound to, left as
    /// it is (for commands that do not use the work tree: status, touch,
    /// stop).
    public func lookup(_ idOrSlug: String) throws -> LeaseClaim {
        let matches = context.claims.all().claims.filter { $0.identity.id == idOrSlug || $0.identity.slug == idOrSlug || $0.vmName == idOrSlug }
        guard let claim = matches.first else {
            throw LeaseError(.notFound, "no lease \"\(idOrSlug)\" on this machine (see `exe-cli lease list --all`)")
        }
        if matches.count > 1 {
            throw LeaseError(.claim, "\"\(idOrSlug)\" matches \(matches.count) leases; use the lease id")
        }
        return claim
    }

    /// Whether `claim` was made through the control host this context talks
    /// to. A claim from another control host must not be judged by this
    /// one's VM list: there its VM would look gone while it still runs.
    public func isOnThisControlHost(_ claim: LeaseClaim) -> Bool {
        Self.normalizedControlHost(claim.controlHost) == Self.normalizedControlHost(context.controlHost)
    }

    /// Throws unless `claim` belongs to this context's control host.
    public func requireThisControlHost(_ claim: LeaseClaim) throws {
        guard isOnThisControlHost(claim) else {
            throw LeaseError(
                .claim,
                "lease \(claim.identity.id) (\(claim.identity.slug)) was made through control host \(claim.controlHost), but this command talks to \(context.controlHost); pass --control-host \(claim.controlHost)")
        }
    }

    /// `host`, `host:22` and `HOST` name the same control host.
    static func normalizedControlHost(_ host: String) -> String {
        let lower = host.lowercased()
        return lower.hasSuffix(":22") ? String(lower.dropLast(3)) : lower
    }

    /// The SSH destination of a ready lease.
    public func destination(of claim: LeaseClaim) throws -> SSHDestination {
        guard claim.state == .ready, !claim.sshHost.isEmpty else {
            throw LeaseError(.notReady, "lease \(claim.identity.id) is not ready (its warmup did not finish)")
        }
        return SSHDestination(host: claim.sshHost, port: claim.sshPort, user: claim.sshUser)
    }

    /// Connects to the lease's VM through the context's
    /// ``LeaseContext/readyVMs`` (else ``LeaseContext/vms``).
    ///
    /// - Throws: ``LeaseError``: ``LeaseError/Kind/notReady`` before the
    ///   warmup finished, ``LeaseError/Kind/vm`` (the `SSHError` as
    ///   ``LeaseError/underlying``) when the VM cannot be reached.
    public func host(_ claim: LeaseClaim) async throws -> any RemoteHost {
        try await wrappingErrors { try await (context.readyVMs ?? context.vms).connect(to: try destination(of: claim)) }
    }

    /// Opens an SSH connection to the lease's VM (for interactive sessions;
    /// everything else uses ``host(_:)``).
    ///
    /// - Throws: ``LeaseError``, as ``host(_:)`` does.
    public func connect(_ claim: LeaseClaim) async throws -> SSHConnection {
        try await wrappingErrors {
            let destination = try destination(of: claim)
            return try await context.connect(destination, context.vmConfiguration(destination))
        }
    }

    // MARK: Touch, stop, list, gc

    /// Marks the lease used now: moves its idle expiry, locally and in the
    /// VM's tags (so another machine's `gc` sees it).
    @discardableResult
    public func touch(_ claim: LeaseClaim) async throws -> LeaseClaim {
        try await wrappingErrors {
            try requireThisControlHost(claim)
            let before = claim.expiresAt
            let updated = try context.claims.update(claim.identity.id) { $0.lastUsedAt = context.now() }
            // Retag only when the expiry moved enough to matter: a minute, or
            // a quarter of a short idle timeout (heartbeats of short leases).
            let threshold = min(60, max(1, Double(updated.idleTimeoutSeconds) / 4))
            if abs(updated.expiresAt.timeIntervalSince(before)) >= threshold {
                try await retag(updated)
            }
            return updated
        }
    }

    /// Makes the VM's expiry, TTL and paused tags say what `claim` says.
    ///
    /// `knownTags` are the VM's tags when the caller has just listed them
    /// (saving a round trip); `nil` lists them first. When a change is
    /// refused (another command of this lease, such as a run's heartbeat,
    /// changed the same tags meanwhile: the server refuses a tag that
    /// exists and one that is gone), the tags are listed again and the
    /// change made once more from what they are now.
    func retag(_ claim: LeaseClaim, knownTags: [String]? = nil) async throws {
        var wanted = [LeaseTags.expires(claim.expiresAt), LeaseTags.ttl(claim.ttlExpiresAt)]
        if let paused = claim.pausedAt { wanted.append(LeaseTags.paused(paused)) }
        func apply(_ current: [String]) async throws {
            let stale = LeaseTags.tags(withPrefixes: ["exe-lease-expires-", "exe-lease-ttl-", "exe-lease-paused-"], in: current)
                .filter { !wanted.contains($0) }
            let missing = wanted.filter { !current.contains($0) }
            if !missing.isEmpty { try await context.control.tag(claim.vmName, missing) }
            if !stale.isEmpty { try await context.control.untag(claim.vmName, stale) }
        }
        do {
            if let knownTags {
                try await apply(knownTags)
            } else {
                try await apply(try await context.control.vm(named: claim.vmName)?.tags ?? [])
            }
        } catch is ControlError {
            try await apply(try await context.control.vm(named: claim.vmName)?.tags ?? [])
        }
    }

    /// Stops leases: removes each VM, then its claim. A VM that is already
    /// gone counts as stopped (its claim is removed). Every lease named is
    /// tried; if any fails, the error (thrown after the others were stopped)
    /// names what was stopped and what failed.
    ///
    /// A lease stopped before (by this machine, in the last week) or a lease
    /// id with neither claim nor VM is `already-gone`, so stopping twice
    /// succeeds twice. A claim bound to another repository is refused unless
    /// `anyRepository`; one made through another control host always is.
    public func stop(_ idsOrSlugs: [String], anyRepository: Bool = false) async throws -> [StopOutcome] {
        try await wrappingErrors {
            var outcomes: [StopOutcome] = []
            var failures: [(key: String, error: any Error)] = []
            for key in idsOrSlugs {
                do {
                    outcomes.append(try await stopOne(key, anyRepository: anyRepository))
                } catch {
                    failures.append((key, error))
                }
            }
            guard let first = failures.first else { return outcomes }
            if failures.count == 1 && outcomes.isEmpty { throw first.error }
            let done = outcomes.map { "\($0.result) \($0.lease)" }
            let failed = failures.map { "\($0.key): \($0.error)" }
            let kind = (first.error as? LeaseError)?.kind ?? .control
            throw LeaseError(kind, (done.isEmpty ? "" : done.joined(separator: ", ") + "; ") + "failed: " + failed.joined(separator: "; "))
        }
    }

    private func stopOne(_ key: String, anyRepository: Bool) async throws -> StopOutcome {
        let claim = try? lookup(key)
        if let claim {
            try requireThisControlHost(claim)
            if !anyRepository && claim.repositoryRoot != context.repositoryRoot {
                throw LeaseError(
                    .claim,
                    "lease \(claim.identity.id) (\(claim.identity.slug)) belongs to \(claim.repositoryRoot), not \(context.repositoryRoot); stop it from there, or pass --any-repo")
            }
        }
        let vmName: String
        let leaseID: String?
        if let claim {
            vmName = claim.vmName
            leaseID = claim.identity.id
        } else {
            // No local claim: accept a lease id or VM name the tool owns.
            let owned = try await context.control.list([LeaseTags.owner]).vms
            guard let vm = owned.first(where: { $0.name == key || LeaseTags.leaseID(in: $0.tags) == key || LeaseTags.slug(in: $0.tags) == key }) else {
                if let stopped = LeaseTombstones(claims: context.claims).find(key) {
                    return StopOutcome(lease: stopped.leaseID, vmName: stopped.vmName, result: .alreadyGone)
                }
                if LeaseIdentity.isID(key) {
                    return StopOutcome(lease: key, vmName: nil, result: .alreadyGone)
                }
                throw LeaseError(.notFound, "no lease \"\(key)\" here or among the VMs tagged \(LeaseTags.owner)")
            }
            vmName = vm.name
            leaseID = LeaseTags.leaseID(in: vm.tags)
        }
        let result = try await context.control.remove([vmName])
        if let failure = result.failures.first, failure.kind != .notFound {
            throw LeaseError(.control, "removing \(vmName) failed: \(failure.message)")
        }
        let gone = result.failures.first?.kind == .notFound
        if let claim { LeaseTombstones(claims: context.claims).record(claim, now: context.now()) }
        if let leaseID { try context.claims.remove(leaseID) }
        return StopOutcome(lease: leaseID ?? key, vmName: vmName, result: gone ? .alreadyGone : .stopped)
    }

    /// The tool's VMs joined with this machine's claims. Without `all`,
    /// only leases this machine claims (and claims whose VM is gone).
    public func list(all: Bool = false) async throws -> [LeaseView] {
        try await wrappingErrors {
            let vms = try await context.control.list([LeaseTags.owner]).vms.filter { $0.tags.contains(LeaseTags.owner) }
            let claims = context.claims.all().claims
            var views: [LeaseView] = []
            var seen = Set<String>()
            for vm in vms {
                let id = LeaseTags.leaseID(in: vm.tags)
                let claim = claims.first { $0.identity.id == id || $0.vmName == vm.name }
                if claim == nil && !all { continue }
                if let claim { seen.insert(claim.identity.id) }
                views.append(LeaseView(
                    leaseID: id, slug: LeaseTags.slug(in: vm.tags), vmName: vm.name, status: vm.status?.description ?? "unknown",
                    expiresAt: claim?.expiresAt ?? LeaseTags.expiry(in: vm.tags), claimed: claim != nil,
                    repositoryRoot: claim?.repositoryRoot, vmExists: true, keep: vm.tags.contains(LeaseTags.keep)))
            }
            for claim in claims where !seen.contains(claim.identity.id) && isOnThisControlHost(claim) {
                views.append(LeaseView(
                    leaseID: claim.identity.id, slug: claim.identity.slug, vmName: claim.vmName, status: "gone",
                    expiresAt: claim.expiresAt, claimed: true, repositoryRoot: claim.repositoryRoot, vmExists: false, keep: claim.keep))
            }
            return views.sorted { $0.vmName < $1.vmName }
        }
    }

    /// Collects leases from any machine, by their tags: a lease past its
    /// TTL is stopped; a lease idle past its timeout is paused (idle action
    /// `pause`, the default) or stopped (`stop`); a lease paused longer than
    /// the paused TTL is stopped. A lease whose tags name no TTL (made by an
    /// older exe-cli) is stopped once expired, as before. Claims whose VM is
    /// gone are forgotten (and claims of warmups that died more than an hour
    /// ago before making their VM). Kept leases, and leases a `lease run` on
    /// this machine is using, are left alone.
    ///
    /// - Parameters:
    ///   - dryRun: report what would be done, do nothing.
    ///   - idleAction: overrides the settings' ``LeaseSettings/idleAction``.
    ///   - pausedTTL: overrides the settings' ``LeaseSettings/pausedTTL``.
    public func collectExpired(dryRun: Bool, idleAction: LeaseIdleAction? = nil, pausedTTL: Duration? = nil) async throws -> [CollectionOutcome] {
        try await wrappingErrors {
            let now = context.now()
            let action = idleAction ?? context.settings.idleAction
            let pausedLimit = TimeInterval((pausedTTL ?? context.settings.pausedTTL).components.seconds)
            let vms = try await context.control.list([LeaseTags.owner]).vms.filter { $0.tags.contains(LeaseTags.owner) }
            let claims = context.claims.all().claims.filter(isOnThisControlHost)
            var outcomes: [CollectionOutcome] = []
            for vm in vms where !vm.tags.contains(LeaseTags.keep) {
                let id = LeaseTags.leaseID(in: vm.tags)
                let claim = claims.first { $0.identity.id == id }
                // The later of two dates wins: a claim touched here is newer than the tag.
                let expiry = [claim?.expiresAt, LeaseTags.expiry(in: vm.tags)].compactMap { $0 }.max()
                let ttlEnd = [claim?.ttlExpiresAt, LeaseTags.ttlEnd(in: vm.tags)].compactMap { $0 }.max()
                let isPaused = vm.status == .paused
                let step: CollectionStep
                if let ttlEnd, ttlEnd <= now {
                    step = .stop
                } else if isPaused {
                    let since = LeaseTags.pausedAt(in: vm.tags) ?? claim?.pausedAt ?? expiry ?? now
                    step = since.addingTimeInterval(pausedLimit) <= now ? .stop : .keep
                } else if let expiry, expiry <= now {
                    step = ttlEnd == nil || action == .stop ? .stop : .pause
                } else {
                    step = .keep
                }
                if step == .keep { continue }
                // A run on this machine holds the lease: never collect it under it.
                var useLock: LeaseUseLock?
                if let id {
                    useLock = LeaseUseLock.exclusiveIfIdle(directory: context.claims.directory, leaseID: id)
                    if useLock == nil { continue }
                }
                defer { useLock?.release() }
                switch (step, dryRun) {
                case (.stop, true):
                    outcomes.append(CollectionOutcome(vmName: vm.name, leaseID: id, expiredAt: expiry, action: .wouldStop))
                case (.pause, true):
                    outcomes.append(CollectionOutcome(vmName: vm.name, leaseID: id, expiredAt: expiry, action: .wouldPause))
                case (.stop, false):
                    let result = try await context.control.remove([vm.name])
                    if let failure = result.failures.first, failure.kind != .notFound {
                        context.progress("gc: removing \(vm.name) failed: \(failure.message)")
                        continue
                    }
                    if let claim { LeaseTombstones(claims: context.claims).record(claim, now: now) }
                    if let id { try context.claims.remove(id) }
                    outcomes.append(CollectionOutcome(vmName: vm.name, leaseID: id, expiredAt: expiry, action: .stopped))
                case (.pause, false):
                    do {
                        try await context.control.pause(vm.name)
                        try await context.control.tag(vm.name, [LeaseTags.paused(now)])
                    } catch {
                        context.progress("gc: pausing \(vm.name) failed: \(error)")
                        continue
                    }
                    if let id, claim != nil { _ = try? context.claims.update(id) { $0.pausedAt = now } }
                    outcomes.append(CollectionOutcome(vmName: vm.name, leaseID: id, expiredAt: expiry, action: .paused))
                case (.keep, _):
                    break
                }
            }
            let live = Set(vms.map(\.name))
            // A provisioning claim without a VM is a warmup that died; an hour
            // is far past any warmup still under way.
            let abandoned = { (claim: LeaseClaim) in claim.state == .provisioning && claim.createdAt.addingTimeInterval(3600) < now }
            for claim in claims where !live.contains(claim.vmName) && (claim.state == .ready || abandoned(claim)) {
                if !dryRun { try context.claims.remove(claim.identity.id) }
                outcomes.append(CollectionOutcome(vmName: claim.vmName, leaseID: claim.identity.id, expiredAt: claim.expiresAt, action: dryRun ? .wouldForget : .forgotten))
            }
            return outcomes
        }
    }

    /// What `collectExpired` does to one lease.
    private enum CollectionStep { case keep, pause, stop }

    /// The last path component of the repository root, made safe for a
    /// remote directory name.
    static func repositoryName(_ root: String) -> String {
        let name = (root as NSString).lastPathComponent
        let safe = name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" }
        let text = String(safe)
        return text.isEmpty || text == "." || text == ".." ? "work" : text
    }
}

extension LeaseClaim {
    /// Records where SSH reaches the lease's VM.
    mutating func record(_ destination: SSHDestination) {
        sshHost = destination.host
        sshPort = destination.port
        sshUser = destination.user
    }
}
