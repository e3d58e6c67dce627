import ExeControl
import ExeSSH
import ExeSystem
import Foundation

/// Pattern B's manual promote: `deploy --no-promote` starts the new web
/// container in the free slot beside the live one and stops once it answers
/// on its own port; `deploy promote` switches to it as a side-by-side
/// deploy would at that point; `deploy discard` removes it.
///
/// The candidate lives next to the rest of the deploy state on the VM: its
/// compose file `/data/<app>.compose.yaml.candidate` (the whole new file,
/// web service in its slot) and its record
/// `/data/.exe-deploy/<app>/candidate.json` (``DeployCandidate``). The live
/// compose file, its `.prev`, the env file and the other services are not
/// touched until `promote`.
extension ComposeDeployment {
    /// Throws ``DeployError/Kind/candidatePending`` when a candidate waits.
    func refuseIfCandidateWaits(_ connection: any RemoteHost, vm: VM) async throws {
        guard try await connection.attributes(of: paths.candidateRecord) != nil else { return }
        let candidate = (try? await connection.download(paths.candidateRecord)).flatMap(DeployCandidate.decode)
        throw DeployError(
            .candidatePending,
            "the candidate release \(candidate?.container ?? "") (\(candidate?.image ?? "see \(paths.candidateRecord)")) waits on \(vm.name): promote it with `\(configuration.command("promote"))` or remove it with `\(configuration.command("discard"))` first")
    }

    /// The waiting candidate, or ``DeployError/Kind/noCandidate``.
    func waitingCandidate(_ connection: any RemoteHost, vm: VM) async throws -> DeployCandidate {
        guard try await connection.attributes(of: paths.candidateRecord) != nil else {
            throw DeployError(
                .noCandidate, "\(app) has no candidate release on \(vm.name) (no \(paths.candidateRecord)): make one with `\(configuration.command("run")) --no-promote`")
        }
        guard let candidate = DeployCandidate.decode(try await connection.download(paths.candidateRecord)) else {
            throw DeployError(.vm, "\(paths.candidateRecord) on \(vm.name) is not a candidate record; remove it with `\(configuration.command("discard"))`")
        }
        return candidate
    }

    /// The candidate as `deploy status` shows it, or `nil`.
    static func recordedCandidate(app: String, connection: any RemoteHost) async throws -> DeployCandidate? {
        let paths = RemoteDeployPaths(app: app)
        guard try await connection.attributes(of: paths.candidateRecord) != nil else { return nil }
        return DeployCandidate.decode(try await connection.download(paths.candidateRecord))
    }

    /// `--no-promote`: writes the candidate's compose file, pulls and starts
    /// only its web service (`up -d --no-deps <service>-<port>`, the other
    /// services are left as they are), and gates it on its own port URL
    /// with a VM-scoped token; then records it. On failure the candidate is
    /// removed; nothing live was touched.
    func stageCandidate(
        _ plan: ComposeSideBySide, vm: VM, connection: any RemoteHost, redactor: SecretRedactor, report: inout DeployReport
    ) async throws {
        let file = paths.candidateComposeFile
        let slot = plan.slot
        let compose = { (arguments: [String]) in configuration.dockerCommand(["compose", "-f", file, "-p", plan.project] + arguments) }
        let web = try ComposeFileRenderer.containers(in: plan.text, project: plan.project).filter { $0.service == slot.slotService }
        let portURL = Self.url(vm.httpsURL, port: slot.port)
        let live = plan.oldWebContainer ?? "the live release"
        let candidate: DeployCandidate
        do {
            try await steps.run("update", "writing \(file), compose pull, up -d --no-deps \(slot.slotService) beside \(live)") {
                try await connection.replaceAtomically(file, with: Data(plan.text.utf8))
                // An image of the exe-hosted registry comes through the forward, not a pull.
                try await fetchFromExeRegistry(web, vm: vm, connection: connection, redactor: redactor)
                if !web.contains(where: { isFromExeRegistry($0.image) }) {
                    try await remote(connection, compose(["pull", slot.slotService]), "docker compose pull", redactor: redactor)
                }
                try await remote(connection, compose(["up", "-d", "--no-deps", slot.slotService]), "docker compose up -d", redactor: redactor)
            }
            try await steps.run("health", "waiting for \(slot.containerName) to run and answer on port \(slot.port)") {
                try await waitHealthy(web, vm: vm, connection: connection, redactor: redactor, base: portURL, isPublic: false)
            }
            candidate = DeployCandidate(
                vm: vm.name, container: slot.containerName, port: slot.port, url: portURL, image: report.image, digest: report.digest,
                since: context.clock.now(), by: "\(actor.name) (on \(actor.host))")
            try await connection.replaceAtomically(paths.candidateRecord, with: try candidate.encoded())
        } catch {
            let reason = redactor.describe(error)
            context.progress(.warning("the candidate failed: \(reason)"))
            let logs = await containerLogs(slot.containerName, connection: connection, redactor: redactor)
            report.logs.append(.init(source: "\(vm.name): \(slot.slotService) (\(slot.containerName))", text: logs))
            context.progress(.log(source: "\(vm.name): \(slot.slotService) (\(slot.containerName))", text: logs))
            let removed = await removeCandidate(slot.containerName, connection: connection)
            report.outcome = removed ? .restored : .failed
            report.notes.append(
                removed
                    ? "\(live) kept serving; the candidate \(slot.containerName) was removed"
                    : "\(live) kept serving; remove what is left of the candidate with `\(configuration.command("discard"))`")
            throw redactor.error(.unhealthy, "\(app) on \(vm.name): \(reason)", underlying: error)
        }
        report.candidate = candidate
        report.url = portURL
        report.outcome = .candidate
        report.notes.append(
            "\(live) keeps serving; the candidate \(slot.containerName) answers at \(portURL ?? "port \(slot.port)") (exe.dev serves a VM's other ports to its owner only: log in, or send a VM-scoped token, `exe-cli token mint --vm \(vm.name)`, as X-Exedev-Authorization: Bearer ...): swap it in with `\(configuration.command("promote"))`, or remove it with `\(configuration.command("discard"))`")
    }

    /// Removes the candidate's container, compose file and record; whether
    /// all went.
    @discardableResult
    func removeCandidate(_ container: String?, connection: any RemoteHost) async -> Bool {
        let configuration = self.configuration
        let paths = self.paths
        return await CleanupTask.run {
            var ok = true
            if let container {
                let result = try? await connection.run(configuration.dockerCommand(["rm", "-f", container]), timeout: .seconds(120))
                ok = result?.succeeded ?? false
            }
            for file in [paths.candidateComposeFile, paths.candidateRecord] {
                do { try await connection.removeFile(file) } catch { ok = false }
            }
            return ok
        }
    }

    /// `deploy promote`: under the lock, the candidate's compose file
    /// becomes the live one (the live one its `.prev`), the other services
    /// are brought up, the candidate is health-gated again on its port, then
    /// `share port` switches, the old web container drains and is removed,
    /// and the port is recorded: a side-by-side deploy from the point where
    /// its new container runs. A candidate that fails is removed and the
    /// files put back; the live container is never touched.
    func promote(redactor: SecretRedactor) async throws -> DeployReport {
        try await withLockedVM(action: .promote, redactor: redactor) { vm, connection, redactor, report in
            let candidate = try await waitingCandidate(connection, vm: vm)
            report.candidate = candidate
            report.image = candidate.image
            report.digest = candidate.digest
            guard try await connection.attributes(of: paths.candidateComposeFile) != nil,
                try await connection.attributes(of: paths.composeFile) != nil
            else {
                throw DeployError(
                    .vm, "\(paths.candidateComposeFile) or \(paths.composeFile) is missing on \(vm.name); remove the candidate with `\(configuration.command("discard"))`")
            }
            let text = String(decoding: try await connection.download(paths.candidateComposeFile), as: UTF8.self)
            let project = ComposeFileRenderer.projectName(in: text)
            let old = try await connection.download(paths.composeFile)
            let older = try await connection.attributes(of: paths.previousComposeFile) == nil
                ? nil : try await connection.download(paths.previousComposeFile)
            let oldText = String(decoding: old, as: UTF8.self)
            let oldProject = ComposeFileRenderer.projectName(in: oldText)
            let livePort: Int?
            if let recorded = ComposeWebSlot.recorded(in: oldText, project: oldProject) {
                livePort = recorded.port
            } else {
                livePort = (try? await context.control.share.port(vm.name))?.port
            }
            guard let slot = ComposeWebSlot.recorded(in: text, project: project), slot.port != livePort else {
                throw DeployError(
                    .vm, "the candidate in \(paths.candidateComposeFile) does not run beside the live release (port \(livePort.map(String.init) ?? "?")); remove it with `\(configuration.command("discard"))`")
            }
            if let image = candidate.image.flatMap(ImageReference.init) {
                try await steps.run("prepare", "registry login on \(vm.name)") { try await registryLogin(connection, image: image, redactor: redactor) }
            }
            let plan = try sideBySide(text, slot: slot, project: project, oldText: oldText, oldProject: oldProject, livePort: livePort)
            do {
                try await applySideBySide(
                    plan, environment: .keep, old: old, older: older, oldProject: oldProject, vm: vm, connection: connection,
                    redactor: redactor, report: &report, webRunning: true)
            } catch {
                await removeCandidate(nil, connection: connection)
                report.notes.append("the candidate \(slot.containerName) was removed")
                throw error
            }
            await removeCandidate(nil, connection: connection)
            report.url = vm.httpsURL
        }
    }

    /// `deploy discard`: under the lock, removes the candidate's container,
    /// compose file and record; nothing live is touched.
    func discard(redactor: SecretRedactor) async throws -> DeployReport {
        try await withLockedVM(action: .discard, redactor: redactor) { vm, connection, redactor, report in
            let candidate = try await waitingCandidate(connection, vm: vm)
            report.candidate = candidate
            report.image = candidate.image
            let liveText = try await connection.attributes(of: paths.composeFile) == nil
                ? nil : String(decoding: try await connection.download(paths.composeFile), as: UTF8.self)
            let liveWeb = liveText.flatMap { ComposeWebSlot.recorded(in: $0, project: ComposeFileRenderer.projectName(in: $0))?.containerName }
            // A record naming the live container (edited by hand) never removes it.
            let container = candidate.container == liveWeb ? nil : candidate.container
            let removed = try await steps.run("discard", "removing the candidate \(container ?? "files")") {
                await removeCandidate(container, connection: connection)
            }
            guard removed else {
                throw DeployError(.vm, "the candidate \(candidate.container ?? "") could not be removed completely; run `\(configuration.command("discard"))` again")
            }
            report.notes.append("the candidate \(candidate.container ?? "") was removed; \(liveWeb ?? "the live release") keeps serving")
            report.outcome = .discarded
            report.url = vm.httpsURL
        }
    }
}
