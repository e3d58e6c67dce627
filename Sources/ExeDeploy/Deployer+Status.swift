import ExeSystem
import ExeControl
import ExeSSH
import Foundation

extension Deployer {
    /// What is live and whether it answers (one health probe).
    public func status() async throws -> DeployStatus {
        let vm = try await liveVM()
        let app = configuration.app
        var redactor = self.redactor
        var status = DeployStatus(
            app: app, pattern: configuration.pattern, vm: vm.name, vmStatus: vm.status?.rawValue, url: vm.httpsURL, image: vm.image,
            health: "not checked", healthy: false, problems: [])
        if configuration.pattern == .replace, let holder = VMTagLock.holder(app: app, tags: vm.tags) {
            status.lock = holder.summary(at: context.clock.now())
        }
        if configuration.pattern == .replace {
            do {
                if let candidate = CandidateVM.candidates(of: vm.name, in: try await context.control.list().vms).first {
                    status.candidate = CandidateVM.describe(candidate)
                }
            } catch {
                status.problems.append("could not list the VMs for a candidate release: \(redactor.describe(error))")
            }
        }
        let configuration = self.configuration
        let context = self.context
        do {
            let remote: (Data, DeployLockDetails?, String?, String?, SecretRedactor, DeployCandidate?) = try await context.withConnection(to: vm) {
                [redactor] connection in
                var redactor = redactor
                await EnvironmentFileSecrets.learn(from: connection, into: &redactor)
                let log = try await AuditLog.read(app: app, connection: connection)
                guard configuration.pattern == .compose else { return (log, nil, nil, nil, redactor, nil) }
                let holder = try await VMDirectoryLock.holder(app: app, connection: connection)
                let candidate = try await ComposeDeployment.recordedCandidate(app: app, connection: connection)
                let paths = RemoteDeployPaths(app: app)
                guard try await connection.attributes(of: paths.composeFile) != nil else { return (log, holder, nil, nil, redactor, candidate) }
                let text = String(decoding: try await connection.download(paths.composeFile), as: UTF8.self)
                let project = ComposeFileRenderer.projectName(in: text)
                let containers = try ComposeFileRenderer.containers(in: text, project: project)
                let image = containers.first { ComposeWebSlot.isWeb($0.service, service: configuration.compose.service) }?.image ?? containers.first?.image
                let ps = try await connection.run(configuration.composeCommand(project: project, ["ps"]), timeout: .seconds(60))
                return (log, holder, image, (ps.stdout + ps.stderr).trimmingCharacters(in: .newlines), redactor, candidate)
            }
            redactor = remote.4
            let records = DeployAuditRecord.parse(remote.0)
            status.lastDeploy = records.last
            if let live = records.last(where: { $0.result == DeployReport.Outcome.deployed.rawValue }) {
                status.image = live.image
                status.digest = live.digest
            }
            if let holder = remote.1 { status.lock = holder.summary(at: context.clock.now()) }
            if let candidate = remote.5 { status.candidate = candidate }
            // Pattern A's candidate: who made it, and its digest, from the audit log.
            if var candidate = status.candidate, candidate.by == nil,
                let made = records.last(where: { $0.result == DeployReport.Outcome.candidate.rawValue && $0.image == candidate.image })
            {
                candidate.by = "\(made.actor) (on \(made.host))"
                candidate.digest = candidate.digest ?? made.digest
                status.candidate = candidate
            }
            if let image = remote.2 { status.image = image }
            status.containers = remote.3.map { redactor.redact($0) }
        } catch {
            status.problems.append("could not read the deploy state on \(vm.name): \(redactor.describe(error))")
        }
        if configuration.healthPath != "none", let url = vm.httpsURL {
            var check = HealthCheck(configuration)
            check.timeout = .seconds(5)
            var problems: [String] = []
            do {
                _ = try await HealthAccess.wait(
                    check, base: url, vm: vm.name, isPublic: nil, context: context, redactor: &redactor, warn: { problems.append($0) })
                status.health = "healthy (HTTP \(check.expectedStatus) at \(configuration.healthPath))"
                status.healthy = true
            } catch {
                status.health = redactor.describe(error)
            }
            status.problems += problems
        }
        return status
    }
}
