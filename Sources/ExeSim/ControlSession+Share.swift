import Foundation
import ExeSystem

/// `share` as the handlers of execore/ssh_share.go (7524fcac) run it: the
/// same argument counts and usage texts, the VM looked up first
/// (`BoxWithOwnerNamed`, then `enforceTagScope`), then the subcommand's own
/// checks, with the server's wording. JSON objects are Go maps (keys
/// sorted); text is the handlers' `Writeln` lines without their ANSI codes.
/// Not simulated: teams (`share add/remove VM team` is `You're not in a
/// team`, `share access` is never available), invitation email and its daily
/// quota, QR codes (`--qr` is accepted and draws nothing).
extension ControlSession {
    /// The VM `name` as the handler finds it: `notFound` when no VM has the
    /// name (`VM "x" not found or access denied` unless the handler words it
    /// otherwise), `VM "x" not found` when a tag-scoped key may not see it.
    private func ownedVM(_ name: String, notFound: String? = nil) throws -> VMRecord {
        if let vm = try store.snapshot().vm(named: name) { return vm }
        if store.scope.tag != nil, let hidden = try store.scoped(TagScope(tag: nil)).snapshot().vm(named: name) {
            throw CommandFailure("VM \(GoFlagParser.goQuote(hidden.name)) not found")
        }
        throw CommandFailure(notFound ?? "VM \(GoFlagParser.goQuote(name)) not found or access denied")
    }

    /// Changes the VM `name` (found with ``ownedVM(_:notFound:)`` first).
    private func updateVM<T>(_ name: String, _ body: (inout VMRecord) throws -> T) throws -> T {
        _ = try ownedVM(name)
        return try store.update { state in
            guard let index = state.vmIndex(named: name) else {
                throw CommandFailure("VM \(GoFlagParser.goQuote(name)) not found or access denied")
            }
            return try body(&state.vms[index])
        }
    }

    /// `boxProxyAddress`: the VM's URL without a trailing slash.
    private func proxyAddress(_ name: String) -> String { VMHost.url(vmName: name, tls: configuration.servesTLS) }

    /// The inbound address `anything@<vm>.<BoxHost>`.
    private func inboundAddress(_ name: String) -> String { "anything@\(name).exe.xyz" }

    /// `updateBoxRoute`'s JSON (a Go map): `vm_name` is the name as given
    /// (normalized), not the stored one.
    private func writeRoute(_ name: String, _ vm: VMRecord) {
        output.json(.object([
            ("port", .number(vm.proxyPort)), ("share", .string(vm.share)), ("status", .string("updated")),
            ("team_access", .bool(false)), ("team_shelley", .bool(false)), ("team_ssh", .bool(false)), ("vm_name", .string(name)),
        ]))
    }

    /// `handleShareShowCmd` / `handleShareShow`.
    func shareShow() throws {
        guard !arguments.isEmpty else { throw CommandFailure("usage: share show <vm>") }
        let vm = try ownedVM(normalizedVMName(arguments[0]))
        // `ORDER BY created_at DESC` (exedb/query/pending_box_shares.sql,
        // box_shares.sql, box_share_links.sql): newest first, pending before active.
        let pending = Array(vm.sharedUsers.filter { $0.status != "active" }.reversed())
        let active = Array(vm.sharedUsers.filter { $0.status == "active" }.reversed())
        let links = Array(vm.links.reversed())
        let isPublic = vm.share == "public"
        if output.wantsJSON {
            let users = (pending + active).map { user -> JSONValue in
                .object([("email", .string(user.email)), ("status", .string(user.status)), ("invited_at", .string(user.invitedAt.rfc3339))])
            }
            let linkValues = links.map { link -> JSONValue in
                .object([
                    ("token", .string(link.token)), ("created_at", .string(link.createdAt.rfc3339)), ("use_count", .number(link.useCount)),
                    ("last_used_at", .null),
                ])
            }
            output.json(.object([
                ("links", .array(linkValues)), ("port", .number(vm.proxyPort)), ("status", .string(vm.share)),
                ("team_access", .bool(false)), ("team_shelley", .bool(false)), ("team_ssh", .bool(false)), ("teams", .array([])),
                ("url", .string(proxyAddress(vm.name))), ("users", .array(users)), ("vm_name", .string(vm.name)),
            ]))
            return
        }
        output.line()
        output.line("Sharing for VM '\(vm.name)'")
        output.line("URL: \(proxyAddress(vm.name))/")
        output.line("Port: \(vm.proxyPort)")
        output.line(isPublic ? "Mode: PUBLIC - Anyone can access this VM without authentication" : "Mode: Private")
        output.line()
        let total = vm.sharedUsers.count + links.count
        if isPublic {
            output.line("Note: This VM is publicly accessible. Individual shares are not needed.")
            output.line("To make it private, use: share set-private \(vm.name)")
            output.line()
            if total == 0 { return }
            output.line("Existing shares (will take effect if VM becomes private):")
            output.line()
        } else if total == 0 {
            output.line("No shares configured.")
            output.line()
            output.line("To share with someone, use:")
            output.line("  share add \(vm.name) user@example.com")
            output.line("  share add-link \(vm.name)")
            output.line()
            return
        }
        if !vm.sharedUsers.isEmpty {
            output.line("Shared with users:")
            for user in pending { output.line("  \(user.email) (invited \(HumanizedTime.describe(user.invitedAt, now: now)))") }
            for user in active { output.line("  \(user.email) (active, invited \(HumanizedTime.describe(user.invitedAt, now: now)))") }
            output.line()
        }
        if !links.isEmpty {
            output.line("Share links:")
            for link in links {
                output.line("  \(link.token) (created \(HumanizedTime.describe(link.createdAt, now: now)), used \(link.useCount) times)")
            }
            output.line()
        }
    }

    /// `handleSharePortCmd`: with no port `showRouteConfiguration`; with one,
    /// the range check before the VM is looked up. The share setting stays:
    /// the public (or private) route follows the new default port, and the
    /// old port, if it was public, is now owner-only.
    func sharePort() throws {
        guard !arguments.isEmpty else { throw CommandFailure("usage: share port <vm> [port]") }
        let name = normalizedVMName(arguments[0])
        if arguments.count == 1 {
            let vm = try ownedVM(name)
            output.json(.object([("port", .number(vm.proxyPort)), ("share", .string(vm.share)), ("vm_name", .string(name))]))
            output.line()
            output.line("Route configuration for VM '\(name)':")
            output.line("  Port: \(vm.proxyPort)")
            output.line("  Share: \(vm.share)")
            output.line()
            return
        }
        let text = arguments[1]
        guard let port = Int(text), (3000...9999).contains(port) else {
            throw CommandFailure("port must be between 3000 and 9999, got \(GoFlagParser.goQuote(text))")
        }
        let (oldPort, vm) = try updateVM(name) { vm -> (Int, VMRecord) in
            let old = vm.proxyPort
            vm.proxyPort = port
            return (old, vm)
        }
        environment.lifecycle.notifyDaemon()
        writeRoute(name, vm)
        let isPublic = vm.share == "public"
        output.line("\(proxyAddress(name))/ now points to port \(port) (\(isPublic ? "public" : "private")).")
        if isPublic, oldPort != 0, oldPort != port, oldPort != 80 {
            output.line("Port \(oldPort) is now private. Only the default port can be public.")
        }
    }

    /// `handleShareVisibilityCmd`: exactly one argument.
    func shareSetVisibility(public makePublic: Bool) throws {
        let mode = makePublic ? "public" : "private"
        guard arguments.count == 1 else { throw CommandFailure("usage: share set-\(mode) <vm>") }
        let name = normalizedVMName(arguments[0])
        let vm = try updateVM(name) { vm -> VMRecord in
            vm.share = mode
            return vm
        }
        writeRoute(name, vm)
        output.line("\(proxyAddress(name))/ is now \(mode) (port \(vm.proxyPort)).")
    }

    /// `handleShareAddCmd`: the VM, then `team` (any case), then the address
    /// (trimmed and lowercased before it is checked). The account's own
    /// address is an existing user, so that share is active at once; any
    /// other is pending. No invitation is sent.
    func shareAdd() throws {
        guard arguments.count >= 2 else { throw CommandFailure("usage: share add <vm> <email|team> [--message='...']") }
        let vm = try ownedVM(normalizedVMName(arguments[0]))
        if arguments[1].lowercased() == "team" { throw CommandFailure("You're not in a team") }
        let email = arguments[1].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard EmailAddress.isValid(email) else { throw CommandFailure("invalid email address: \(GoFlagParser.goQuote(email))") }
        let when = now
        let status = email == (try store.snapshot().email.lowercased()) ? "active" : "pending"
        try updateVM(vm.name) { stored in
            // UNIQUE(box_id, shared_with_email) / UNIQUE(box_id, shared_with_user_id).
            if stored.sharedUsers.contains(where: { $0.email == email && $0.status == status }) {
                throw CommandFailure("\(stored.name) is already shared with \(email)")
            }
            stored.sharedUsers.append(SharedUser(email: email, status: status, invitedAt: when))
        }
        output.json(.object([
            ("message", .string("Invitation sent")), ("shared_with", .string(email)), ("status", .string("success")),
            ("vm_name", .string(vm.name)),
        ]))
        output.line()
        output.line("✓ Invitation sent to \(email)")
        output.line()
        output.line("\(email) will receive an email with access instructions.")
        output.line("You can also share this URL directly: \(proxyAddress(vm.name))")
        output.line("(They'll need to log in with \(email) to access it)")
        if vm.share == "public" {
            output.line()
            output.line("Note: This VM is currently PUBLIC. The share will only take effect if you make it private.")
            output.line("To make it private: share set-private \(vm.name)")
        }
        output.line()
    }

    /// `handleShareRemoveCmd`: deleting a share that does not exist is no
    /// error (both deletes are `:exec` queries), so removing any address
    /// succeeds. The "now private" line is only a message: the route is
    /// not changed.
    func shareRemove() throws {
        guard arguments.count >= 2 else { throw CommandFailure("usage: share remove <vm> <email|team>") }
        let vm = try ownedVM(normalizedVMName(arguments[0]))
        if arguments[1].lowercased() == "team" { throw CommandFailure("You're not in a team") }
        let email = arguments[1].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let remaining = try updateVM(vm.name) { stored -> Int in
            stored.sharedUsers.removeAll { $0.email == email }
            return stored.sharedUsers.count + stored.links.count
        }
        output.json(.object([("message", .string("Removed \(email)'s access")), ("status", .string("success")), ("vm_name", .string(vm.name))]))
        output.line()
        output.line("✓ Removed \(email)'s access to '\(vm.name)'")
        if remaining == 0 { output.line("✓ VM '\(vm.name)' is now private (no shares remaining)") }
        output.line()
    }

    /// `handleShareAddLinkCmd`: the token is `crypto/rand.Text()` (26 base32 characters).
    func shareAddLink() throws {
        guard !arguments.isEmpty else { throw CommandFailure("usage: share add-link <vm>") }
        let vm = try ownedVM(normalizedVMName(arguments[0]))
        let token = RandomToken.base32(count: 26)
        let when = now
        try updateVM(vm.name) { stored in stored.links.append(ShareLink(token: token, createdAt: when, useCount: 0)) }
        let url = "\(proxyAddress(vm.name))/?share=\(token)"
        output.json(.object([("status", .string("success")), ("token", .string(token)), ("url", .string(url)), ("vm_name", .string(vm.name))]))
        output.line()
        output.line("✓ Share link created")
        output.line()
        if vm.share == "public" {
            output.line("Note: This VM is currently PUBLIC (no authentication required).")
            output.line("The share link will only matter if you make the VM private.")
            output.line()
        }
        output.line("Anyone with this link can access your VM after logging in:")
        output.line(url)
        output.line()
        output.line("To revoke this link, use:")
        output.line("  share remove-link \(vm.name) \(token)")
        output.line()
    }

    /// `handleShareRemoveLinkCmd`: only a missing VM is an error; an unknown
    /// token deletes nothing and succeeds (`DeleteBoxShareLinkByBoxAndToken`
    /// is an `:exec` query).
    func shareRemoveLink() throws {
        guard arguments.count >= 2 else { throw CommandFailure("usage: share remove-link <vm> <token>") }
        let name = normalizedVMName(arguments[0])
        let token = arguments[1].trimmingCharacters(in: .whitespacesAndNewlines)
        let notFound = "VM \(GoFlagParser.goQuote(name)) not found or share link '\(token)' not found"
        _ = try ownedVM(name, notFound: notFound)
        try store.update { state in
            guard let index = state.vmIndex(named: name) else { throw CommandFailure(notFound) }
            state.vms[index].links.removeAll { $0.token == token }
        }
        output.json(.object([("message", .string("Share link removed")), ("status", .string("success")), ("vm_name", .string(name))]))
        output.line()
        output.line("✓ Removed share link \(token)")
        output.line()
    }

    /// `handleShareReceiveEmailCmd`: the VM, then (with a second argument)
    /// the value, then the Maildir and a welcome message, then the setting.
    func shareReceiveEmail() throws {
        guard !arguments.isEmpty else { throw CommandFailure("usage: share receive-email <vm> [on|off]") }
        let vm = try ownedVM(normalizedVMName(arguments[0]))
        let address = inboundAddress(vm.name)
        if arguments.count == 1 {
            output.json(.object([("email_address", .string(address)), ("email_enabled", .bool(vm.emailEnabled)), ("vm_name", .string(vm.name))]))
            output.line()
            if vm.emailEnabled {
                output.line("Inbound email for VM \(GoFlagParser.goQuote(vm.name)) is enabled")
                output.line("Email address: \(address)")
                output.line("Emails are delivered to ~/Maildir/new/")
            } else {
                output.line("Inbound email for VM \(GoFlagParser.goQuote(vm.name)) is disabled")
                output.line("To enable: share receive-email \(vm.name) on")
            }
            output.line()
            return
        }
        let enable: Bool
        switch arguments[1].lowercased() {
        case "on", "true", "1": enable = true
        case "off", "false", "0": enable = false
        default: throw CommandFailure("invalid value \(GoFlagParser.goQuote(arguments[1])): use on or off")
        }
        if enable { try deliverWelcomeEmail(to: vm) }
        try updateVM(vm.name) { stored in stored.emailEnabled = enable }
        var object = JSONObjectBuilder()
        if enable { object.add("email_address", .string(address)) }
        object.add("email_enabled", .bool(enable))
        object.add("status", .string("success"))
        object.add("vm_name", .string(vm.name))
        output.json(object.value)
        output.line()
        if enable {
            output.line("✓ Inbound email enabled for VM \(GoFlagParser.goQuote(vm.name))")
            output.line("Email address: \(address)")
            output.line("Emails will be delivered to ~/Maildir/new/")
        } else {
            output.line("✓ Inbound email disabled for VM \(GoFlagParser.goQuote(vm.name))")
        }
        output.line()
    }

    /// `~/Maildir/{new,cur,tmp}` and `generateWelcomeEmail`'s message, as
    /// `deliverEmailToBox` (execore/lmtp.go) stores it: a `Delivered-To`
    /// line first, named by the SHA-256 of the whole file plus `.eml`.
    private func deliverWelcomeEmail(to vm: VMRecord) throws {
        let home = SimPaths(root: configuration.stateDirectory).vm(vm.id).home
        let date = DateFormatter()
        date.locale = Locale(identifier: "en_US_POSIX")
        date.timeZone = TimeZone(identifier: "UTC")
        date.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let message = """
            Delivered-To: welcome@\(vm.name).exe.xyz\r
            From: exe.dev <support@exe.dev>
            To: <\(inboundAddress(vm.name))>
            Subject: Welcome to exe.dev inbound email
            Date: \(date.string(from: now))
            Content-Type: text/plain; charset=utf-8

            Inbound email is now enabled for your VM.

            Any email sent to *@\(vm.name).exe.xyz will be delivered to ~/Maildir/new/

            For documentation, visit: https://exe.dev/docs/receive-email

            ---
            exe.dev

            """
        do {
            for directory in ["new", "cur", "tmp"] {
                try FileManager.default.createDirectory(atPath: "\(home)/Maildir/\(directory)", withIntermediateDirectories: true)
            }
            let data = Data(message.utf8)
            try data.write(to: URL(fileURLWithPath: "\(home)/Maildir/new/\(SHA256Hasher.hexDigest(data)).eml"), options: .atomic)
        } catch {
            throw CommandFailure("failed to create maildir on VM: \(error)")
        }
    }
}
