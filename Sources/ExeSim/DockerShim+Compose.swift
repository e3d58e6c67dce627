import Foundation
import ExeSystem

extension DockerShim {
    /// A compose invocation's global options.
    struct ComposeOptions {
        var files: [String] = []
        var project: String?
        var command: String?
        var arguments: [String] = []
    }

    static func parseComposeOptions(_ arguments: [String]) -> ComposeOptions {
        var options = ComposeOptions()
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if options.command != nil {
                options.arguments.append(word)
            } else if word == "-f" || word == "--file" {
                index += 1
                if index < arguments.count { options.files.append(arguments[index]) }
            } else if word.hasPrefix("--file=") {
                options.files.append(String(word.dropFirst(7)))
            } else if word == "-p" || word == "--project-name" {
                index += 1
                if index < arguments.count { options.project = arguments[index] }
            } else if word.hasPrefix("--project-name=") {
                options.project = String(word.dropFirst(15))
            } else if word == "--env-file" || word == "--profile" || word == "--project-directory" {
                index += 1
            } else if word.hasPrefix("-") {
                // Other global options are accepted and ignored.
            } else {
                options.command = word
            }
            index += 1
        }
        return options
    }

    mutating func compose(_ arguments: [String]) -> Int32 {
        var options = Self.parseComposeOptions(arguments)
        let cwd = FileManager.default.currentDirectoryPath
        if options.files.isEmpty {
            let candidates = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: cwd + "/" + $0) }) else {
                err("no configuration file provided: not found")
                return 1
            }
            options.files = [found]
        }
        let files = options.files.map { absolute($0, relativeTo: cwd) }
        var merged: [String: ComposeFile.Service] = [:]
        var declaredName: String?
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                err("open \(file): no such file or directory")
                return 1
            }
            do {
                let parsed = try ComposeFile.parse(text)
                declaredName = parsed.name ?? declaredName
                for service in parsed.services { merged[service.name] = service }
            } catch {
                err("\(file): \(error)")
                return 1
            }
        }
        let directory = (files[0] as NSString).deletingLastPathComponent
        let rawProject = options.project ?? declaredName ?? (directory as NSString).lastPathComponent
        let project = String(rawProject.lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        let services = merged.keys.sorted().compactMap { merged[$0] }
        switch options.command {
        case "pull": return composePull(services, arguments: options.arguments)
        case "up": return composeUp(services, project: project, directory: directory, arguments: options.arguments)
        case "ps": return composePS(project: project)
        case "logs": return composeLogs(project: project, arguments: options.arguments)
        case "down", "rm": return composeDown(project: project)
        case "stop", "start", "restart":
            let names = loadContainers().containers.filter { $0.composeProject == project }.map(\.displayName)
            return names.isEmpty ? 0 : manage(options.command!, names)
        case nil:
            out("Usage:  docker compose [OPTIONS] COMMAND (exe-sim: pull, up, ps, logs, down, stop, start, restart)")
            return 0
        default:
            err("unknown docker command: \"compose \(options.command!)\"")
            return 1
        }
    }

    private func selected(_ services: [ComposeFile.Service], _ arguments: [String]) -> [ComposeFile.Service] {
        let names = arguments.filter { !$0.hasPrefix("-") }
        return names.isEmpty ? services : services.filter { names.contains($0.name) }
    }

    mutating func composePull(_ services: [ComposeFile.Service], arguments: [String]) -> Int32 {
        for service in selected(services, arguments) {
            err(" \(service.name) Pulling")
            guard pullImage(service.image) else {
                err(" \(service.name) Error")
                return 1
            }
            err(" \(service.name) Pulled")
        }
        return 0
    }

    func displayName(_ service: ComposeFile.Service, project: String) -> String {
        service.containerName ?? "\(project)-\(service.name)-1"
    }

    mutating func composeUp(_ services: [ComposeFile.Service], project: String, directory: String, arguments: [String]) -> Int32 {
        var removeOrphans = false
        var pullPolicy = "missing"
        var positional: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            switch word {
            case "--remove-orphans": removeOrphans = true
            case "--pull":
                index += 1
                if index < arguments.count { pullPolicy = arguments[index] }
            default:
                if word.hasPrefix("--pull=") { pullPolicy = String(word.dropFirst(7)) } else if !word.hasPrefix("-") { positional.append(word) }
            }
            index += 1
        }
        if !arguments.contains("-d"), !arguments.contains("--detach") {
            err("exe-sim: docker compose up runs detached (as with -d)")
        }
        guard configuration.containerRuntimeAvailable else {
            err("Cannot connect to the Docker daemon: no container runtime works on this machine (\(configuration.containerRuntimeProblem ?? "podman unavailable"))")
            return 1
        }
        let chosen = selected(services, positional)
        for service in chosen {
            let present = (try? runtime.podman(["image", "exists", service.image], timeout: .seconds(60)).status) == 0
            if pullPolicy == "always" || (!present && pullPolicy != "never") {
                err(" \(service.name) Pulling")
                guard pullImage(service.image) else { return 1 }
                err(" \(service.name) Pulled")
            } else if !present {
                err("Error response from daemon: No such image: \(service.image)")
                return 1
            }
        }
        do {
            return try withContainers { containers -> Int32 in
                if removeOrphans {
                    let keep = Set(services.map { displayName($0, project: project) })
                    let orphans = containers.containers.filter { $0.composeProject == project && !keep.contains($0.displayName) }
                    runtime.remove(orphans.map(\.podmanName))
                    containers.containers.removeAll { record in orphans.contains { $0.podmanName == record.podmanName } }
                    for orphan in orphans { err(" Container \(orphan.displayName)  Removed") }
                }
                for service in chosen {
                    let status = try startService(service, project: project, directory: directory, containers: &containers)
                    if status != 0 { return status }
                }
                return 0
            }
        } catch {
            err("\(error)")
            return 1
        }
    }

    private mutating func startService(
        _ service: ComposeFile.Service, project: String, directory: String, containers: inout VMContainers
    ) throws -> Int32 {
        let display = displayName(service, project: project)
        let previous = containers.containers.first { $0.displayName == display }
        var ports: [PublishedPort] = []
        for (vmPort, containerPort) in service.ports {
            if let clash = containers.containers.first(where: { $0.displayName != display && $0.ports.contains { $0.vmPort == vmPort } }) {
                err("Error response from daemon: driver failed programming external connectivity on endpoint \(display): Bind for 0.0.0.0:\(vmPort) failed: port is already allocated (by \(clash.displayName))")
                return 1
            }
            let reused = previous?.ports.first { $0.vmPort == vmPort }?.hostPort
            // In a VM's own network a port is published at its own number, as
            // docker on a VM does; on the shared host network at a free one.
            let hostPort = configuration.isolatesVMNetworks ? vmPort : (reused ?? LoopbackSocket.freePort())
            ports.append(PublishedPort(vmPort: vmPort, hostPort: hostPort, containerPort: containerPort))
        }
        var volumes: [String] = []
        for volume in service.volumes {
            var parts = volume.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2 else {
                volumes.append(volume)
                continue
            }
            let source = parts[0]
            if source.hasPrefix("/") || source.hasPrefix(".") || source.hasPrefix("~") {
                let inside = absolute(source, relativeTo: directory)
                try? FileManager.default.createDirectory(atPath: inside, withIntermediateDirectories: true)
                parts[0] = hostPath(inside)
            } else {
                parts[0] = "exesim-\(configuration.instanceID)-\(vmID)-\(source)"
            }
            volumes.append(parts.joined(separator: ":"))
        }
        var environmentFiles: [String] = []
        for file in service.environmentFiles {
            let inside = absolute(file, relativeTo: directory)
            guard FileManager.default.fileExists(atPath: inside) else {
                err("env file \(inside) not found: stat \(inside): no such file or directory")
                return 1
            }
            environmentFiles.append(hostPath(inside))
        }
        if !service.environment.isEmpty {
            let file = vmDirectory + "/compose-env/\(display).env"
            try AtomicFile.write(Data((service.environment.joined(separator: "\n") + "\n").utf8), to: file, mode: 0o600)
            environmentFiles.append(hostVMDirectory + "/compose-env/\(display).env")
        }
        let podmanName = runtime.containerName(vmID: vmID, name: display)
        let spec = ContainerRuntime.RunSpec(
            podmanName: podmanName, vmID: marker, displayName: display, image: service.image, ports: ports,
            environmentFiles: environmentFiles, volumes: volumes, command: service.command,
            entrypoint: service.entrypoint.map { JSONValue.strings($0).encoded() }, composeProject: project)
        err(" Container \(display)  \(previous == nil ? "Creating" : "Recreate")")
        do {
            try runtime.run(spec)
        } catch {
            err("Error response from daemon: \(error)")
            containers.containers.removeAll { $0.displayName == display }
            return 1
        }
        containers.containers.removeAll { $0.displayName == display }
        containers.containers.append(ContainerRecord(
            podmanName: podmanName, displayName: display, image: service.image, composeProject: project, service: service.name,
            ports: ports, restart: service.restart))
        err(" Container \(display)  Started")
        return 0
    }

    mutating func composePS(project: String) -> Int32 {
        let records = loadContainers().containers.filter { $0.composeProject == project }
        let statuses = runtime.statuses(label: "com.docker.compose.project", value: project)
        let rows = records.map { record -> [String: String] in
            [
                "Name": record.displayName, "Image": record.image, "Service": record.service ?? "",
                "Status": statuses[record.podmanName] ?? "Exited", "Ports": portsText(record),
            ]
        }
        out(contentsOf: GoTemplateTable.render("table {{.Name}}\t{{.Image}}\t{{.Service}}\t{{.Status}}\t{{.Ports}}", rows: rows))
        return 0
    }

    mutating func composeLogs(project: String, arguments: [String]) -> Int32 {
        let (tail, names) = Self.logsArguments(arguments)
        let records = loadContainers().containers.filter { $0.composeProject == project && (names.isEmpty || names.contains($0.service ?? "")) }
        for record in records {
            guard let output = try? runtime.logs(record.podmanName, tail: tail) else { continue }
            for line in (output.stdout + output.stderr).split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                out("\(record.displayName)  | \(line)")
            }
        }
        return 0
    }

    mutating func composeDown(project: String) -> Int32 {
        do {
            try withContainers { containers in
                let doomed = containers.containers.filter { $0.composeProject == project }
                runtime.remove(doomed.map(\.podmanName))
                containers.containers.removeAll { $0.composeProject == project }
                for record in doomed { err(" Container \(record.displayName)  Removed") }
            }
            return 0
        } catch {
            err("\(error)")
            return 1
        }
    }
}
