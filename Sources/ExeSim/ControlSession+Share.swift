import Foundation

extension ControlSession {
    private func requireVM(_ usage: String, count: ClosedRange<Int>) throws -> String {
        guard count.contains(arguments.count) else { throw CommandFailure("usage: \(usage)") }
        return normalizedVMName(arguments[0])
    }

    private func notFoundOrDenied(_ name: String) -> CommandFailure {
        CommandFailure("VM \(GoFlagParser.goQuote(name)) not found or access denied")
    }

    private func updateVM<T>(_ name: String, _ body: (inout VMRecord) throws -> T) throws -> T {
        try store.update { state in
            guard let index = state.vmIndex(named: name) else { throw notFoundOrDenied(name) }
            return try body(&state.vms[index])
        }
    }

    func shareShow() throws {
        let name = try requireVM("share show <vm>", count: 1...1)
        guard let vm = try store.snapshot().vm(named: name) else { throw notFoundOrDenied(name) }
        let view = presentation(vm)
        let users = vm.sharedUsers.map { user -> JSONValue in
            .object([("email", .string(user.email)), ("status", .string(user.status)), ("invited_at", .string(user.invitedAt.rfc3339))])
        }
        let links = vm.links.map { link -> JSONValue in
            .object([
                ("token", .string(link.token)), ("created_at", .string(link.createdAt.rfc3339)),
                ("use_count", .number(link.useCount)), ("last_used_at", .null),
            ])
        }
        output.json(.object([
            ("vm_name", .string(vm.name)), ("status", .string(vm.share)), ("port", .number(vm.proxyPort)),
            ("url", .string(view.httpsURL)), ("users", .array(users)), ("links", .array(links)), ("teams", .array([])),
            ("team_access", .bool(false)), ("team_ssh", .bool(false)), ("team_shelley", .bool(false)),
        ]))
        output.line("\(vm.name): \(vm.share), port \(vm.proxyPort), \(view.httpsURL)")
        for user in vm.sharedUsers { output.line("  shared with \(user.email) (\(user.status))") }
        for link in vm.links { output.line("  link \(view.httpsURL)?share=\(link.token)") }
    }

    private func writeUpdated(_ vm: VMRecord) {
        output.json(.object([
            ("vm_name", .string(vm.name)), ("port", .number(vm.proxyPort)), ("share", .string(vm.share)),
            ("team_access", .bool(false)), ("team_ssh", .bool(false)), ("team_shelley", .bool(false)),
            ("status", .string("updated")),
        ]))
        output.line("\(vm.name): port \(vm.proxyPort), \(vm.share)")
    }

    func sharePort() throws {
        let name = try requireVM("share port <vm> [port]", count: 1...2)
        if arguments.count == 1 {
            guard let vm = try store.snapshot().vm(named: name) else { throw notFoundOrDenied(name) }
            output.json(.object([("vm_name", .string(vm.name)), ("port", .number(vm.proxyPort)), ("share", .string(vm.share))]))
            output.line("\(vm.name): port \(vm.proxyPort) (\(vm.share))")
            return
        }
        guard let port = Int(arguments[1]), (3000...9999).contains(port) else {
            throw CommandFailure("port must be between 3000 and 9999, got \(GoFlagParser.goQuote(arguments[1]))")
        }
        // execore/ssh_share.go handleSharePortCmd changes route.Port only:
        // the share (public or private) stays and follows the new default port.
        let vm = try updateVM(name) { vm -> VMRecord in
            vm.proxyPort = port
            return vm
        }
        environment.lifecycle.notifyDaemon()
        writeUpdated(vm)
    }

    func shareSetVisibility(public makePublic: Bool) throws {
        let name = try requireVM("share \(makePublic ? "set-public" : "set-private") <vm>", count: 1...1)
        let vm = try updateVM(name) { vm -> VMRecord in
            vm.share = makePublic ? "public" : "private"
            return vm
        }
        writeUpdated(vm)
    }

    func shareAdd() throws {
        let name = try requireVM("share add <vm> <email>|team [--message=...]", count: 2...2)
        let target = arguments[1]
        if target == "team" { throw CommandFailure("You're not in a team") }
        guard EmailAddress.isValid(target) else { throw CommandFailure("invalid email address: \(GoFlagParser.goQuote(target))") }
        let when = now
        try updateVM(name) { vm in
            if vm.sharedUsers.contains(where: { $0.email.lowercased() == target.lowercased() }) {
                throw CommandFailure("\(vm.name) is already shared with \(target)")
            }
            vm.sharedUsers.append(SharedUser(email: target, status: "pending", invitedAt: when))
        }
        output.json(.object([
            ("status", .string("success")), ("vm_name", .string(name)), ("shared_with", .string(target)),
            ("message", .string("Invitation sent")),
        ]))
        output.line("Shared \(name) with \(target). Invitation sent.")
    }

    func shareRemove() throws {
        let name = try requireVM("share remove <vm> <email>|team", count: 2...2)
        let target = arguments[1]
        if target == "team" { throw CommandFailure("You're not in a team") }
        try updateVM(name) { vm in
            guard let index = vm.sharedUsers.firstIndex(where: { $0.email.lowercased() == target.lowercased() }) else {
                throw CommandFailure("no share found for \(target)")
            }
            vm.sharedUsers.remove(at: index)
        }
        output.json(.object([("status", .string("success")), ("vm_name", .string(name)), ("message", .string("Removed \(target)'s access"))]))
        output.line("Removed \(target)'s access to \(name)")
    }

    func shareAddLink() throws {
        let name = try requireVM("share add-link <vm>", count: 1...1)
        let token = RandomToken.alphanumeric(count: 24)
        let when = now
        let vm = try updateVM(name) { vm -> VMRecord in
            vm.links.append(ShareLink(token: token, createdAt: when, useCount: 0))
            return vm
        }
        let url = "\(presentation(vm).httpsURL)?share=\(token)"
        output.json(.object([("status", .string("success")), ("vm_name", .string(name)), ("token", .string(token)), ("url", .string(url))]))
        output.line("Share link for \(name): \(url)")
    }

    func shareRemoveLink() throws {
        let name = try requireVM("share remove-link <vm> <token>", count: 2...2)
        let token = arguments[1]
        try store.update { state in
            guard let index = state.vmIndex(named: name),
                let link = state.vms[index].links.firstIndex(where: { $0.token == token })
            else {
                throw CommandFailure("VM \(GoFlagParser.goQuote(name)) not found or share link '\(token)' not found")
            }
            state.vms[index].links.remove(at: link)
        }
        output.json(.object([("status", .string("success")), ("vm_name", .string(name)), ("message", .string("Share link removed"))]))
        output.line("Share link removed")
    }

    func shareReceiveEmail() throws {
        let name = try requireVM("share receive-email <vm> [on|off]", count: 1...2)
        if arguments.count == 1 {
            guard let vm = try store.snapshot().vm(named: name) else { throw notFoundOrDenied(name) }
            output.json(.object([
                ("vm_name", .string(vm.name)), ("email_enabled", .bool(vm.emailEnabled)),
                ("email_address", .string("anything@\(vm.name).exe.xyz")),
            ]))
            output.line("\(vm.name): inbound email \(vm.emailEnabled ? "on" : "off") (anything@\(vm.name).exe.xyz)")
            return
        }
        let enable: Bool
        switch arguments[1].lowercased() {
        case "on", "true", "1": enable = true
        case "off", "false", "0": enable = false
        default: throw CommandFailure("invalid value \(GoFlagParser.goQuote(arguments[1])): use on or off")
        }
        let vm = try updateVM(name) { vm -> VMRecord in
            vm.emailEnabled = enable
            return vm
        }
        if enable {
            let home = SimPaths(root: configuration.stateDirectory).vm(vm.id).home
            do {
                for directory in ["new", "cur", "tmp"] {
                    try FileManager.default.createDirectory(atPath: "\(home)/Maildir/\(directory)", withIntermediateDirectories: true)
                }
                let message = "Delivered-To: welcome@\(vm.name).exe.xyz\nFrom: exe.dev <support@exe.dev>\nTo: welcome@\(vm.name).exe.xyz\nSubject: Email is on for \(vm.name)\n\nMail to anything@\(vm.name).exe.xyz lands in ~/Maildir/new/.\n"
                try message.write(toFile: "\(home)/Maildir/new/\(Int(now.timeIntervalSince1970)).welcome.exe-sim", atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure("failed to determine home directory on VM: \(error)")
            }
        }
        var object = JSONObjectBuilder()
        object.add("status", .string("success"))
        object.add("vm_name", .string(vm.name))
        object.add("email_enabled", .bool(enable))
        if enable { object.add("email_address", .string("anything@\(vm.name).exe.xyz")) }
        output.json(object.value)
        output.line("Inbound email for \(vm.name) is \(enable ? "on" : "off")")
    }
}

/// The simple address check `share add` applies.
enum EmailAddress {
    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else {
            return false
        }
        return !text.contains(where: { $0 == " " || $0 == "<" || $0 == ">" })
    }
}
