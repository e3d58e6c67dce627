import Foundation
import ExeSystem

extension ControlSession {
    func presentation(_ vm: VMRecord) -> VMPresentation { VMPresentation(vm: vm, configuration: configuration) }

    // MARK: ls

    func list() throws {
        _ = try listGrouping()
        let state = try store.snapshot()
        var selected: [VMRecord]
        if arguments.isEmpty {
            selected = state.vms
        } else {
            var names = Set<String>()
            for filter in arguments {
                let pattern = normalizedVMName(filter)
                for vm in state.vms where Glob.matches(pattern, vm.name) || vm.tags.contains(where: { Glob.matches(pattern, $0) }) {
                    names.insert(vm.name)
                }
            }
            selected = state.vms.filter { names.contains($0.name) }
        }
        // execore/ssh_command_handlers.go handleListCommand: filtered lists are
        // sorted by name; the unfiltered one keeps BoxesForUser's order.
        if arguments.isEmpty {
            selected.sort(by: VMRecord.listedBefore)
        } else {
            selected.sort { $0.name < $1.name }
        }
        if output.wantsJSON {
            // Each entry is a Go map in handleListCommand: keys sorted.
            output.json(.object([("vms", .array(selected.map { vm in
                guard case .object(let members) = presentation(vm).listEntry(region: vm.region ?? state.region) else { return .null }
                return .goMap(members + placementKeys(vm))
            }))]))
            return
        }
        if try listGrouped(selected, accountRegion: state.region) { return }
        if selected.isEmpty {
            output.line("No VMs found. Create one with 'new'.")
            return
        }
        let escape = "\u{1B}["
        if !flags.bool("l") {
            // handleListCommand's short form.
            output.line("\(escape)1;36mYour VMs:\(escape)0m")
            for vm in selected {
                var line = "  • \(escape)1m\(vm.name).exe.xyz\(escape)0m - \(Self.statusColor(vm.status))\(vm.status)\(escape)0m"
                if let image = vm.image, !image.isEmpty, image != "exeuntu" { line += " (\(image))" }
                for tag in vm.tags { line += " \(escape)36m#\(tag)\(escape)0m" }
                if !vm.comment.isEmpty { line += " \(escape)2m# \(vm.comment)\(escape)0m" }
                output.line(line)
            }
            return
        }
        // `ls -l`: handleListCommand's tabwriter columns (padding 2): name,
        // status, region, creation time, Shelley URL or `-`, URL, then tags
        // and comment, laid out with the colours' escapes counted.
        let rows = selected.map { vm -> [String] in
            let view = presentation(vm)
            var trailing = ""
            if !vm.tags.isEmpty { trailing += "\(escape)36m" + vm.tags.map { " #\($0)" }.joined() + "\(escape)0m" }
            if !vm.comment.isEmpty { trailing += "  \(escape)2m# \(vm.comment)\(escape)22m" }
            return [
                "\(escape)1m\(vm.name).exe.xyz\(escape)0m", "\(Self.statusColor(vm.status))\(vm.status)\(escape)0m",
                vm.region ?? state.region, vm.createdAt.rfc3339, view.shelleyURL ?? "-", view.httpsURL, trailing,
            ]
        }
        for line in TabWriter.lines(rows, padding: 2) { output.line(line) }
    }

    /// `statusColor` (`execore/ssh_command_handlers.go`): bold green,
    /// red or yellow for running, stopped and pending; nothing otherwise.
    static func statusColor(_ status: String) -> String {
        switch status {
        case "running": "\u{1B}[1;32m"
        case "stopped": "\u{1B}[1;31m"
        case "pending": "\u{1B}[1;33m"
        default: ""
        }
    }

    /// `ports`, or new ones if another VM already uses either (two
    /// processes can be handed the same free port a moment apart).
    func freshPorts(_ ports: (ssh: Int, http: Int), in state: SimState) -> (ssh: Int, http: Int) {
        var candidate = ports
        var attempts = 0
        while attempts < 20, state.vms.contains(where: { [$0.sshPort, $0.httpPort].contains(candidate.ssh) || [$0.sshPort, $0.httpPort].contains(candidate.http) }) {
            candidate = environment.lifecycle.allocatePorts()
            attempts += 1
        }
        return candidate
    }

    // MARK: new

    /// Tags from repeatable and comma-separated `--tag` values, validated,
    /// de-duplicated and sorted: `parseTagList` of `execore/ssh_new_command.go`
    /// on the values joined with `,` (`repeatedStringFlag`), its errors
    /// prefixed `--tag ` (and its regexp shown with anchors).
    func parseTags(_ values: [String]) throws -> [String] {
        let raw = values.joined(separator: ",")
        guard !raw.isEmpty else { return [] }
        var tags = Set<String>()
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let tag = part.trimmingCharacters(in: .whitespaces)
            guard !tag.isEmpty else { throw CommandFailure("--tag contains an empty tag") }
            guard TagRules.isValid(tag) else {
                throw CommandFailure("--tag " + TagRules.anchoredInvalidMessage(tag))
            }
            tags.insert(tag)
        }
        return tags.sorted()
    }

    func create() throws {
        let plan = environment.plan
        // The checks run in handleNewCommand's order (execore/ssh_new_command.go):
        // prompt from stdin, --tag, comment, setup script, --env, tags,
        // integrations, image name, --prompt with the image, sizes, then the
        // name and its availability; the image is pulled after all of them.
        // Placement (--standalone/--pool) is newer than that source: first.
        let placement = try requestedPlacement()
        let requestedName = flags.string("name") ?? ""
        let prompt = flags.string("prompt") ?? ""
        if prompt == "/dev/stdin" {
            // Only an SSH exec session has a stdin; read to EOF (up to
            // 16 KiB). Shelley is not simulated, so the prompt goes nowhere.
            guard request.transport == .ssh else {
                throw CommandFailure("--prompt=/dev/stdin requires a non-interactive SSH session (e.g., ssh exe.dev new --prompt=/dev/stdin)")
            }
            let data = request.readStandardInput(16 * 1024 + 1)
            if data.count > 16 * 1024 { throw CommandFailure("--prompt=/dev/stdin: input exceeds 16 KiB limit") }
            if String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw CommandFailure("--prompt=/dev/stdin: stdin was empty")
            }
        }
        let tags = try parseTags(flags.list("tag"))
        var comment = ""
        if let raw = flags.string("comment"), !raw.isEmpty {
            switch CommentRules.validate(raw) {
            case .success(let value): comment = value
            // execore/ssh_new_command.go: "--comment " + validateComment's error.
            case .failure(let error): throw CommandFailure("--comment \(error.message)")
            }
        }
        var setupScript: String?
        if let script = flags.string("setup-script"), !script.isEmpty {
            let text: String
            if script == "/dev/stdin" {
                guard request.transport == .ssh else {
                    throw CommandFailure("--setup-script=/dev/stdin requires a non-interactive SSH session (e.g., cat script.sh | ssh exe.dev new --setup-script=/dev/stdin)")
                }
                let data = request.readStandardInput(10 * 1024 + 1)
                if data.count > 10 * 1024 { throw CommandFailure("--setup-script=/dev/stdin: input exceeds 10 KiB limit") }
                var read = String(decoding: data, as: UTF8.self)
                while read.hasSuffix("\n") { read.removeLast() }
                if read.isEmpty { throw CommandFailure("--setup-script=/dev/stdin: stdin was empty") }
                text = read
            } else {
                text = script.replacingOccurrences(of: "\\\\", with: "\u{0}").replacingOccurrences(of: "\\n", with: "\n")
                    .replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(of: "\u{0}", with: "\\")
            }
            if text.utf8.count > 10 * 1024 { throw CommandFailure("setup script exceeds 10 KiB limit") }
            setupScript = text
        }
        for pair in flags.list("env") {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CommandFailure("invalid environment variable format \(GoFlagParser.goQuote(pair)): must be KEY=VALUE")
            }
        }
        var integrations: [String] = []
        for value in flags.list("integration") + flags.list("int") {
            integrations += value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let known = try store.snapshot().integrations.map(\.name)
        for integration in integrations where !known.contains(integration) {
            throw CommandFailure("integration \(GoFlagParser.goQuote(integration)) not found")
        }
        let imageText = flags.string("image") ?? "exeuntu"
        if let problem = ImageNameRules.problem(imageText, simulatorRegistry: configuration.registryAddress) {
            throw CommandFailure("invalid image: \(problem)")
        }
        guard let reference = ImageName(imageText) else {
            throw CommandFailure("invalid image name \(GoFlagParser.goQuote(imageText))")
        }
        if !prompt.isEmpty, !reference.isExeuntu { throw CommandFailure("--prompt can only be used with the exeuntu image") }
        var registryAuth: Secret?
        if let auth = flags.string("registry-auth"), !auth.isEmpty {
            guard auth.contains(":") else { throw CommandFailure("invalid --registry-auth: must be USERNAME:PASSWORD") }
            registryAuth = Secret(auth)
        }
        var memory = plan.defaultMemory
        if let text = flags.string("memory"), !text.isEmpty { memory = try plan.memory(text).get() }
        var disk = plan.defaultDisk
        if let text = flags.string("disk"), !text.isEmpty { disk = try plan.disk(text).get() }
        var cpus = plan.defaultCPUs
        // --cpu is a Uint flag read as `if cpuVal > 0`: 0 keeps the default.
        if let count = Int(flags.string("cpu") ?? ""), count > 0 { cpus = try plan.cpus(count).get() }
        if !requestedName.isEmpty {
            if let problem = VMNameRules.problem(requestedName) { throw CommandFailure(problem) }
            if try store.snapshot().vm(named: requestedName) != nil {
                throw CommandFailure("VM name \(GoFlagParser.goQuote(requestedName)) is not available")
            }
        }

        var resolved: ResolvedImage?
        var storedImage: String?
        if !reference.isExeuntu {
            resolved = try environment.lifecycle.resolveImage(imageText, registryAuth: registryAuth)
            storedImage = imageText
        }
        let command = flags.string("command") ?? "auto"
        let proxyPort = ImagePorts.proxyPort(exposed: resolved?.exposedPorts ?? [8000, 9999])
        var ports = environment.lifecycle.allocatePorts()
        let createdAt = now

        // Reserve the name and the record under the lock.
        let record: VMRecord = try store.update { state in
            for integration in integrations where !state.integrations.contains(where: { $0.name == integration }) {
                throw CommandFailure("integration \(GoFlagParser.goQuote(integration)) not found")
            }
            let poolRegion = try checkCapacity(placement, cpus: cpus, in: state)
            var name = requestedName
            if name.isEmpty {
                name = RandomVMName.generate { candidate in state.vm(named: candidate) == nil && VMNameRules.problem(candidate) == nil }
            } else if state.vm(named: name) != nil {
                throw CommandFailure("VM name \(GoFlagParser.goQuote(name)) is not available")
            }
            ports = freshPorts(ports, in: state)
            let id = String(format: "vm%04d", state.nextVMNumber)
            state.nextVMNumber += 1
            var vm = VMRecord(
                id: id, name: name, status: "creating", image: storedImage, command: command, tags: tags, comment: comment,
                createdAt: createdAt, region: state.region, memoryBytes: memory, diskBytes: disk, cpus: cpus, sshPort: ports.ssh,
                httpPort: ports.http, proxyPort: proxyPort, share: "private", sharedUsers: [], links: [],
                emailEnabled: false, environment: flags.list("env"), exposedPorts: resolved?.exposedPorts ?? [8000, 9999],
                setupScript: setupScript, integrations: integrations)
            if placement == .standalone { vm.standalone = true }
            if case .pool(let pool) = placement { vm.pool = pool }
            if let poolRegion { vm.region = poolRegion }
            state.vms.append(vm)
            return vm
        }
        // handleNewCommand: `Writeln` (nothing in JSON mode), exeuntu shown as
        // boldsoftware/exeuntu.
        let displayImage = (record.image ?? "exeuntu") == "exeuntu" ? "boldsoftware/exeuntu" : (record.image ?? "")
        output.line("Creating \(record.name) using image \(displayImage)...")
        do {
            try environment.lifecycle.provision(record, image: resolved, registryAuth: registryAuth)
        } catch {
            environment.lifecycle.destroy(record)
            try store.update { state in state.vms.removeAll { $0.id == record.id } }
            if let failure = error as? CommandFailure { throw failure }
            throw CommandFailure("failed to create VM \(GoFlagParser.goQuote(record.name)): \(error)")
        }
        var running = record
        running.status = "running"
        try store.update { state in
            if let index = state.vms.firstIndex(where: { $0.id == record.id }) {
                state.vms[index].status = "running"
                state.vms[index].updatedAt = self.now
            }
        }
        environment.lifecycle.notifyDaemon()
        let view = presentation(running)
        output.json(view.creationDetails())
        // handleNewCommand's non-interactive form (`execore/ssh_new_command.go`):
        // a blank line, then each service's title and address; SSH last.
        output.line()
        output.line("App (HTTPS proxy → :\(running.proxyPort))")
        output.line(view.httpsURL)
        output.line()
        output.line("SSH")
        output.line(view.sshCommand)
        output.line()
    }

    // MARK: rm

    /// `rm` as `handleDeleteCommand` (`execore/ssh_command_handlers.go`)
    /// has it: a name given twice is deleted once, a name that fails is
    /// reported and the rest go on, and the command itself succeeds (exit
    /// status 0) even when every name failed: a client learns of failures
    /// from the `failed` list or the error lines, never from the status.
    func remove() throws {
        guard !arguments.isEmpty else { throw CommandFailure("please specify at least one VM name to delete") }
        var deleted: [String] = []
        var failed: [String] = []
        var doomed: [VMRecord] = []
        var seen: Set<String> = []
        try store.update { state in
            for argument in arguments {
                let name = normalizedVMName(argument)
                guard seen.insert(name).inserted else { continue }
                guard let index = state.vmIndex(named: name) else {
                    output.error("VM \(GoFlagParser.goQuote(name)) not found")
                    failed.append(name)
                    continue
                }
                output.line("Deleting \(name)...")
                doomed.append(state.vms[index])
                state.vms.remove(at: index)
                deleted.append(name)
            }
        }
        for vm in doomed { environment.lifecycle.destroy(vm) }
        if !doomed.isEmpty { environment.lifecycle.notifyDaemon() }
        output.json(.object([("deleted", .strings(deleted)), ("failed", .strings(failed))]))
        if !deleted.isEmpty { output.line("\(deleted.count) VM(s) deleted successfully") }
    }

    // MARK: restart

    func restart() throws {
        guard arguments.count == 1 else {
            throw CommandFailure("please specify exactly one VM name to restart, got \(arguments.count)")
        }
        let name = normalizedVMName(arguments[0])
        guard let vm = try store.snapshot().vm(named: name) else { throw CommandFailure("VM \(GoFlagParser.goQuote(name)) not found") }
        if vm.status == "creating" { throw CommandFailure("VM is in state \"CREATING\" and cannot be restarted") }
        output.line("Restarting \(name)...")
        do {
            try environment.lifecycle.restart(vm)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("VM cannot be started: \(error)")
        }
        try store.update { state in
            if let index = state.vms.firstIndex(where: { $0.id == vm.id }) {
                state.vms[index].status = "running"
                state.vms[index].updatedAt = self.now
            }
        }
        output.json(.goMap([("vm_name", .string(name)), ("status", .string("restarted"))]))
        output.line("VM \(GoFlagParser.goQuote(name)) restarted successfully")
    }

    // MARK: rename

    func rename() throws {
        guard arguments.count == 2 else { throw CommandFailure("usage: rename <oldname> <newname>") }
        // execore/ssh_rename_command.go: both names are used as typed (no
        // `.exe.xyz` stripped); the new name's availability is checked
        // before whether the VM is still being created or not running.
        let oldName = arguments[0]
        let newName = arguments[1]
        if oldName == newName {
            output.line("\(oldName) is already named \(newName)")
            return
        }
        if let problem = VMNameRules.problem(newName) {
            throw CommandFailure("invalid new name: \(problem)")
        }
        try store.update { state in
            guard let index = state.vmIndex(named: oldName) else { throw CommandFailure("vm \(GoFlagParser.goQuote(oldName)) not found") }
            if state.vm(named: newName) != nil { throw CommandFailure("name \(GoFlagParser.goQuote(newName)) is not available") }
            if state.vms[index].status == "creating" {
                throw CommandFailure("can't rename \(GoFlagParser.goQuote(oldName)) while it is still being created")
            }
            if state.vms[index].status != "running" { throw CommandFailure("vm rename not supported when vm is not running!") }
            state.vms[index].name = newName
            state.vms[index].updatedAt = self.now
        }
        environment.lifecycle.notifyDaemon()
        output.json(.object([("old_name", .string(oldName)), ("new_name", .string(newName)), ("status", .string("renamed"))]))
        output.line("Renamed \(oldName) to \(newName)")
    }

    // MARK: tag

    func tag() throws {
        // execore/ssh_tag_command.go handleTagCommand.
        guard arguments.count >= 2 else { throw CommandFailure("usage: tag [-d] <vm> <tag-name> [tag-name...]") }
        let name = normalizedVMName(arguments[0])
        let requested = Array(arguments.dropFirst())
        var seen = Set<String>()
        for tag in requested {
            guard TagRules.isValid(tag) else { throw CommandFailure(TagRules.invalidMessage(tag)) }
            guard seen.insert(tag).inserted else { throw CommandFailure("tag \(GoFlagParser.goQuote(tag)) specified more than once") }
        }
        let delete = flags.bool("d")
        let tags: [String] = try store.update { state in
            guard let index = state.vmIndex(named: name) else { throw CommandFailure("vm \(GoFlagParser.goQuote(name)) not found") }
            var current = Set(state.vms[index].tags)
            for tag in requested {
                if delete {
                    guard current.remove(tag) != nil else { throw CommandFailure("tag \(GoFlagParser.goQuote(tag)) not found on \(name)") }
                } else {
                    guard current.insert(tag).inserted else { throw CommandFailure("tag \(GoFlagParser.goQuote(tag)) already exists on \(name)") }
                }
            }
            state.vms[index].tags = current.sorted()
            state.vms[index].updatedAt = self.now
            return state.vms[index].tags
        }
        // WriteJSON of a Go map: keys in sorted order.
        output.json(.object([("tags", .strings(tags)), ("vm_name", .string(name))]))
        // formatTagList: `tag "a"` for one, `tags "a", "b"` for more.
        let list = requested.count == 1 ? "tag \(GoFlagParser.goQuote(requested[0]))" : "tags " + requested.map(GoFlagParser.goQuote).joined(separator: ", ")
        output.line(delete ? "Removed \(list) from \(name)" : "Added \(list) to \(name)")
    }

    // MARK: comment

    func comment() throws {
        guard arguments.count >= 2 else { throw CommandFailure("usage: comment <hostname> <text>") }
        let name = normalizedVMName(arguments[0])
        let text: String
        switch CommentRules.validate(arguments.dropFirst().joined(separator: " ")) {
        case .success(let value): text = value
        case .failure(let error): throw CommandFailure(error.message)
        }
        try store.update { state in
            guard let index = state.vmIndex(named: name) else { throw CommandFailure("vm \(GoFlagParser.goQuote(name)) not found") }
            state.vms[index].comment = text
            state.vms[index].updatedAt = self.now
        }
        // handleCommentCommand (execore/ssh_comment_command.go): a Go map, and %q.
        output.json(.goMap([("vm_name", .string(name)), ("comment", .string(text))]))
        output.line(
            text.isEmpty
                ? "Cleared comment for \(GoFlagParser.goQuote(name))"
                : "Set comment for \(GoFlagParser.goQuote(name)) to \(GoFlagParser.goQuote(text))")
    }

    // MARK: stat

    func stat() throws {
        // handleStatCommand (execore/ssh_stat_command.go): only a missing
        // name is a usage error; words after it are ignored.
        guard !arguments.isEmpty else { throw CommandFailure("usage: stat <vm-name> [--range=24h|7d|30d]") }
        let name = arguments[0]
        let rangeText = (flags.string("range") ?? "24h").lowercased()
        let step: TimeInterval
        let span: TimeInterval
        switch rangeText {
        case "24h": step = 3600; span = 86400
        case "7d": step = 6 * 3600; span = 7 * 86400
        case "30d": step = 86400; span = 30 * 86400
        default: throw CommandFailure("invalid range \(GoFlagParser.goQuote(flags.string("range") ?? "")) (use 24h, 7d, or 30d)")
        }
        guard let vm = try store.snapshot().vm(named: name) else { throw CommandFailure("VM not found: \(name)") }
        func floorToStep(_ date: Date) -> TimeInterval { (date.timeIntervalSince1970 / step).rounded(.down) * step }
        let end = floorToStep(now)
        let start = max(floorToStep(vm.createdAt), end - span)
        let diskGB = Double(vm.diskBytes) / 1e9
        let memoryGB = Double(vm.memoryBytes) / 1e9
        let used = VMDiskUsage.bytes(of: configuration, vm: vm)
        var points: [JSONValue] = []
        var time = start
        while time <= end {
            points.append(.object([
                ("timestamp", .string(Date(timeIntervalSince1970: time).rfc3339)), ("disk_size_gb", .double(diskGB)),
                ("disk_used_gb", .double(Double(used) / 1e9)), ("disk_logical_used_gb", .double(Double(used) / 1e9)),
                ("cpu_cores", .double(0)), ("cpu_nominal", .number(vm.cpus)), ("network_tx_mbps", .double(0)),
                ("network_rx_mbps", .double(0)), ("memory_used_gb", .double(0)), ("memory_anon_gb", .double(0)),
                ("memory_file_gb", .double(0)), ("memory_kernel_gb", .double(0)), ("memory_shmem_gb", .double(0)),
                ("memory_slab_gb", .double(0)), ("memory_inactive_file_gb", .double(0)), ("memory_swap_gb", .double(0)),
                ("memory_nominal_gb", .double(memoryGB)), ("io_read_mbps", .double(0)), ("io_write_mbps", .double(0)),
                ("vm_name", .string(vm.name)),
            ]))
            time += step
        }
        output.json(.object([("name", .string(vm.name)), ("status", .string(vm.status)), ("range", .string(rangeText)), ("points", .array(points))]))
        output.line("Metrics for \(vm.name) (beta), range \(rangeText): \(points.count) points")
        output.line("  cpus: \(vm.cpus)  memory: \(SizeArgument.display(vm.memoryBytes))  disk: \(SizeArgument.display(vm.diskBytes)) (\(used) bytes used)")
    }

    // MARK: cp

    /// `cp` as `handleCpCommand` (`execore/ssh_cp_command.go`) checks it:
    /// the argument count, the source VM, `--memory`, `--disk`, `--cpu`
    /// (0 keeps the source's), then the new name (a random one when none
    /// is given, `boxname.Random`), its validity and whether it is free.
    func copy() throws {
        guard (1...2).contains(arguments.count) else { throw CommandFailure("usage: cp <source-vm> [new-name]") }
        let started = now
        let sourceName = normalizedVMName(arguments[0])
        let plan = environment.plan
        guard try store.snapshot().vm(named: sourceName) != nil else {
            throw CommandFailure("vm \(GoFlagParser.goQuote(sourceName)) not found")
        }
        var memoryOverride: Int64?
        if let text = flags.string("memory"), !text.isEmpty { memoryOverride = try plan.memory(text).get() }
        var diskOverride: Int64?
        if let text = flags.string("disk"), !text.isEmpty { diskOverride = try plan.disk(text).get() }
        var cpuOverride: Int?
        if let count = Int(flags.string("cpu") ?? ""), count > 0 { cpuOverride = try plan.cpus(count).get() }
        let copyTags = flags.bool("copy-tags")
        let standalone = flags.bool("standalone") || flags.bool("sandbox")
        var ports = environment.lifecycle.allocatePorts()
        let (source, copy): (VMRecord, VMRecord) = try store.update { state in
            guard let source = state.vm(named: sourceName) else { throw CommandFailure("vm \(GoFlagParser.goQuote(sourceName)) not found") }
            var name: String
            if arguments.count == 2 {
                name = arguments[1]
            } else {
                name = RandomVMName.generate { candidate in state.vm(named: candidate) == nil && VMNameRules.problem(candidate) == nil }
            }
            if let problem = VMNameRules.problem(name) { throw CommandFailure("invalid name: \(problem)") }
            if state.vm(named: name) != nil { throw CommandFailure("name \(GoFlagParser.goQuote(name)) is not available") }
            var placement = PoolPlacement.shared
            if standalone { placement = .standalone } else if let pool = source.pool { placement = .pool(pool) }
            _ = try checkCapacity(placement, cpus: cpuOverride ?? source.cpus, in: state)
            ports = freshPorts(ports, in: state)
            let id = String(format: "vm%04d", state.nextVMNumber)
            state.nextVMNumber += 1
            var copy = source
            copy.id = id
            copy.name = name
            copy.status = "creating"
            copy.tags = copyTags ? source.tags : []
            copy.createdAt = started
            copy.updatedAt = started
            copy.region = source.region ?? state.region
            copy.sshPort = ports.ssh
            copy.httpPort = ports.http
            // The route (port and visibility) is copied (`updateBoxRouteInDB`
            // with the source's route); shares and links are not.
            copy.sharedUsers = []
            copy.links = []
            copy.memoryBytes = memoryOverride ?? source.memoryBytes
            copy.diskBytes = diskOverride ?? source.diskBytes
            copy.cpus = cpuOverride ?? source.cpus
            copy.domains = nil
            if standalone {
                copy.standalone = true
                copy.pool = nil
            }
            state.vms.append(copy)
            return (source, copy)
        }
        output.line("Copying \(source.name) to \(copy.name)...")
        if let disk = diskOverride, disk < source.diskBytes {
            // The exelet refuses the clone (`exelet/services/compute/clone_instance.go`);
            // handleCpCommand removes the box it reserved and prints the message as is.
            try store.update { state in state.vms.removeAll { $0.id == copy.id } }
            throw CommandFailure("disk size cannot be smaller than source (\(source.diskBytes) bytes)")
        }
        do {
            try environment.lifecycle.copy(from: source, to: copy)
        } catch {
            environment.lifecycle.destroy(copy)
            try store.update { state in state.vms.removeAll { $0.id == copy.id } }
            throw CommandFailure("failed to copy \(GoFlagParser.goQuote(source.name)): \(error)")
        }
        try store.update { state in
            if let index = state.vms.firstIndex(where: { $0.id == copy.id }) {
                state.vms[index].status = "running"
                state.vms[index].updatedAt = self.now
            }
        }
        environment.lifecycle.notifyDaemon()
        let view = presentation(copy)
        let elapsed = (now.timeIntervalSince(started) * 100).rounded() / 100
        // A Go map in handleCpCommand: keys sorted.
        output.json(.goMap([
            ("name", .string(copy.name)), ("state", .string("starting")), ("source", .string(source.name)),
            ("ssh", .string(view.sshDest)), ("elapsed", .double(elapsed)), ("ssh_host", .string(view.sshHost)),
            ("ssh_user", .string(view.sshUser)), ("ssh_port", .number(copy.sshPort)), ("https_url", .string(view.httpsURL)),
        ]))
        // handleCpCommand's completion lines; `ssh DEST` is the simulator's ssh command.
        output.line("Created \(copy.name) from \(source.name) in \(String(format: "%.1f", elapsed))s")
        output.line()
        output.line(view.httpsURL)
        output.line()
        output.line(view.sshCommand)
        output.line()
    }

    // MARK: resize

    /// `handleResizeCommand` (execore/ssh_command_handlers.go) for an
    /// account without sudo whose plan allows resizing: the VM is looked
    /// up, then the disk is checked and grown, then memory and CPUs are
    /// checked and set, each in its own step, so a bad `--memory` after a
    /// good `--disk` leaves the disk grown, as on exe.dev. `--cpu=0` counts
    /// as not given.
    func resize() throws {
        guard arguments.count == 1 else {
            throw CommandFailure(
                "usage: resize <vmname> --disk=<size>\nDisk size is in GiB (e.g., '25' for 25 GiB). Disk can only be grown, not shrunk.")
        }
        let name = normalizedVMName(arguments[0])
        let plan = environment.plan
        let memoryText = flags.string("memory") ?? ""
        let cpuCount = UInt64(flags.string("cpu") ?? "") ?? 0
        let diskText = flags.string("disk") ?? ""
        guard !memoryText.isEmpty || cpuCount != 0 || !diskText.isEmpty else {
            throw CommandFailure(
                "usage: resize <vmname> [--memory=<size>] [--cpu=<count>] [--disk=<size>]\nAt least one of --memory, --cpu, or --disk must be specified.")
        }
        guard let found = try store.snapshot().vm(named: name) else { throw CommandFailure("VM \(GoFlagParser.goQuote(name)) not found") }
        var disk: (old: Int64, new: Int64)?
        if !diskText.isEmpty {
            let requested: Int64
            switch SizeArgument.parseSize(diskText) {
            case .failure(let problem): throw CommandFailure("invalid --disk value: \(problem)")
            case .success(let bytes): requested = bytes
            }
            if requested > plan.maximumDisk {
                throw CommandFailure(
                    "requested size \(SizeArgument.display(requested)) exceeds the \(SizeArgument.display(plan.maximumDisk)) limit — contact support@exe.dev if you need more")
            }
            let current = found.diskBytes
            if requested <= current { throw CommandFailure("--disk must be larger than current size (\(SizeArgument.display(current)))") }
            if requested - current > plan.maximumDiskGrowth {
                throw CommandFailure("disk growth cannot exceed \(SizeArgument.display(plan.maximumDiskGrowth)) in a single operation")
            }
            output.line("Growing disk to \(SizeArgument.display(requested))...")
            disk = try store.update { state in
                let index = try state.existingVMIndex(named: name)
                let old = state.vms[index].diskBytes
                state.vms[index].diskBytes = requested
                state.vms[index].updatedAt = self.now
                return (old, requested)
            }
        }
        var resized: (old: VMRecord, new: VMRecord)?
        if !memoryText.isEmpty || cpuCount > 0 {
            var memory: Int64?
            if !memoryText.isEmpty { memory = try plan.memory(memoryText, wording: .resize).get() }
            var cpus: Int?
            if cpuCount > 0 { cpus = try plan.cpus(Int(clamping: cpuCount), wording: .resize).get() }
            let changes = [memory.map { "memory to \(SizeArgument.display($0))" }, cpus.map { "CPU to \($0)" }].compactMap { $0 }
            output.line("Resizing \(changes.joined(separator: " and "))...")
            resized = try store.update { state in
                let index = try state.existingVMIndex(named: name)
                let before = state.vms[index]
                if let memory { state.vms[index].memoryBytes = memory }
                if let cpus { state.vms[index].cpus = cpus }
                state.vms[index].updatedAt = self.now
                return (before, state.vms[index])
            }
        }
        // A Go map: the keys come sorted.
        var members: [(String, JSONValue)] = []
        if let disk { members += [("disk_new_bytes", .int(disk.new)), ("disk_old_bytes", .int(disk.old))] }
        if let resized {
            members += [
                ("new_cpus", .number(resized.new.cpus)), ("new_memory", .int(resized.new.memoryBytes)),
                ("old_cpus", .number(resized.old.cpus)), ("old_memory", .int(resized.old.memoryBytes)),
            ]
        }
        members.append(("vm_name", .string(name)))
        output.json(.object(members))
        if let resized {
            if resized.old.memoryBytes != resized.new.memoryBytes {
                output.line("Memory: \(SizeArgument.display(resized.old.memoryBytes)) -> \(SizeArgument.display(resized.new.memoryBytes))")
            }
            if resized.old.cpus != resized.new.cpus { output.line("CPUs: \(resized.old.cpus) -> \(resized.new.cpus)") }
        }
        if let disk { output.line("Disk: \(SizeArgument.display(disk.old)) -> \(SizeArgument.display(disk.new))") }
        output.line("")
        // writeResizeRestartNotice.
        if let resized, resized.old.memoryBytes != resized.new.memoryBytes || resized.old.cpus != resized.new.cpus {
            output.line("Configuration updated. CPU/memory changes require a full power off, then restart from exe.dev:")
            output.line("  # inside the VM")
            output.line("  sudo poweroff")
            output.line("  # from the exe.dev shell")
            output.line("  restart \(name)")
        } else {
            output.line("Configuration updated. Restart the VM to apply changes:")
            if let vm = try store.snapshot().vm(named: name) { output.line("  \(presentation(vm).sshCommand) sudo shutdown -r now") }
        }
    }
}
