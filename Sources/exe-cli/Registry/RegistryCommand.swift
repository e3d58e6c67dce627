import ArgumentParser
import ExeControl
import ExeDeploy
import ExeSSH
import ExeSystem
import Foundation

/// `exe-cli registry ...`: a private image registry on an exe.dev VM.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry", abstract: "A private image registry on one of your VMs (no outside registry or token).",
        discussion: """
            The registry VM stays private: exe.dev's proxy admits requests that carry a VM-scoped token, which exe-cli \
            mints with your SSH key for 30 minutes at a time and never prints. Pushes go through a loopback relay that \
            adds the token; VMs pull with new --registry-auth.
            """,
        subcommands: [RegistryUpCommand.self, RegistryStatusCommand.self, RegistryGCCommand.self, RegistryDownCommand.self])
}

/// `registry up --json`.
struct RegistryUpResult: Encodable {
    let name: String
    let address: String
    let created: Bool
    let healthy: Bool
}

struct RegistryUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Create (or find) the registry VM, start its registry, and print its address.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The registry VM's name (default: reg- and 8 hex digits of your account's email).") var name: String?

    func validate() throws {
        if let name, (try? VMName(name)) == nil { throw ValidationError(VMName.invalidMessage) }
    }

    mutating func run() async throws {
        let option = name
        try await CommandSession.run(global) { session in
            let registry = RegistrySession(session: session, name: try await RegistrySession.name(option, session: session))
            var created = false
            var vm: VM
            if let existing = try await session.client.vm(named: registry.name) {
                guard existing.tags.contains(RegistrySession.tag) else {
                    throw ControlError(.conflict, "VM \"\(registry.name)\" exists and is not a registry (no tag \(RegistrySession.tag))")
                }
                vm = existing
            } else {
                var options = NewVMOptions(name: registry.name, comment: "exe-cli registry", tags: [RegistrySession.tag])
                options.image = nil
                vm = try await session.client.create(options)
                created = true
            }
            let healthy = try await registry.withAPI(vm) { api, _ in
                if !created, await api.healthy() { return true }
                try await registry.bootstrap(vm)
                return await RegistrySession.waitHealthy(api)
            }
            vm = try await registry.existingVM()
            let result = RegistryUpResult(
                name: vm.name, address: ExeRegistryAccess.address(httpsURL: vm.httpsURL, name: vm.name), created: created, healthy: healthy)
            try session.output.result(result) { result.address }
            if !healthy { throw CLIExit(.unhealthy) }
        }
    }
}

/// `registry status --json`.
struct RegistryStatusResult: Encodable {
    struct Repository: Encodable {
        let name: String
        let tags: [String]
    }
    let name: String
    let address: String
    let healthy: Bool
    let sizeBytes: Int?
    let repositories: [Repository]

    enum CodingKeys: String, CodingKey { case name, address, healthy, sizeBytes = "size_bytes", repositories }
}

struct RegistryStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Health, size, images and tags of the registry.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The registry VM's name.") var name: String?

    mutating func run() async throws {
        let option = name
        try await CommandSession.run(global) { session in
            let registry = RegistrySession(session: session, name: try await RegistrySession.name(option, session: session))
            let vm = try await registry.existingVM()
            let (healthy, repositories) = try await registry.withAPI(vm) { api, _ in
                guard await api.healthy() else { return (false, [RegistryStatusResult.Repository]()) }
                var repositories: [RegistryStatusResult.Repository] = []
                for repository in try await api.repositories() {
                    repositories.append(.init(name: repository, tags: try await api.tags(repository)))
                }
                return (true, repositories)
            }
            let size = try await registry.storageBytes()
            let result = RegistryStatusResult(
                name: vm.name, address: ExeRegistryAccess.address(httpsURL: vm.httpsURL, name: vm.name), healthy: healthy,
                sizeBytes: size, repositories: repositories)
            try session.output.result(result) {
                var lines = ["\(result.address): \(healthy ? "healthy" : "NOT answering"), \(size.map { "\($0) bytes" } ?? "size unknown")"]
                for repository in repositories {
                    lines.append("  \(repository.name): \(repository.tags.isEmpty ? "(no tags)" : repository.tags.joined(separator: " "))")
                }
                return lines.joined(separator: "\n")
            }
            if !healthy { throw CLIExit(.unhealthy) }
        }
    }
}

/// `registry gc --json`.
struct RegistryGCResult: Encodable {
    let repository: String
    let kept: [String]
    let removed: [String]
    let sizeBeforeBytes: Int?
    let sizeAfterBytes: Int?

    enum CodingKeys: String, CodingKey {
        case repository, kept, removed, sizeBeforeBytes = "size_before_bytes", sizeAfterBytes = "size_after_bytes"
    }
}

struct RegistryGCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Keep an app's --keep N newest images (every tag on them), delete the other tags, then garbage-collect unreferenced blobs.",
        discussion: """
            A deploy with registry: exe holds the registry's use lock (/data/.exe-registry-lock on the registry VM) \
            from before its push until it ends. gc takes the lock's collection side first: it waits up to --wait \
            seconds for those deploys to end and exits 8 naming them ("a push is in progress") if they do not; \
            while gc runs, new deploys wait for it (up to 2 minutes). Pushes made without exe-cli are not covered.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "The registry VM's name.") var name: String?
    @Option(help: "The repository (the app's image name in the registry).") var app: String
    @Option(help: "How many of the newest images to keep (at least 1); tags sharing an image, like latest, count once.") var keep: Int
    @Option(help: "Seconds to wait for deploys that push to or pull from the registry to end (then exit 8).") var wait: Int = 60

    func validate() throws {
        if keep < 1 { throw ValidationError("--keep must be at least 1") }
        if !(1...3600).contains(wait) { throw ValidationError("--wait must be 1 to 3600 seconds") }
    }

    mutating func run() async throws {
        let (option, app, keep, wait) = (name, app, keep, wait)
        try await CommandSession.run(global) { session in
            let registry = RegistrySession(session: session, name: try await RegistrySession.name(option, session: session))
            let vm = try await registry.existingVM()
            let connection = try await session.connect(to: vm)
            let details = DeployLockDetails(
                app: app, holder: session.environment.variable("USER") ?? "unknown", host: LocalHostName.current(), action: "registry gc",
                acquiredAt: Date())
            let lock: ExeRegistryLock
            do {
                lock = try await ExeRegistryLock.acquire(.collection, details: details, connection: connection, wait: .seconds(wait))
            } catch let error as ExeRegistryLockError {
                await connection.close()
                throw DeployError(.lockHeld, "\(vm.name): \(error)")
            } catch {
                await connection.close()
                throw error
            }
            do {
                try await Self.collect(registry: registry, vm: vm, app: app, keep: keep, session: session)
            } catch {
                await ExeHostedRegistry.Hold.release(lock, connection)
                throw error
            }
            await ExeHostedRegistry.Hold.release(lock, connection)
        }
    }

    /// Deletes the old manifests and garbage-collects, under the collection lock.
    private static func collect(registry: RegistrySession, vm: VM, app: String, keep: Int, session: CommandSession) async throws {
        let before = try await registry.storageBytes()
        let (kept, removed, empty) = try await registry.withAPI(vm) { api, _ in
            var described: [(tag: String, digest: String, created: Date?)] = []
            for tag in try await api.tags(app) {
                let (digest, created) = try await api.describe(app, tag: tag)
                described.append((tag, digest, created))
            }
            // Newest first: by the image's creation time, then by tag.
            described.sort { ($0.created ?? .distantPast, $0.tag) > ($1.created ?? .distantPast, $1.tag) }
            // N images, not N tags: `latest` and a release tag on one digest are one image.
            var keptDigests: [String] = []
            for entry in described where !keptDigests.contains(entry.digest) && keptDigests.count < keep {
                keptDigests.append(entry.digest)
            }
            var removed: [String] = []
            var deleted: Set<String> = []
            for entry in described where !keptDigests.contains(entry.digest) {
                if !deleted.contains(entry.digest) { try await api.deleteManifest(app, digest: entry.digest) }
                deleted.insert(entry.digest)
                removed.append(entry.tag)
            }
            let kept = described.filter { keptDigests.contains($0.digest) }.map(\.tag).sorted()
            return (kept, removed.sorted(), try await api.repositories().isEmpty)
        }
        // An empty registry has nothing to collect (and its garbage-collect fails on the missing tree).
        if !empty { try await registry.garbageCollect() }
        let after = try await registry.storageBytes()
        let result = RegistryGCResult(repository: app, kept: kept, removed: removed, sizeBeforeBytes: before, sizeAfterBytes: after)
        try session.output.result(result) {
            "\(app): kept \(kept.joined(separator: " ")); removed \(removed.isEmpty ? "nothing" : removed.joined(separator: " "))"
                + (before.flatMap { b in after.map { " (\(b) -> \($0) bytes)" } } ?? "")
        }
    }
}

/// `registry down --json`.
struct RegistryDownResult: Encodable {
    let name: String
    let removed: Bool
    let usedBy: [String]

    enum CodingKeys: String, CodingKey { case name, removed, usedBy = "used_by" }
}

struct RegistryDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Delete the registry VM (refused while VMs run images from it, unless --force).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The registry VM's name.") var name: String?
    @Flag(help: "Delete it even while VMs run its images (they keep running; they cannot be recreated from it).") var force = false

    mutating func run() async throws {
        let (option, force) = (name, force)
        try await CommandSession.run(global) { session in
            let registry = RegistrySession(session: session, name: try await RegistrySession.name(option, session: session))
            let vm = try await registry.existingVM()
            let address = ExeRegistryAccess.address(httpsURL: vm.httpsURL, name: vm.name)
            let users = try await session.client.list().vms.filter { ($0.image ?? "").hasPrefix(address + "/") }.map(\.name).sorted()
            if !users.isEmpty, !force {
                session.console.printError(
                    "error: \(vm.name) serves the images of \(users.joined(separator: ", ")); deploy them elsewhere first, or pass --force")
                throw CLIExit(.commandFailed)
            }
            try await session.client.remove(vm.name)
            let result = RegistryDownResult(name: vm.name, removed: true, usedBy: users)
            try session.output.result(result) { "Removed \(vm.name)." }
        }
    }
}
