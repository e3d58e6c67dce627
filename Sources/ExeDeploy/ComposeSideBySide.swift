import ExeControl
import ExeSSH
import ExeSystem
import ExeYAML
import Foundation

/// How a Pattern B update brings up its web service.
enum ComposeWebPlan {
    /// Beside the live one, then the proxy is switched to it.
    case sideBySide(ComposeSideBySide)
    /// `up -d` over the live one (the file does not allow side by side, or
    /// there is no live release); `port` is the slot's port when the file was
    /// put in side-by-side form (the first deploy), so the next one can run beside it.
    case inPlace(text: String, port: Int?)
}

/// A side-by-side update of the web service: what the deploy starts, and
/// what it retires once the proxy routes to the new container.
struct ComposeSideBySide {
    /// The new compose file, the web service in its slot.
    var text: String
    /// The new web service's slot.
    var slot: ComposeWebSlot
    /// The project of the new file.
    var project: String
    /// The live web container (retired after the switch), if there is one.
    var oldWebContainer: String?
    /// The port the VM's proxy routes to now.
    var livePort: Int?
    /// The file's other services (updated as in place, before the switch).
    var otherServices: [String]
    /// Containers of the old file the new one does not have (removed at the end).
    var orphans: [String]
}

extension ComposeDeployment {
    /// Where the VM's proxy port of the web service is recorded:
    /// `/data/.exe-deploy/<app>/web-port`.
    var webPortFile: String { "/data/.exe-deploy/\(configuration.app)/web-port" }

    /// Decides how `rendered` is brought up: side by side when the file
    /// allows it (``ComposeWebSlot/place(_:service:port:project:builtIn:)``)
    /// and a release is live, in place otherwise (with a warning when the
    /// file is why).
    func webPlan(_ rendered: String, oldText: String?, project: String, oldProject: String, vm: VM) async throws -> ComposeWebPlan {
        let service = configuration.compose.service
        let builtIn = configuration.compose.file == nil
        let recorded = oldText.flatMap { ComposeWebSlot.recorded(in: $0, project: oldProject) }
        let basePort: Int
        if let port = configuration.port {
            basePort = port
        } else if builtIn {
            basePort = 8080
        } else if let port = Self.containerPort(in: rendered, service: service) {
            basePort = port
        } else {
            steps.warning("the web service \"\(service)\" publishes no single port: updating in place (there may be a short outage)")
            return .inPlace(text: rendered, port: nil)
        }
        guard let candidates = ComposeWebSlot.ports(around: basePort) else {
            steps.warning("port \(basePort) is outside 3000-9999: updating in place (there may be a short outage)")
            return .inPlace(text: rendered, port: nil)
        }
        let livePort: Int?
        if let recorded {
            livePort = recorded.port
        } else if oldText != nil {
            livePort = (try? await context.control.share.port(vm.name))?.port
        } else {
            livePort = nil
        }
        let port = candidates.first { $0 != livePort } ?? candidates[0]
        let placed: (text: String, slot: ComposeWebSlot)
        do {
            placed = try ComposeWebSlot.place(rendered, service: service, port: port, project: project, builtIn: builtIn)
        } catch {
            steps.warning("\(error.description): updating in place, so there may be a short outage (Docs/ExeDeploy.md, \"Zero-downtime updates\")")
            return .inPlace(text: rendered, port: nil)
        }
        guard let oldText else { return .inPlace(text: placed.text, port: port) }
        return .sideBySide(try sideBySide(placed.text, slot: placed.slot, project: project, oldText: oldText, oldProject: oldProject, livePort: livePort))
    }

    /// The side-by-side update of `text` (already in slot form, `slot`)
    /// over the live file `oldText`: the live web container, the other
    /// services, and the old file's containers the new one no longer has.
    func sideBySide(_ text: String, slot: ComposeWebSlot, project: String, oldText: String, oldProject: String, livePort: Int?) throws
        -> ComposeSideBySide
    {
        let service = configuration.compose.service
        let recorded = ComposeWebSlot.recorded(in: oldText, project: oldProject)
        let newContainers = try ComposeFileRenderer.containers(in: text, project: project)
        let oldContainers = (try? ComposeFileRenderer.containers(in: oldText, project: oldProject)) ?? []
        let oldWeb = recorded?.containerName ?? oldContainers.first { $0.service == service }?.name
        let newNames = Set(newContainers.map(\.name))
        return ComposeSideBySide(
            text: text, slot: slot, project: project, oldWebContainer: oldWeb, livePort: livePort,
            otherServices: newContainers.map(\.service).filter { $0 != slot.slotService },
            orphans: oldContainers.map(\.name).filter { !newNames.contains($0) && $0 != oldWeb })
    }

    /// The container port the web service publishes, when it publishes one.
    static func containerPort(in text: String, service: String) -> Int? {
        let recorded = ComposeWebSlot.recorded(in: text, project: "")
        guard let document = (try? BoundedYAML.load(text)) as? [String: Any],
            let definition = (document["services"] as? [String: Any])?[recorded?.slotService ?? service] as? [String: Any],
            let ports = definition["ports"] as? [Any], ports.count == 1
        else { return nil }
        return ComposeWebSlot.publishedPort(ports[0])?.container
    }

    /// The side-by-side update: files written, images pulled, the other
    /// services updated and the new web container started beside the live
    /// one; it must run and answer on its own port (through the proxy's port
    /// URL, with a VM-scoped token); then `share port` switches the VM's
    /// proxy to it, the old container is given time to finish its requests
    /// and is removed, and the port is recorded. Until the switch, a failure
    /// removes the new container and puts the files back: the live web
    /// container is never touched.
    ///
    /// With `webRunning` (`deploy promote`) the new web container is the
    /// candidate, already running: only the other services are brought up.
    func applySideBySide(
        _ plan: ComposeSideBySide, environment change: EnvironmentChange, old: Data?, older: Data?, oldProject: String, vm: VM,
        connection: any RemoteHost, redactor: SecretRedactor, report: inout DeployReport, webRunning: Bool = false
    ) async throws {
        let text = plan.text
        let project = plan.project
        let containers = try ComposeFileRenderer.containers(in: text, project: project)
        let (environmentFiles, environment) = try await environmentToInstall(change, connection: connection)
        let services = plan.otherServices + (webRunning ? [] : [plan.slot.slotService])
        var switched = false
        do {
            let starting = services.isEmpty ? "" : ", up -d \(services.joined(separator: " "))"
            let beside = webRunning ? " (\(plan.slot.containerName) runs already)" : " beside the live \(plan.oldWebContainer ?? "release")"
            try await steps.run("update", "writing \(paths.composeFile), compose pull\(starting)\(beside)") {
                if let note = try await environmentFiles.install(environment, connection: connection) { steps.note(note) }
                try await connection.replaceAtomically(paths.composeFile, with: Data(text.utf8), keepPrevious: ".prev")
                try await composePull(containers, project: project, connection: connection, redactor: redactor)
                if let oldText = old.map({ String(decoding: $0, as: UTF8.self) }), oldProject != project {
                    let others = containers.filter { $0.service != plan.slot.slotService }
                    try await handOver(from: oldText, project: oldProject, to: others, connection: connection, redactor: redactor)
                }
                if !services.isEmpty {
                    try await remote(
                        connection, configuration.composeCommand(project: project, ["up", "-d"] + services), "docker compose up -d",
                        redactor: redactor)
                }
            }
            let portURL = Self.url(vm.httpsURL, port: plan.slot.port)
            try await steps.run("health", "waiting for \(containers.map(\.name).joined(separator: ", ")) to run and \(plan.slot.containerName) to answer on port \(plan.slot.port)") {
                try await waitHealthy(containers, vm: vm, connection: connection, redactor: redactor, base: portURL, isPublic: false)
            }
            try await steps.run("switch", "share port \(vm.name) \(plan.slot.port)") {
                _ = try await context.control.share.setPort(vm.name, plan.slot.port)
            }
            switched = true
        } catch {
            let reason = redactor.describe(error)
            context.progress(.warning("the new release failed: \(reason)"))
            let failing = (try? await notRunning(containers, connection: connection)) ?? []
            for container in (failing.isEmpty ? containers : containers.filter { failing.contains($0.name) }) {
                let logs = await containerLogs(container.name, connection: connection, redactor: redactor)
                report.logs.append(.init(source: "\(vm.name): \(container.service) (\(container.name))", text: logs))
                context.progress(.log(source: "\(vm.name): \(container.service) (\(container.name))", text: logs))
            }
            let wasSwitched = switched
            let restored = await CleanupTask.run {
                (try? await steps.run("restore", "removing \(plan.slot.containerName); the live release was not touched") {
                    try await retreat(
                        plan, failed: text, old: old, older: older, oldProject: oldProject, environmentFiles: environmentFiles,
                        replacedEnvironment: environment != nil, switched: wasSwitched, vm: vm, connection: connection, redactor: redactor)
                }) != nil
            }
            if !restored { steps.warning("restoring the previous compose file failed; check the VM with \(configuration.command("status"))") }
            report.outcome = restored ? .restored : .failed
            report.notes.append(
                "\(plan.oldWebContainer ?? "the live release") kept serving; the previous compose file is back in \(paths.composeFile); the failed one is \(paths.failedComposeFile)"
                    + (environment == nil ? "" : "; \(RemoteDeployPaths.environmentFile) is back as it was"))
            throw redactor.error(.unhealthy, "\(app) on \(vm.name): \(reason)", underlying: error)
        }
        try await steps.run("drain", "letting \(plan.oldWebContainer ?? "the old release") finish its requests, then removing it") {
            try await context.clock.sleep(Self.drainTime)
            let retired = ([plan.oldWebContainer].compactMap { $0 } + plan.orphans).filter { $0 != plan.slot.containerName }
            if !retired.isEmpty {
                let result = try await connection.run(configuration.dockerCommand(["rm", "-f"] + retired), timeout: .seconds(120))
                if !result.succeeded { steps.warning("removing \(retired.joined(separator: ", ")) failed: \(Self.tail(result))") }
            }
        }
        try? await recordWebPort(plan.slot.port, connection: connection)
        report.notes.append(
            "zero-downtime: \(plan.slot.containerName) answers on port \(plan.slot.port); the proxy switched from port \(plan.livePort.map(String.init) ?? "?")")
    }

    /// Before the switch: the new web container is removed, the files put
    /// back and the other services brought back to the previous file (the
    /// live web container is not touched). After it (`share port` answered
    /// but the deploy failed later): the proxy is switched back first.
    private func retreat(
        _ plan: ComposeSideBySide, failed: String, old: Data?, older: Data?, oldProject: String, environmentFiles: EnvironmentFileVersions,
        replacedEnvironment: Bool, switched: Bool, vm: VM, connection: any RemoteHost, redactor: SecretRedactor
    ) async throws {
        if switched, let live = plan.livePort { _ = try await context.control.share.setPort(vm.name, live) }
        _ = try? await connection.run(configuration.dockerCommand(["rm", "-f", plan.slot.containerName]), timeout: .seconds(120))
        try await connection.replaceAtomically(paths.failedComposeFile, with: Data(failed.utf8))
        try await environmentFiles.restore(replaced: replacedEnvironment, connection: connection)
        guard let old else { return }
        try await connection.replaceAtomically(paths.composeFile, with: old)
        if let older {
            try await connection.replaceAtomically(paths.previousComposeFile, with: older)
        } else {
            try await connection.removeFile(paths.previousComposeFile)
        }
        let oldText = String(decoding: old, as: UTF8.self)
        let oldWeb = plan.oldWebContainer
        let others = ((try? ComposeFileRenderer.containers(in: oldText, project: oldProject)) ?? []).filter { $0.name != oldWeb }.map(\.service)
        if !others.isEmpty {
            try await remote(
                connection, configuration.composeCommand(project: oldProject, ["up", "-d"] + others), "docker compose up -d (previous file)",
                redactor: redactor)
        }
    }

    /// Writes the port the VM's proxy routes to for the web service.
    func recordWebPort(_ port: Int, connection: any RemoteHost) async throws {
        try await connection.replaceAtomically(webPortFile, with: Data("\(port)\n".utf8))
    }

    /// How long the old web container keeps running after the switch.
    static let drainTime: Duration = .seconds(2)

    /// `base` with its port set to `port` (the proxy's port URL).
    static func url(_ base: String?, port: Int) -> String? {
        guard let base, var components = URLComponents(string: base) else { return nil }
        components.port = port
        return components.string
    }
}
