import ArgumentParser
import ExeControl
import ExeSSH
import ExeSystem
import Foundation

/// `exe-cli vm new [--name NAME] [--image IMAGE] ...`.
struct VMNewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Create a VM; with --wait, also wait until the VM itself answers SSH.",
        discussion: """
            exe.dev returns once the VM exists; for a moment after that its address may still be answered \
            by exe.dev's lobby (which accepts `true` and answers anything else with "command not found"). \
            --wait runs a probe only the VM's own shell can answer, about once a second, for up to 120 s.
            """)

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Option(help: "The VM's name (random when omitted).") var name: String?
    @Option(help: "The container image (default: exeuntu).") var image: String?
    @Option(help: "auto, none, or the container command.") var command: String?
    @Option(help: "A prompt for the Shelley agent (exeuntu only).") var prompt: String?
    @Flag(help: "Let the server email you about the VM (never over SSH).") var email = false
    @Option(help: "Memory, e.g. 4GB (binary units; at least 2 GB).") var memory: String?
    @Option(help: "Disk, e.g. 20GB (at least 10 GB).") var disk: String?
    @Option(help: "Number of CPUs.") var cpu: Int?
    @Option(name: .customLong("setup-script"), help: "A script run once at first boot (inline).") var setupScript: String?
    @Option(name: .customLong("setup-script-file"), help: "Read the setup script from this file.") var setupScriptFile: String?
    @Option(help: "A comment (at most 200 bytes).") var comment: String?
    @Option(name: .customLong("env"), help: "KEY=VALUE for the VM (repeatable).") var environment: [String] = []
    @Option(name: .customLong("secret-env"), help: "KEY=VALUE whose value is never shown in messages (repeatable); KEY alone reads $KEY.")
    var secretEnvironment: [String] = []
    @Option(name: .customLong("tag"), help: "A tag (repeatable).") var tags: [String] = []
    @Option(name: .customLong("integration"), help: "An integration to attach (repeatable).") var integrations: [String] = []
    @Option(name: .customLong("registry-auth"), help: "USER:PASSWORD for a private image registry.") var registryAuth: String?
    @Option(name: .customLong("registry-user"), help: "The registry user; the password is read from $EXE_REGISTRY_PASSWORD.")
    var registryUser: String?
    @Flag(name: [.customLong("standalone"), .customLong("sandbox")], help: "A standalone VM (sandbox): its own reserved vCPU and memory.")
    var standalone = false
    @Option(help: "Create the VM in this pool.") var pool: String?
    @Flag(name: .customLong("no-pool"), help: "Create the VM outside any pool.") var noPool = false
    @Flag(help: "Wait until the VM itself answers SSH (not exe.dev's lobby), up to 120 s.") var wait = false

    func validate() throws {
        if let name { do { _ = try VMName(name) } catch { throw ValidationError(error.message) } }
        if standalone, pool != nil || noPool { throw ValidationError("--standalone cannot be combined with --pool or --no-pool") }
        if pool != nil, noPool { throw ValidationError("--pool cannot be combined with --no-pool") }
        if setupScript != nil, setupScriptFile != nil {
            throw ValidationError("use --setup-script or --setup-script-file, not both")
        }
        if registryAuth != nil, registryUser != nil {
            throw ValidationError("use --registry-auth or --registry-user, not both")
        }
        if let registryAuth, !registryAuth.contains(":") {
            throw ValidationError("--registry-auth must be USER:PASSWORD")
        }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func options(environment: CLIEnvironment) throws -> NewVMOptions {
        var options = NewVMOptions(
            name: name, image: image, command: command, prompt: prompt, sendEmail: email, cpus: cpu, comment: comment,
            tags: tags, integrations: integrations)
        options.placement = standalone ? .standalone : noPool ? .noPool : pool.map { .pool($0) }
        options.memory = try memory.map { try ByteSize($0) }
        options.disk = try disk.map { try ByteSize($0) }
        if let setupScriptFile {
            guard let data = FileManager.default.contents(atPath: setupScriptFile) else {
                throw CLIUsageError("cannot read the setup script \(setupScriptFile)")
            }
            options.setupScript = String(decoding: data, as: UTF8.self)
        } else {
            options.setupScript = setupScript
        }
        options.environment = try variables(self.environment, secret: false, from: environment)
            + variables(secretEnvironment, secret: true, from: environment)
        if let registryAuth, let colon = registryAuth.firstIndex(of: ":") {
            options.registryAuth = RegistryCredentials(
                username: String(registryAuth[..<colon]), password: Secret(String(registryAuth[registryAuth.index(after: colon)...])))
        } else if let registryUser {
            guard let password = environment.variable("EXE_REGISTRY_PASSWORD") else {
                throw CLIUsageError("--registry-user needs the password in $EXE_REGISTRY_PASSWORD")
            }
            options.registryAuth = RegistryCredentials(username: registryUser, password: Secret(password))
        }
        return options
    }

    private func variables(_ entries: [String], secret: Bool, from environment: CLIEnvironment) throws -> [EnvironmentVariable] {
        try entries.map { entry in
            if secret, !entry.contains("=") {
                guard let value = environment.variables[entry] else {
                    throw CLIUsageError("--secret-env \(entry): $\(entry) is not set")
                }
                return EnvironmentVariable(name: entry, secret: Secret(value))
            }
            return try EnvironmentVariable(parsing: entry, secret: secret)
        }
    }

    func execute(_ session: CommandSession) async throws {
        let vm = try await session.client.create(try options(environment: session.environment))
        if wait { try await session.vmConnector().waitUntilReady(vm) }
        try session.output.result(vm) {
            let destination = vm.sshDestination(defaultUser: session.environment.ssh.userName)
            var lines = ["Created \(vm.name)."]
            lines.append("  ssh:   \(vm.sshCommand ?? "ssh -p \(destination.port) \(destination.user)@\(destination.host)")")
            if let url = vm.httpsURL { lines.append("  https: \(url)" + (vm.proxyPort.map { " (port \($0))" } ?? "")) }
            if let shelley = vm.shelleyURL { lines.append("  agent: \(shelley)") }
            return lines.joined(separator: "\n")
        }
    }
}
