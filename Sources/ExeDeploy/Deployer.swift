import ExeControl
import ExeSSH
import ExeSystem
import Foundation

/// Deploys an app the way its configuration says, and answers for it
/// afterwards: `deploy`, `rollback`, `status`, `logs`, `unlock`.
///
/// ```swift
/// let configuration = try DeployConfiguration.resolve(
///     overrides: DeployOverrides(), repositoryRoot: root, environment: environment, hostName: host)
/// let deployer = Deployer(configuration: configuration, context: context)
/// let report = try await deployer.deploy()
/// print(report.url ?? "", report.digest ?? "", report.timings.line)
/// ```
///
/// Every failure is a ``DeployError``; secrets (the registry token, the env
/// file's values, health-check tokens) are redacted from every message,
/// report and log it returns.
public struct Deployer: Sendable {
    /// The resolved settings.
    public let configuration: DeployConfiguration
    /// The side effects.
    public let context: DeployContext

    /// Creates a deployer.
    public init(configuration: DeployConfiguration, context: DeployContext) {
        self.configuration = configuration
        self.context = context
    }

    var actor: DeployActor {
        DeployActor(name: configuration.actor, host: configuration.hostName)
    }

    var redactor: SecretRedactor { SecretRedactor(configuration.registryPassword.map { [$0] } ?? []) }

    /// Takes the app's deploy lock, builds and pushes the image (or takes
    /// `--image`) while holding it, then deploys it with the configured
    /// pattern. A deploy that finds the lock held stops before building
    /// (``DeployError/Kind/lockHeld``), so concurrent deploys of one app do
    /// not all build and race on the registry's tags.
    ///
    /// With `promote` false (`exe-cli deploy --no-promote`) the deploy stops
    /// once the new release is healthy beside the live one, which keeps
    /// serving: the report's outcome is ``DeployReport/Outcome/candidate``
    /// and ``DeployReport/candidate`` says where the new release answers;
    /// ``promote()`` swaps it in, ``discard()`` removes it. While a
    /// candidate waits, deploys and rollbacks are refused
    /// (``DeployError/Kind/candidatePending``).
    ///
    /// - Returns: what is live now (or the candidate), with timings.
    /// - Throws: ``DeployError``; its ``DeployError/report`` says what was
    ///   kept or restored and carries the failing logs.
    public func deploy(promote: Bool = true) async throws -> DeployReport {
        let steps = DeploySteps(context: context)
        let redactor = self.redactor
        let tag = await ReleaseTag.make(repositoryRoot: configuration.repositoryRoot, date: context.clock.now(), runner: context.processRunner)
        let configuration = self.configuration
        let runner = context.processRunner
        let build: @Sendable () async throws -> BuiltImage = {
            try await Self.buildImage(configuration: configuration, tag: tag, runner: runner, steps: steps)
        }
        switch configuration.pattern {
        case .replace:
            return try await ReplaceDeployment(configuration: configuration, context: context, steps: steps, actor: actor)
                .deploy(build, action: .deploy, promote: promote, redactor: redactor)
        case .compose:
            return try await ComposeDeployment(configuration: configuration, context: context, steps: steps, actor: actor)
                .deploy(build, tag: tag, promote: promote, redactor: redactor)
        }
    }

    /// Builds and pushes the release image, or takes the prebuilt one
    /// (`--image`). Runs under the deploy lock.
    static func buildImage(configuration: DeployConfiguration, tag: String, runner: any ProcessRunner, steps: DeploySteps) async throws
        -> BuiltImage
    {
        let builder = try await ImageBuilderSelection.builder(for: configuration, runner: runner)
        if let prebuilt = configuration.prebuiltImage, configuration.builder == .prebuilt {
            steps.note("deploying the prebuilt image \(prebuilt)")
            return BuiltImage(reference: prebuilt, digest: prebuilt.digest)
        }
        guard let repository = configuration.repository else {
            throw DeployError(.configuration, "no image repository configured")
        }
        // An exe-hosted registry (`registry: exe`) is pushed to through a
        // local relay that adds its token, and pulled from at its address.
        let push = configuration.exeRegistryPushRepository
        if configuration.registryCredentials == nil, push == nil {
            steps.warning(
                "no registry credentials (registry.user and $\(configuration.registryPasswordEnv)): pushing and pulling without logging in")
        }
        let request = ImageBuildRequest(
            repository: push ?? repository, tag: tag, contextDirectory: configuration.absolutePath(configuration.context),
            dockerfile: configuration.absolutePath(
                (configuration.context as NSString).appendingPathComponent(configuration.dockerfile)),
            platform: configuration.platform, credentials: push == nil ? configuration.registryCredentials : nil)
        let image = try await builder.build(request, runner: runner, steps: steps).pulled(from: push == nil ? nil : repository)
        steps.note("pushed \(image.reference)" + (image.digest.map { " (\($0))" } ?? ""))
        return image
    }

    /// Goes back one release: Pattern A redeploys the previous image from
    /// the audit log (or `image`); Pattern B puts the previous compose file
    /// back. Health-gated like a deploy.
    public func rollback(to image: ImageReference? = nil) async throws -> DeployReport {
        let steps = DeploySteps(context: context)
        let redactor = self.redactor
        switch configuration.pattern {
        case .compose:
            guard image == nil else {
                throw DeployError(.configuration, "Pattern B rolls back to the previous compose file; to deploy a given image use `exe-cli deploy --image`")
            }
            return try await ComposeDeployment(configuration: configuration, context: context, steps: steps, actor: actor)
                .rollback(redactor: redactor)
        case .replace:
            if image == nil, configuration.replace.strategy == .blueGreen,
                let report = try await ReplaceDeployment(configuration: configuration, context: context, steps: steps, actor: actor)
                    .swapBack(redactor: redactor)
            {
                return report
            }
            let target: BuiltImage
            if let image {
                target = BuiltImage(reference: image, digest: image.digest)
            } else {
                target = try await previousRelease(redactor: redactor)
            }
            steps.note("rolling back to \(target.reference)")
            return try await ReplaceDeployment(configuration: configuration, context: context, steps: steps, actor: actor)
                .deploy({ target }, action: .rollback, redactor: redactor)
        }
    }

    /// Swaps the candidate release (`deploy --no-promote`) in, exactly as a
    /// deploy would have at that point, health-gated again first: Pattern A
    /// renames the live VM aside (kept paused per `keepReleases`) and the
    /// candidate VM in; Pattern B switches `share port` to the candidate's
    /// port, drains and removes the old container and records the port.
    ///
    /// - Throws: ``DeployError/Kind/noCandidate`` when none waits;
    ///   ``DeployError/Kind/unhealthy`` when it fails its check (it is then
    ///   removed and the live release keeps serving).
    public func promote() async throws -> DeployReport {
        let steps = DeploySteps(context: context)
        switch configuration.pattern {
        case .replace:
            return try await ReplaceDeployment(configuration: configuration, context: context, steps: steps, actor: actor).promote(redactor: redactor)
        case .compose:
            return try await ComposeDeployment(configuration: configuration, context: context, steps: steps, actor: actor).promote(redactor: redactor)
        }
    }

    /// Removes the candidate release (`deploy --no-promote`); nothing live
    /// is touched.
    ///
    /// - Throws: ``DeployError/Kind/noCandidate`` when none waits.
    public func discard() async throws -> DeployReport {
        let steps = DeploySteps(context: context)
        switch configuration.pattern {
        case .replace:
            return try await ReplaceDeployment(configuration: configuration, context: context, steps: steps, actor: actor).discard(redactor: redactor)
        case .compose:
            return try await ComposeDeployment(configuration: configuration, context: context, steps: steps, actor: actor).discard(redactor: redactor)
        }
    }

    /// The image deployed before the live one, from the live VM's audit log.
    private func previousRelease(redactor: SecretRedactor) async throws -> BuiltImage {
        let vm = try await liveVM()
        let log: Data
        do {
            log = try await context.withConnection(to: vm) { try await AuditLog.read(app: configuration.app, connection: $0) }
        } catch {
            throw redactor.error(
                .nothingToRollBack,
                "cannot read the audit log on \(vm.name) (\(redactor.describe(error))); name the image to go back to with --image")
        }
        let records = DeployAuditRecord.parse(log)
        let current = records.last { $0.result == DeployReport.Outcome.deployed.rawValue }?.image
        guard let target = DeployAuditRecord.rollbackTarget(in: records, current: current), let text = target.image,
            let reference = ImageReference(text)
        else {
            throw DeployError(
                .nothingToRollBack, "the audit log on \(vm.name) has no earlier release than \(current ?? "the live one"); name one with --image")
        }
        return BuiltImage(reference: reference, digest: target.digest)
    }

    func liveVM() async throws -> VM {
        let name = configuration.vm
        let vm: VM?
        do {
            vm = try await context.control.vm(named: name)
        } catch {
            throw ComposeDeployment.wrap(error, redactor: redactor, report: nil)
        }
        guard let vm else { throw DeployError(.notFound, "VM \"\(name)\" not found (app \(configuration.app))") }
        return vm
    }

    /// The app's recent logs: the compose services' (Pattern B) or the
    /// VM's (Pattern A).
    public func logs(tail: Int = 100) async throws -> String {
        let vm = try await liveVM()
        let redactor = self.redactor
        switch configuration.pattern {
        case .replace:
            return await VMLogs.fetch(vm, tail: tail, configuration: configuration, context: context, redactor: redactor)
        case .compose:
            let configuration = self.configuration
            do {
                return try await context.withConnection(to: vm) { connection in
                    var redactor = redactor
                    await EnvironmentFileSecrets.learn(from: connection, into: &redactor)
                    let paths = RemoteDeployPaths(app: configuration.app)
                    guard try await connection.attributes(of: paths.composeFile) != nil else {
                        throw DeployError(.notFound, "\(vm.name) has no \(paths.composeFile): nothing deployed yet")
                    }
                    let text = String(decoding: try await connection.download(paths.composeFile), as: UTF8.self)
                    let project = ComposeFileRenderer.projectName(in: text)
                    let result = try await connection.run(
                        configuration.composeCommand(project: project, ["logs", "--tail", String(tail)]), timeout: .seconds(120))
                    return redactor.redact((result.stdout + result.stderr).trimmingCharacters(in: .newlines))
                }
            } catch {
                throw ComposeDeployment.wrap(error, redactor: redactor, report: nil)
            }
        }
    }

    /// Breaks the app's deploy lock, whoever holds it.
    ///
    /// - Returns: who held it, or `nil` when it was not held.
    public func unlock() async throws -> DeployLockDetails? {
        let vm = try await liveVM()
        let app = configuration.app
        do {
            switch configuration.pattern {
            case .replace:
                let holder = VMTagLock.holder(app: app, tags: vm.tags)
                try await VMTagLock.breakLock(vm: vm.name, control: context.control)
                return holder
            case .compose:
                return try await context.withConnection(to: vm) { connection in
                    let holder = try await VMDirectoryLock.holder(app: app, connection: connection)
                    if holder != nil { try await VMDirectoryLock.breakLock(app: app, connection: connection) }
                    return holder
                }
            }
        } catch {
            throw ComposeDeployment.wrap(error, redactor: redactor, report: nil)
        }
    }
}
