import ExeControl
import ExeSSH
import ExeSystem
import Foundation

/// `exe-cli doctor`: the seed's troubleshooting checklist as one run, over
/// one control connection and one VM connection, in order: the control
/// plane, the VM, the proxy, the containers, Pattern B's files, the
/// registry, the local repository. Every check has a deadline: a hung VM
/// makes its checks time out and the doctor goes on.
///
/// ```swift
/// let doctor = Doctor(target: DoctorTarget(configuration), configuration: .loaded(path: path, summary: "..."), context: context)
/// var report = await doctor.examine()
/// report.repairs = await doctor.repair(report)   // --fix
/// ```
public struct Doctor: Sendable {
    /// What is checked.
    public var target: DoctorTarget
    /// How loading `exe.deploy.yaml` went.
    public var configuration: DoctorRules.ConfigurationOutcome
    /// The control plane, the VM connection, HTTP, time.
    public var context: DeployContext
    /// Each check's deadline.
    public var deadline: Int

    /// Creates a doctor.
    public init(target: DoctorTarget, configuration: DoctorRules.ConfigurationOutcome, context: DeployContext, deadline: Int = 20) {
        self.target = target
        self.configuration = configuration
        self.context = context
        self.deadline = deadline
    }

    private func attempt<T: Sendable>(seconds: Int? = nil, _ body: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await DoctorDeadline.run(seconds: seconds ?? deadline, body)) } catch { return .failure(error) }
    }

    /// Runs every check.
    public func examine() async -> DoctorReport {
        let control = context.control
        let name = target.vm
        var redactor = SecretRedactor(target.registryPassword.map { [$0] } ?? [])
        var checks = DoctorRules.control(await attempt { try await control.whoami() })
        var pattern = target.pattern
        let local = localChecks()
        guard checks.first?.status != .failed, checks.dropFirst().first?.status != .failed else {
            let reason = "the control plane did not answer"
            checks += [.skipped("vm.exists", .vm, "exists", reason), .skipped("proxy.port", .proxy, "shared port", reason)]
            return DoctorReport(app: target.app, vm: name, pattern: pattern, checks: checks + local)
        }

        // The VM.
        let vm: VM?
        switch await attempt({ try await control.vm(named: name) }) {
        case .success(let found):
            vm = found
            checks += DoctorRules.vmState(found, name: name, pattern: pattern)
        case .failure(let error):
            checks.append(DoctorCheck("vm.exists", .vm, "exists", .failed, "ls \(name): \(DoctorRules.describe(error))"))
            return DoctorReport(app: target.app, vm: name, pattern: pattern, checks: checks + local)
        }
        guard let vm else { return DoctorReport(app: target.app, vm: name, pattern: pattern, checks: checks + local) }
        switch await attempt({ try await control.stat(name) }) {
        case .success(let stats): checks.append(DoctorRules.usage(stats, vm: name))
        case .failure(let error):
            checks.append(DoctorCheck("vm.usage", .vm, "CPU, memory, disk", .warning, "stat: \(DoctorRules.describe(error))"))
        }
        let running = vm.status == .running
        let notRunning = "the VM is \(vm.status?.rawValue ?? "not running")"

        // On the VM, over one connection.
        var seen = DoctorVMObservations()
        if running {
            seen = await observeVM(vm, pattern: &pattern, redactor: &redactor)
        }

        if running {
            checks.append(DoctorRules.ssh(connected: seen.connected, failure: seen.sshFailure, vm: name))
        } else {
            checks.append(.skipped("vm.ssh", .vm, "SSH to the VM", notRunning))
        }

        // The proxy.
        let share = await attempt { try await control.share.show(name) }
        let composeText = seen.composeText
        let published = composeText.flatMap { DoctorRules.publishedPort(in: $0, service: target.composeService) }
        let exposed = localExposedPort()
        let expected: (port: Int, source: String)? =
            published.map { ($0, "published by the compose file") } ?? target.port.map { ($0, "port: in exe.deploy.yaml") }
            ?? exposed.map { ($0, "EXPOSE in the Dockerfile") }
        switch share {
        case .success(let settings):
            let sharedPort = settings.port ?? vm.proxyPort
            checks.append(DoctorRules.sharedPort(sharedPort, expected: expected?.port, expectedSource: expected?.source ?? "", vm: name))
            checks.append(DoctorRules.visibility(settings.visibility, configured: target.isPublic, vm: name))
            if running, let base = vm.httpsURL {
                checks.append(
                    await urlCheck(base: base, isPublic: settings.visibility == .public, sharedPort: sharedPort, pattern: pattern, redactor: &redactor))
            } else {
                checks.append(.skipped("proxy.url", .proxy, "URL answers", running ? "the VM has no URL" : notRunning))
            }
        case .failure(let error):
            checks.append(DoctorCheck("proxy.port", .proxy, "shared port", .failed, "share show \(name): \(DoctorRules.describe(error))"))
        }

        // The containers, Pattern B's files, the registry.
        checks += vmChecks(vm, pattern: pattern, seen: seen, running: running, notRunning: notRunning, redactor: redactor)
        return DoctorReport(app: target.app, vm: name, pattern: pattern, checks: checks + local)
    }

    // MARK: the VM's side

    private func observeVM(_ vm: VM, pattern: inout DeployPattern?, redactor: inout SecretRedactor) async -> DoctorVMObservations {
        var seen = DoctorVMObservations()
        let connection: any RemoteHost
        switch await attempt({ [context] in try await context.connect(vm) }) {
        case .success(let opened): connection = opened
        case .failure(let error):
            seen.sshFailure = redactor.describe(error)
            seen.stoppedAnswering = "cannot reach \(vm.name) over SSH"
            return seen
        }
        seen.connected = "\(connection.destination)"
        await observe(vm, over: connection, into: &seen, pattern: &pattern, redactor: &redactor)
        _ = try? await DoctorDeadline.run(seconds: 5) { await connection.close() }
        return seen
    }

    private func observe(
        _ vm: VM, over connection: any RemoteHost, into seen: inout DoctorVMObservations, pattern: inout DeployPattern?,
        redactor: inout SecretRedactor
    ) async {
        let target = self.target
        let paths = RemoteDeployPaths(app: target.app)

        /// One step; after a timeout the rest are skipped.
        func step<T: Sendable>(_ id: String, seconds: Int? = nil, _ body: @escaping @Sendable () async throws -> T) async -> T? {
            guard seen.stoppedAnswering == nil else { return nil }
            switch await attempt(seconds: seconds, body) {
            case .success(let value): return value
            case .failure(let error):
                let message = redactor.describe(error)
                if error is DoctorDeadline.Expired { seen.stoppedAnswering = "\(vm.name) stopped answering (\(message))" }
                seen.problems[id] = message
                return nil
            }
        }

        // The env files' values are secrets: learn them before printing logs.
        for path in [RemoteDeployPaths.environmentFile, RemoteDeployPaths.previousEnvironmentFile] {
            let data = await step("secrets") { () -> Data? in
                guard try await connection.attributes(of: path) != nil else { return nil }
                return try await connection.download(path, timeout: .seconds(deadline + 5))
            }
            if let data = data ?? nil { redactor.addValues(ofEnvironmentFile: String(decoding: data, as: UTF8.self)) }
        }
        if let log = await step("containers.image", { try await AuditLog.read(app: target.app, connection: connection) }) {
            seen.records = DeployAuditRecord.parse(log)
        }
        let composeAttributes = await step("compose.file") { try await connection.attributes(of: paths.composeFile) }
        if pattern == nil { pattern = (composeAttributes ?? nil) != nil ? .compose : .replace }
        guard pattern == .compose else { return }
        if let attributes = composeAttributes ?? nil {
            seen.composeSize = attributes.size
            if let data = await step("compose.file", { try await connection.download(paths.composeFile) }) {
                seen.composeText = String(decoding: data, as: UTF8.self)
            }
        }
        if let attributes = await step("compose.env_file", { try await connection.attributes(of: RemoteDeployPaths.environmentFile) }) {
            seen.environmentMode = attributes?.permissions
        }
        if let holder = await step("deploy.lock", { try await VMDirectoryLock.holder(app: target.app, connection: connection) }) {
            seen.lockHolder = holder
        }
        let psCommand = target.dockerCommand(["ps", "-a", "--format", DoctorRules.containerFormat])
        if let ps = await step("containers", { try await connection.run(psCommand, timeout: .seconds(deadline + 5)) }) {
            if ps.succeeded {
                seen.containers = DoctorRules.containerRows(ps.stdout)
            } else {
                seen.problems["containers"] = redactor.redact(DoctorRules.lastLine(ps.stderr + ps.stdout))
            }
        }
        let expected = seen.composeText.flatMap { try? ComposeFileRenderer.containers(in: $0, project: ComposeFileRenderer.projectName(in: $0)) } ?? []
        for container in expected {
            guard let row = seen.containers?.first(where: { $0.name == container.name }), !row.status.hasPrefix("Up") else { continue }
            let logs = target.dockerCommand(["logs", "--tail", "20", container.name])
            if let result = await step("container.\(container.service)", { try await connection.run(logs, timeout: .seconds(deadline + 5)) }) {
                let lines = (result.stdout + result.stderr).split(whereSeparator: \.isNewline).map { redactor.redact(String($0)) }
                seen.logTails[container.name] = Array(lines.suffix(20))
            }
        }
        let web = expected.first { $0.service == target.composeService } ?? expected.first
        if let web, seen.containers?.first(where: { $0.name == web.name })?.status.hasPrefix("Up") == true {
            seen.runningDigests = await step("containers.image") { () -> [String]? in
                let container = try await connection.run(
                    target.dockerCommand(["inspect", "--format", "{{.Image}}", web.name]), timeout: .seconds(deadline + 5))
                let id = container.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                guard container.succeeded, !id.isEmpty else { return nil }
                let image = try await connection.run(
                    target.dockerCommand(["image", "inspect", "--format", "{{json .RepoDigests}}", id]), timeout: .seconds(deadline + 5))
                guard image.succeeded else { return nil }
                return try? JSONDecoder().decode([String].self, from: Data(image.stdout.utf8))
            } ?? nil
        }
        let image = web?.image
        if let image {
            let pull = target.dockerCommand(["pull", image])
            // A pull downloads layers: it gets more time than the other steps.
            let seconds = max(deadline, 90)
            if let result = await step("registry.pull", seconds: seconds + 5, { try await connection.run(pull, timeout: .seconds(seconds)) }) {
                seen.pulled = true
                if !result.succeeded { seen.pullFailure = redactor.redact(DoctorRules.lastLine(result.stderr + result.stdout)) }
            }
        }
    }

    private func vmChecks(
        _ vm: VM, pattern: DeployPattern?, seen: DoctorVMObservations, running: Bool, notRunning: String, redactor: SecretRedactor
    ) -> [DoctorCheck] {
        let name = vm.name
        let lastDeploy = seen.records.last { $0.result == DeployReport.Outcome.deployed.rawValue }
        let reason = seen.stoppedAnswering ?? notRunning
        func problem(_ id: String, _ section: DoctorSection, _ title: String) -> DoctorCheck? {
            if let message = seen.problems[id] {
                return DoctorCheck(id, section, title, .failed, message, fix: DoctorFix("exe-cli vm exec \(name) -- true (is SSH to the VM working?)"))
            }
            if !running || seen.stoppedAnswering != nil { return .skipped(id, section, title, reason) }
            return nil
        }
        guard pattern == .compose else {
            // Pattern A: the VM runs the image itself; its state is the VM's.
            var checks: [DoctorCheck] = [
                problem("containers.image", .containers, "image against the last deploy")
                    ?? DoctorRules.image(live: vm.image, running: nil, recorded: lastDeploy)
            ]
            if let holder = VMTagLock.holder(app: target.app, tags: vm.tags) {
                checks.append(DoctorRules.lock(holder, now: context.clock.now(), unlock: target.unlockCommand))
            }
            checks.append(
                .skipped(
                    "registry.pull", .registry, "the VM pulls the image",
                    pattern == .replace ? "Pattern A: exe.dev pulls the image when it makes the VM" : reason))
            return checks
        }
        var checks: [DoctorCheck] = []
        let composeFile = RemoteDeployPaths(app: target.app).composeFile
        let expected = seen.composeText.flatMap { try? ComposeFileRenderer.containers(in: $0, project: ComposeFileRenderer.projectName(in: $0)) }
        if let failed = problem("containers", .containers, "containers") {
            checks.append(failed)
        } else if let expected, !expected.isEmpty, let rows = seen.containers {
            for container in expected {
                let row = rows.first { $0.name == container.name }
                checks.append(
                    problem("container.\(container.service)", .containers, container.name)
                        ?? DoctorRules.container(container, row: row, logTail: seen.logTails[container.name] ?? [], vm: name, docker: target.docker))
            }
        } else {
            checks.append(.skipped("containers", .containers, "containers", "no compose file to name them"))
        }
        let running = expected?.first { $0.service == target.composeService } ?? expected?.first
        let runningImage = running.flatMap { container in seen.containers?.first { $0.name == container.name }?.image }
        checks.append(
            problem("containers.image", .containers, "image against the last deploy")
                ?? DoctorRules.image(live: running?.image, running: runningImage, recorded: lastDeploy, runningDigests: seen.runningDigests))
        checks.append(
            problem("compose.file", .compose, "compose file under /data") ?? DoctorRules.composeFile(path: composeFile, size: seen.composeSize))
        let referenced = seen.composeText?.contains(RemoteDeployPaths.environmentFile) ?? false
        checks.append(
            problem("compose.env_file", .compose, ".env.production, mode 0600")
                ?? DoctorRules.environmentFile(permissions: seen.environmentMode, referenced: referenced, vm: name))
        if let text = seen.composeText {
            checks.append(DoctorRules.volumes(composeText: text))
        } else {
            checks.append(.skipped("compose.volumes", .compose, "volumes under /data", "no compose file"))
        }
        checks.append(
            problem("deploy.lock", .compose, "deploy lock")
                ?? DoctorRules.lock(seen.lockHolder, now: context.clock.now(), unlock: target.unlockCommand))
        if let failed = problem("registry.pull", .registry, "the VM pulls the image") {
            checks.append(failed)
        } else if let image = running?.image, seen.pulled {
            checks.append(
                DoctorRules.registry(
                    image: image, failure: seen.pullFailure, user: target.registryUser, passwordEnv: target.registryPasswordEnv, vm: name,
                    docker: target.docker))
        } else {
            checks.append(.skipped("registry.pull", .registry, "the VM pulls the image", "no image named in the compose file"))
        }
        return checks
    }

    // MARK: the proxy's answer

    private func urlCheck(
        base: String, isPublic: Bool, sharedPort: Int?, pattern: DeployPattern?, redactor: inout SecretRedactor
    ) async -> DoctorCheck {
        let path = target.healthPath.hasPrefix("/") ? target.healthPath : "/" + target.healthPath
        let text = (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
        guard let url = URL(string: text) else {
            return DoctorCheck("proxy.url", .proxy, "URL answers", .failed, "not a URL: \(text)")
        }
        let probe = context.httpProbe
        let seconds = min(deadline, 10)
        let get: @Sendable ([String: Secret]) async -> Result<DoctorRules.HTTPProbeAnswer, DoctorRules.ProbeFailure> = { [redactor] headers in
            do {
                let response = try await DoctorDeadline.run(seconds: seconds + 2) {
                    try await probe.get(url, headers: headers, timeout: .seconds(seconds))
                }
                return .success(DoctorRules.HTTPProbeAnswer(status: response.status, location: response.location))
            } catch {
                return .failure(DoctorRules.ProbeFailure(redactor.describe(error)))
            }
        }
        var answer = DoctorRules.URLAnswer(url: text, anonymous: await get([:]))
        if !isPublic {
            var warning: String?
            let access = await HealthAccess.grant(vm: target.vm, isPublic: false, control: context.control, redactor: &redactor) { warning = $0 }
            if access.label != nil {
                answer.withToken = await get(access.headers)
                let control = context.control
                await CleanupTask.run { await access.revoke(control: control) }
            } else if let warning {
                answer.withToken = .failure(DoctorRules.ProbeFailure(warning))
            }
        }
        return DoctorRules.url(answer, expectedStatus: target.healthStatus, sharedPort: sharedPort, vm: target.vm, pattern: pattern)
    }

    // MARK: local

    private func localExposedPort() -> Int? {
        guard let path = target.dockerfile, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return RepositoryInspection.exposedPort(in: text)
    }

    private func localChecks() -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        if let path = target.dockerfile {
            let exposed: Int?? = (try? String(contentsOfFile: path, encoding: .utf8)).map { RepositoryInspection.exposedPort(in: $0) }
            let name = (path as NSString).lastPathComponent
            if exposed == nil && target.pattern == .compose {
                checks.append(.skipped("local.dockerfile", .local, "Dockerfile EXPOSE", "no \(name) (a compose app may run prebuilt images)"))
            } else {
                checks.append(DoctorRules.dockerfile(path: name, exposed: exposed, port: target.port))
            }
        } else {
            checks.append(.skipped("local.dockerfile", .local, "Dockerfile EXPOSE", "no exe.deploy.yaml to find it"))
        }
        checks.append(DoctorRules.configuration(configuration))
        return checks
    }
}
