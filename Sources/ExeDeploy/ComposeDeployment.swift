import ExeControl
import ExeSSH
import ExeSystem
import Foundation

/// Pattern B: update a docker compose app in place on its existing VM,
/// over one SSH connection.
///
/// 1. Take the lock (`mkdir /data/.exe-deploy/<app>/lock`).
/// 2. `docker login --password-stdin` (the token on stdin).
/// 3. Upload `--env-file` as `/data/.env.production` (mode 0600), if given,
///    keeping the env file live before as `/data/.env.production.prev`.
/// 4. Write `/data/<app>.compose.yaml` atomically, keeping the old one as `.prev`.
/// 5. `docker compose pull`, `up -d --remove-orphans`.
/// 6. Health: every container running, then the HTTP check (if not `none`,
///    with a VM-scoped token when the VM is private: ``HealthAccess``).
/// 7. On failure: print the failing containers' logs, put the previous
///    compose and env files back, `up -d` again, and fail.
/// 8. Append an audit record; release the lock.
struct ComposeDeployment: Sendable {
    let configuration: DeployConfiguration
    let context: DeployContext
    let steps: DeploySteps
    let actor: DeployActor

    var app: String { configuration.app }
    var paths: RemoteDeployPaths { RemoteDeployPaths(app: app) }

    /// Takes the lock, then deploys the image `release` gives (it builds
    /// and pushes, under the lock). With `promote` false (`--no-promote`)
    /// the new web container is started beside the live one and left there
    /// as the candidate (``stageCandidate(_:vm:connection:redactor:report:)``).
    /// A waiting candidate refuses every deploy (``DeployError/Kind/candidatePending``).
    func deploy(_ release: @Sendable () async throws -> BuiltImage, tag: String, promote: Bool = true, redactor: SecretRedactor) async throws
        -> DeployReport
    {
        var redactor = redactor
        var environmentFile: Data?
        if !promote, configuration.compose.envFile != nil {
            throw DeployError(
                .configuration,
                "--no-promote cannot upload --env-file: \(RemoteDeployPaths.environmentFile) is the live release's too; deploy the env file with a normal deploy")
        }
        if let path = configuration.compose.envFile {
            let absolute = configuration.absolutePath(path)
            guard let data = FileManager.default.contents(atPath: absolute) else {
                throw DeployError(.configuration, "cannot read the env file \(absolute)")
            }
            redactor.addValues(ofEnvironmentFile: String(decoding: data, as: UTF8.self))
            environmentFile = data
        }
        let template: String?
        if let file = configuration.compose.file {
            let absolute = configuration.absolutePath(file)
            guard let text = try? String(contentsOfFile: absolute, encoding: .utf8) else {
                throw DeployError(.configuration, "cannot read the compose template \(absolute)")
            }
            template = text
        } else {
            template = nil
        }
        return try await withLockedVM(action: .deploy, redactor: redactor) { vm, connection, redactor, report in
            try await refuseIfCandidateWaits(connection, vm: vm)
            let image = try await release()
            try await steps.run("prepare", "preparing \(vm.name): /data" + (exeRegistry == nil ? ", registry login" : "")) {
                try await ensureWritableData(connection, vm: vm)
                try await registryLogin(connection, image: image.reference, redactor: redactor)
            }
            let hasEnvironmentFile: Bool
            if environmentFile != nil {
                hasEnvironmentFile = true
            } else {
                hasEnvironmentFile = try await connection.attributes(of: RemoteDeployPaths.environmentFile) != nil
            }
            let text =
                template.map { ComposeFileRenderer.render(template: $0, image: image.reference.description, tag: tag, app: app) }
                ?? ComposeFileRenderer.defaultFile(
                    app: app, service: configuration.compose.service, containerName: configuration.containerName,
                    image: image.reference.description, port: configuration.port ?? 8080,
                    includeEnvironmentFile: hasEnvironmentFile)
            report.image = image.reference.description
            report.digest = image.digest
            try await apply(
                text, environment: environmentFile.map { .upload($0) } ?? .keep, promote: promote, vm: vm, connection: connection,
                redactor: redactor, report: &report)
        }
    }

    /// Puts `/data/<app>.compose.yaml.prev` back (the current file becomes
    /// `.prev`), and `/data/.env.production.prev` with it when there is one.
    func rollback(redactor: SecretRedactor) async throws -> DeployReport {
        try await withLockedVM(action: .rollback, redactor: redactor) { vm, connection, redactor, report in
            try await refuseIfCandidateWaits(connection, vm: vm)
            guard try await connection.attributes(of: paths.previousComposeFile) != nil else {
                throw DeployError(.nothingToRollBack, "there is no previous compose file (\(paths.previousComposeFile)) on \(vm.name) to roll back to")
            }
            let previous = String(decoding: try await connection.download(paths.previousComposeFile), as: UTF8.self)
            let containers = try ComposeFileRenderer.containers(in: previous, project: app)
            report.image = containers.first { ComposeWebSlot.isWeb($0.service, service: configuration.compose.service) }?.image ?? containers.first?.image
            if exeRegistry == nil, let image = report.image.flatMap(ImageReference.init) {
                try await steps.run("prepare", "registry login on \(vm.name)") {
                    try await registryLogin(connection, image: image, redactor: redactor)
                }
            }
            try await apply(previous, environment: .previous, vm: vm, connection: connection, redactor: redactor, report: &report)
        }
    }

    // MARK: Steps

    /// Finds the VM, connects, takes the lock, runs `body`, records the
    /// outcome in the audit log, releases the lock and closes the connection.
    /// The outcome is `deployed` unless `body` set `candidate` or `discarded`.
    func withLockedVM(
        action: DeployAction, redactor: SecretRedactor,
        _ body: (VM, any RemoteHost, SecretRedactor, inout DeployReport) async throws -> Void
    ) async throws -> DeployReport {
        var redactor = redactor
        let vmName = configuration.vm
        var report = DeployReport(action: action, app: app, pattern: .compose, vm: vmName)
        guard let vm = try await context.control.vm(named: vmName) else {
            throw DeployError(
                .notFound,
                "VM \"\(vmName)\" not found: Pattern B updates an existing VM (create it once with `exe-cli vm new --name=\(vmName)`, or set vm:)")
        }
        report.url = vm.httpsURL
        let connection: any RemoteHost
        do {
            connection = try await context.connect(vm)
        } catch {
            throw redactor.error(.vm, "cannot reach \(vm.name) over SSH: \(redactor.describe(error))", underlying: error)
        }
        await EnvironmentFileSecrets.learn(from: connection, into: &redactor)
        let details = DeployLockDetails(
            app: app, holder: actor.name, host: actor.host, action: action.rawValue, acquiredAt: context.clock.now())
        let lock: VMDirectoryLock
        do {
            lock = try await steps.run("lock", "taking the deploy lock on \(vm.name)") {
                try await VMDirectoryLock.acquire(
                    details, connection: connection, vm: vm.name, now: context.clock.now(),
                    staleAfter: configuration.lockStaleAfter, unlockCommand: configuration.unlockCommand)
            }
        } catch {
            await connection.close()
            throw Self.wrap(error, redactor: redactor, report: nil)
        }
        do {
            report.previousImage = try await currentImage(connection)
            try await body(vm, connection, redactor, &report)
            if report.outcome != .candidate, report.outcome != .discarded { report.outcome = .deployed }
        } catch {
            report.error = redactor.describe(error)
            if report.outcome == .deployed { report.outcome = .failed }
            let failed = report
            await CleanupTask.run {
                await record(failed, connection: connection)
                await lock.release()
                await connection.close()
            }
            report.timings = steps.snapshot
            throw Self.wrap(error, redactor: redactor, report: report)
        }
        await record(report, connection: connection)
        await lock.release()
        await connection.close()
        report.timings = steps.snapshot
        return report
    }

    /// What a compose update does with `/data/.env.production`.
    enum EnvironmentChange {
        /// Leave it (its `.prev` becomes a copy).
        case keep
        /// Replace it with these bytes (`--env-file`).
        case upload(Data)
        /// Put `.prev` back, if there is one (rollback).
        case previous
    }

    /// The VM's `.env.production` versions as they are now (warning when
    /// they cannot be read), and the bytes `change` installs (`nil`: none).
    func environmentToInstall(_ change: EnvironmentChange, connection: any RemoteHost) async throws
        -> (versions: EnvironmentFileVersions, install: Data?)
    {
        let versions = try await EnvironmentFileVersions.capture(connection)
        if !versions.readable {
            steps.warning("\(RemoteDeployPaths.environmentFile) or its .prev cannot be read: it is not kept or restored with the compose file")
        }
        switch change {
        case .keep: return (versions, nil)
        case .upload(let data): return (versions, data)
        case .previous: return (versions, versions.previous)
        }
    }

    /// Writes `text` as the compose file (and changes the env file as
    /// `environment` says), brings it up and gates on health; restores the
    /// previous files when anything fails.
    private func apply(
        _ rendered: String, environment change: EnvironmentChange, promote: Bool = true, vm: VM, connection: any RemoteHost,
        redactor: SecretRedactor, report: inout DeployReport
    ) async throws {
        let project = ComposeFileRenderer.projectName(in: rendered)
        try await fetchFromExeRegistry(
            try ComposeFileRenderer.containers(in: rendered, project: project), vm: vm, connection: connection, redactor: redactor)
        let old = try await connection.attributes(of: paths.composeFile) == nil ? nil : try await connection.download(paths.composeFile)
        let older = try await connection.attributes(of: paths.previousComposeFile) == nil
            ? nil : try await connection.download(paths.previousComposeFile)
        let oldText = old.map { String(decoding: $0, as: UTF8.self) }
        let oldProject = oldText.map { ComposeFileRenderer.projectName(in: $0) } ?? project
        let plan = try await webPlan(rendered, oldText: oldText, project: project, oldProject: oldProject, vm: vm)
        if !promote {
            guard case .sideBySide(let sideBySide) = plan else {
                throw DeployError(
                    .configuration,
                    "--no-promote needs a live release and a compose file that lets the new one run beside it (Docs/ExeDeploy.md, \"Zero-downtime updates\"); nothing was changed")
            }
            try await stageCandidate(sideBySide, vm: vm, connection: connection, redactor: redactor, report: &report)
            return
        }
        let text: String
        let slotPort: Int?
        switch plan {
        case .sideBySide(let sideBySide):
            try await applySideBySide(
                sideBySide, environment: change, old: old, older: older, oldProject: oldProject, vm: vm, connection: connection,
                redactor: redactor, report: &report)
            return
        case .inPlace(let placed, let port):
            text = placed
            slotPort = port
        }
        let containers = try ComposeFileRenderer.containers(in: text, project: project)
        let (environmentFiles, environment) = try await environmentToInstall(change, connection: connection)
        do {
            try await steps.run("update", "writing \(paths.composeFile), compose pull, up -d --remove-orphans") {
                if let note = try await environmentFiles.install(environment, connection: connection) { steps.note(note) }
                try await connection.replaceAtomically(paths.composeFile, with: Data(text.utf8), keepPrevious: ".prev")
                try await composePull(containers, project: project, connection: connection, redactor: redactor)
                if let oldText, oldProject != project {
                    try await handOver(from: oldText, project: oldProject, to: containers, connection: connection, redactor: redactor)
                }
                try await remote(
                    connection, configuration.composeCommand(project: project, ["up", "-d", "--remove-orphans"]), "docker compose up -d",
                    redactor: redactor)
            }
            try await ensureSharePort(vm, port: slotPort)
            if let slotPort { try? await recordWebPort(slotPort, connection: connection) }
            try await steps.run("health", "waiting for \(containers.map(\.name).joined(separator: ", ")) to run and answer") {
                try await waitHealthy(containers, vm: vm, connection: connection, redactor: redactor)
            }
        } catch {
            let reason = redactor.describe(error)
            context.progress(.warning("the new compose file failed: \(reason)"))
            let failing = (try? await notRunning(containers, connection: connection)) ?? []
            for container in (failing.isEmpty ? containers : containers.filter { failing.contains($0.name) }) {
                let logs = await containerLogs(container.name, connection: connection, redactor: redactor)
                report.logs.append(.init(source: "\(vm.name): \(container.service) (\(container.name))", text: logs))
                context.progress(.log(source: "\(vm.name): \(container.service) (\(container.name))", text: logs))
            }
            let restored = await CleanupTask.run {
                (try? await steps.run("restore", old == nil ? "stopping the failed services" : "restoring the previous compose file") {
                    try await restore(
                        failed: text, old: old, older: older, project: project, oldProject: oldProject,
                        environmentFiles: environmentFiles, replacedEnvironment: environment != nil, connection: connection, redactor: redactor)
                }) != nil
            }
            if !restored { steps.warning("restoring the previous compose file failed; check the VM with \(configuration.command("status"))") }
            report.outcome = old == nil || !restored ? .failed : .restored
            if old != nil {
                report.notes.append(
                    "the previous compose file is back in \(paths.composeFile) and running; the failed one is \(paths.failedComposeFile)"
                        + (environment == nil ? "" : "; \(RemoteDeployPaths.environmentFile) is back as it was"))
            }
            throw redactor.error(.unhealthy, "\(app) on \(vm.name): \(reason)", underlying: error)
        }
    }

    func restore(
        failed: String, old: Data?, older: Data?, project: String, oldProject: String, environmentFiles: EnvironmentFileVersions,
        replacedEnvironment: Bool, connection: any RemoteHost, redactor: SecretRedactor
    ) async throws {
        try await connection.replaceAtomically(paths.failedComposeFile, with: Data(failed.utf8))
        try await environmentFiles.restore(replaced: replacedEnvironment, connection: connection)
        guard let old else {
            _ = try? await connection.run(configuration.composeCommand(project: project, ["down"]), timeout: .seconds(300))
            try await connection.run(ShellCommand("mv", "-f", paths.composeFile, paths.failedComposeFile), timeout: .seconds(30))
            return
        }
        try await connection.replaceAtomically(paths.composeFile, with: old)
        if let older {
            try await connection.replaceAtomically(paths.previousComposeFile, with: older)
        } else {
            try await connection.removeFile(paths.previousComposeFile)
        }
        if oldProject != project {
            _ = try? await connection.run(
                configuration.dockerCommand(["compose", "-f", paths.failedComposeFile, "-p", project, "down"]), timeout: .seconds(300))
        }
        try await remote(
            connection, configuration.composeCommand(project: oldProject, ["up", "-d", "--remove-orphans"]),
            "docker compose up -d (previous file)", redactor: redactor)
    }

    /// The first deploy over a file of another compose project (the seed's
    /// files run as project `data`): the old project's containers whose
    /// names the new file uses are removed, so the new project can create
    /// them (a restore brings them back under the old project).
    func handOver(
        from oldText: String, project oldProject: String, to containers: [ComposeContainer], connection: any RemoteHost,
        redactor: SecretRedactor
    ) async throws {
        let names = Set(containers.map(\.name))
        let taken = ((try? ComposeFileRenderer.containers(in: oldText, project: oldProject)) ?? []).filter { names.contains($0.name) }
        guard !taken.isEmpty else { return }
        steps.note("taking over \(taken.map(\.name).joined(separator: ", ")) from compose project \(oldProject)")
        try await remote(
            connection, configuration.dockerCommand(["rm", "-f"] + taken.map(\.name)), "docker rm -f (old project \(oldProject))",
            redactor: redactor)
    }

    // MARK: VM operations

    private func ensureWritableData(_ connection: any RemoteHost, vm: VM) async throws {
        let result = try await connection.run(ShellCommand("test", "-d", "/data").and(ShellCommand("test", "-w", "/data")), timeout: .seconds(30))
        guard result.succeeded else {
            throw DeployError(
                .vm,
                "/data on \(vm.name) is missing or not writable by the login user; create it once with: exe-cli vm exec \(vm.name) -- sudo install -d -o \"$(id -un)\" /data")
        }
    }

    func registryLogin(_ connection: any RemoteHost, image: ImageReference, redactor: SecretRedactor) async throws {
        // An exe-hosted registry is reached through a forward, not a login.
        guard exeRegistry == nil, let credentials = configuration.registryCredentials else { return }
        let command = configuration.dockerCommand(["login", "--username", credentials.username, "--password-stdin", image.registry])
        let result = try await connection.run(command, stdin: .string(credentials.password.reveal() + "\n"), timeout: .seconds(120))
        guard result.succeeded else {
            throw redactor.error(.registry, "docker login \(image.registry) on the VM failed: \(Self.tail(result))")
        }
    }

    /// Makes the VM's proxy route to the configured port (the default
    /// compose file publishes it), when a port is configured.
    func ensureSharePort(_ vm: VM, port slotPort: Int? = nil) async throws {
        guard let port = slotPort ?? configuration.port ?? (configuration.compose.file == nil ? 8080 : nil) else { return }
        let current = try await context.control.share.port(vm.name)
        guard current.port != port else { return }
        guard (3000...9999).contains(port) else {
            steps.warning("the VM routes port \(current.port.map(String.init) ?? "?"), not \(port); share port accepts 3000-9999 only")
            return
        }
        try await context.control.share.setPort(vm.name, port)
        steps.note("the VM's proxy now routes to port \(port) (was \(current.port.map(String.init) ?? "unset"))")
    }

    func waitHealthy(
        _ containers: [ComposeContainer], vm: VM, connection: any RemoteHost, redactor: SecretRedactor, base: String? = nil, isPublic: Bool? = nil
    ) async throws {
        let deadline = context.clock.instant() + configuration.healthTimeout
        while true {
            let states = try await containerStates(connection)
            let down = containers.filter { states[$0.name] != "running" }
            if down.isEmpty { break }
            if let dead = down.first(where: { ["exited", "dead"].contains(states[$0.name] ?? "") }) {
                throw DeployError(.unhealthy, "container \(dead.name) (service \(dead.service)) \(states[dead.name] ?? "stopped") right after starting")
            }
            guard context.clock.instant() < deadline else {
                let list = down.map { "\($0.name) (\(states[$0.name] ?? "missing"))" }.joined(separator: ", ")
                throw DeployError(.unhealthy, "not running after \(DurationText.format(configuration.healthTimeout)): \(list)")
            }
            try await context.clock.sleep(configuration.healthInterval)
        }
        if configuration.healthPath != "none", let url = base ?? vm.httpsURL {
            let check = HealthCheck(configuration)
            let deployment = self
            let steps = self.steps
            var redactor = redactor
            _ = try await HealthAccess.wait(
                check, base: url, vm: vm.name, isPublic: isPublic, context: context, redactor: &redactor, warn: { steps.warning($0) },
                note: { steps.note($0) }
            ) {
                guard let down = try? await deployment.notRunning(containers, connection: connection), !down.isEmpty else { return nil }
                return "container \(down.joined(separator: ", ")) stopped"
            }
        }
        let after = try await notRunning(containers, connection: connection)
        if !after.isEmpty {
            throw DeployError(.unhealthy, "container \(after.joined(separator: ", ")) stopped during the health check")
        }
    }

    /// Container name → state (`running`, `exited`, ...), from `docker ps -a`.
    func containerStates(_ connection: any RemoteHost) async throws -> [String: String] {
        let result = try await connection.run(
            configuration.dockerCommand(["ps", "-a", "--format", "{{.Names}}\t{{.State}}"]), timeout: .seconds(60))
        guard result.succeeded else { throw DeployError(.vm, "docker ps failed: \(Self.tail(result))") }
        var states: [String: String] = [:]
        for line in result.stdout.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "\t", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count == 2 { states[fields[0]] = fields[1].lowercased() }
        }
        return states
    }

    func notRunning(_ containers: [ComposeContainer], connection: any RemoteHost) async throws -> [String] {
        let states = try await containerStates(connection)
        return containers.filter { states[$0.name] != "running" }.map(\.name)
    }

    func containerLogs(_ name: String, connection: any RemoteHost, redactor: SecretRedactor) async -> String {
        guard let result = try? await connection.run(configuration.dockerCommand(["logs", "--tail", "50", name]), timeout: .seconds(60)) else {
            return "(no logs: the VM did not answer)"
        }
        let text = (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        return redactor.redact(text.isEmpty ? "(no output)" : text)
    }

    /// The image of the configured service in the compose file live now.
    private func currentImage(_ connection: any RemoteHost) async throws -> String? {
        guard try await connection.attributes(of: paths.composeFile) != nil else { return nil }
        let text = String(decoding: try await connection.download(paths.composeFile), as: UTF8.self)
        let containers = (try? ComposeFileRenderer.containers(in: text, project: app)) ?? []
        return containers.first { ComposeWebSlot.isWeb($0.service, service: configuration.compose.service) }?.image ?? containers.first?.image
    }

    func remote(_ connection: any RemoteHost, _ command: ShellCommand, _ what: String, redactor: SecretRedactor) async throws {
        let result = try await connection.run(command, timeout: .seconds(1800))
        guard result.succeeded else {
            throw redactor.error(.vm, "\(what) failed (exit status \(result.exitCode)): \(Self.tail(result))")
        }
    }

    private func record(_ report: DeployReport, connection: any RemoteHost) async {
        let entry = DeployAuditRecord(
            time: context.clock.now(), action: report.action.rawValue, actor: actor.name, host: actor.host, app: app, vm: report.vm,
            image: report.image, digest: report.digest, previousImage: report.previousImage, result: report.outcome.rawValue,
            detail: report.error)
        do {
            try await AuditLog.append(entry, app: app, connection: connection)
        } catch {
            context.progress(.warning("could not append to the audit log \(paths.auditLog): \(error)"))
        }
    }

    static func tail(_ result: CommandResult) -> String {
        let text = (result.stderr + "\n" + result.stdout).split(whereSeparator: \.isNewline).suffix(10).joined(separator: "\n")
        return text.isEmpty ? "(no output)" : text
    }

    /// Any error as a ``DeployError`` with `report` attached.
    static func wrap(_ error: any Error, redactor: SecretRedactor, report: DeployReport?) -> DeployError {
        if var deploy = error as? DeployError {
            deploy.message = redactor.redact(deploy.message)
            deploy.report = report ?? deploy.report
            return deploy
        }
        if error is CancellationError { return DeployError(.cancelled, "the deploy was interrupted", report: report) }
        let kind: DeployError.Kind = error is ControlError ? .control : .vm
        return redactor.error(kind, redactor.describe(error), report: report, underlying: error)
    }
}
