import ExeControl
import ExeDeploy
import ExeSSH
import ExeSystem
import Foundation

/// What every `registry` subcommand shares: the registry VM's name and
/// address, a short-lived token for it, and a relay through which the
/// registry's API is spoken.
struct RegistrySession {
    let session: CommandSession
    let name: String

    /// The tag every registry VM carries.
    static let tag = "exe-registry"
    /// Where the bootstrap files live on the registry VM.
    static let directory = "/data/exe-registry"
    /// The image name the VM loads (no registry is needed to run it).
    static let image = "localhost/exe-registry:1"
    /// The container's name (for `docker exec`).
    static let container = "exe-registry"

    /// `--name`, else `reg-` + 8 hex digits of the account's email (VM names
    /// are global on exe.dev, so a fixed default would collide).
    static func name(_ option: String?, session: CommandSession) async throws -> String {
        if let option { return option }
        let email = try await session.client.whoami().email
        return "reg-" + SHA256Hasher.hexDigest(Data(email.utf8)).prefix(8)
    }

    /// Mints access to `vm` with the user's key.
    func access(for vm: VM) throws -> ExeRegistryAccess {
        let signer = try SSHSignerChoice.signer(identityFile: session.settings.identity, environment: session.environment.ssh)
        return try ExeRegistryAccess(
            vm: try VMName(vm.name), address: ExeRegistryAccess.address(httpsURL: vm.httpsURL, name: vm.name), signer: signer)
    }

    /// Runs `body` with the registry's API through a relay that is stopped after.
    func withAPI<T>(_ vm: VM, _ body: (ExeRegistryAPI, ExeRegistryAccess) async throws -> T) async throws -> T {
        let access = try access(for: vm)
        let relay = try access.relay(vmProxy: session.environment.variable("EXE_VM_PROXY"), trust: session.settings.trust)
        defer { relay.stop() }
        return try await body(ExeRegistryAPI(relayPort: relay.port), access)
    }

    /// Waits (up to `limit`) for `/v2/` to answer 200.
    static func waitHealthy(_ api: ExeRegistryAPI, limit: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await api.healthy() { return true }
            try? await Task.sleep(for: .milliseconds(300))
        }
        return false
    }

    /// The registry VM, or a not-found error naming `registry up`.
    func existingVM() async throws -> VM {
        guard let vm = try await session.client.vm(named: name) else {
            throw ControlError(.notFound, "registry VM \"\(name)\" not found; create it with: exe-cli registry up --name \(name)")
        }
        return vm
    }

    /// The compose file that runs the registry on the VM's proxy port.
    static func composeFile(proxyPort: Int) -> String {
        """
        name: exe-registry
        services:
          registry:
            image: \(image)
            container_name: \(container)
            ports:
              - "\(proxyPort):\(ExeRegistryImage.port)"
            volumes:
              - \(ExeRegistryImage.storage):\(ExeRegistryImage.storage)
            restart: always

        """
    }

    /// Builds the registry image here, copies it to the VM and runs it
    /// there: `docker load` and `docker compose up`, no registry involved.
    func bootstrap(_ vm: VM) async throws {
        let scratch = FileManager.default.temporaryDirectory.path + "/exe-registry-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let runner = LocalProcessRunner()
        let context = scratch + "/context"
        try await ExeRegistryImage.writeContext(at: context, runner: runner)
        let storage = ["--storage-driver", "vfs"]
        try await runner.check(ProcessInvocation(
            "buildah", storage + ["bud", "--isolation", "chroot", "-q", "-t", Self.image, context], timeout: .seconds(600)))
        let archive = scratch + "/image.tar"
        try await runner.check(ProcessInvocation(
            "buildah", storage + ["push", "-q", Self.image, "docker-archive:\(archive):\(Self.image)"], timeout: .seconds(600)))
        try await session.withVMConnection(named: vm.name) { connection in
            try await connection.createDirectory(Self.directory)
            try await connection.upload(contentsOf: archive, to: Self.directory + "/image.tar", timeout: .seconds(600))
            try await connection.upload(Data(Self.composeFile(proxyPort: vm.proxyPort ?? 8000).utf8), to: Self.directory + "/compose.yaml")
            let command = ShellCommand("mkdir", "-p", ExeRegistryImage.storage)
                .and(ShellCommand("docker", "load", "-q", "-i", Self.directory + "/image.tar"))
                .and(ShellCommand("docker", "compose", "-f", Self.directory + "/compose.yaml", "-p", "exe-registry", "up", "-d"))
            let result = try await connection.run(command, timeout: .seconds(600))
            guard result.succeeded else {
                throw ControlError(.conflict, "starting the registry on \(vm.name) failed: \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
    }
}

extension RegistrySession {
    /// Bytes under the registry's storage (`du -sb`), `nil` when unknown.
    func storageBytes() async throws -> Int? {
        try await session.withVMConnection(named: name) { connection in
            let result = try await connection.run(ShellCommand("du", "-sb", ExeRegistryImage.storage), timeout: .seconds(120))
            return result.stdout.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }
        }
    }

    /// The registry's `garbage-collect`, run in its container.
    func garbageCollect() async throws {
        try await session.withVMConnection(named: name) { connection in
            let command = ShellCommand([
                "docker", "exec", Self.container, ExeRegistryImage.binary, "garbage-collect", "--delete-untagged", ExeRegistryImage.configPath,
            ])
            let result = try await connection.run(command, timeout: .seconds(600))
            guard result.succeeded else {
                throw ControlError(.conflict, "garbage-collect on \(name) failed: \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
    }
}
