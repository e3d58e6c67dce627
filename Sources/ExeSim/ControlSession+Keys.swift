import Foundation

extension ControlSession {
    private func keyEntry(_ key: AccountKey) -> JSONValue {
        var object = JSONObjectBuilder()
        object.add("public_key", .string(key.publicKey))
        object.add("fingerprint", .string(key.fingerprint))
        object.add("name", .string(key.name))
        object.add("added_at", .string(key.addedAt.rfc3339))
        object.add("current", .bool(isCurrent(key)))
        return object.value
    }

    /// The tag the calling key is scoped to, if any: such a key sees,
    /// removes and renames only keys scoped to the same tag
    /// (`execore/ssh_key_command.go`, "Tag-scoped keys can only ...").
    private func callerTag(in state: SimState) -> String? {
        guard let tag = state.keys.first(where: { $0.fingerprint == request.callerFingerprint })?.tag, !tag.isEmpty else { return nil }
        return tag
    }

    /// Whether a caller scoped to `tag` may see or change `key`.
    private static func visible(_ key: AccountKey, toCallerTag tag: String?) -> Bool {
        guard let tag else { return true }
        return key.tag == tag
    }

    func keyList() throws {
        let state = try store.snapshot()
        let tag = callerTag(in: state)
        let keys = state.keys.filter { Self.visible($0, toCallerTag: tag) }
        output.json(.object([("ssh_keys", .array(keys.map(keyEntry)))]))
        if keys.isEmpty { output.line("No SSH keys found.") }
        for key in keys {
            output.line("\(key.name.isEmpty ? "(unnamed)" : key.name)  \(key.fingerprint)  \(key.publicKey.prefix(40))...\(isCurrent(key) ? "  (current)" : "")")
        }
    }

    /// The keys `identifier` names for `ssh-key remove` (`resolveSSHKey`):
    /// a whole public key, else a fingerprint (43 characters, with or
    /// without `SHA256:`) that matches, else a name.
    private static func keysForRemoval(_ identifier: String, in keys: [AccountKey]) -> [(offset: Int, element: AccountKey)] {
        let indexed = Array(keys.enumerated())
        if let key = try? SSHPublicKey(line: identifier) {
            return indexed.filter { $0.element.fingerprint == key.fingerprint }
        }
        var fingerprint = identifier
        for prefix in ["SHA256:", "sha256:"] where fingerprint.hasPrefix(prefix) { fingerprint.removeFirst(prefix.count) }
        if fingerprint.count == 43, !fingerprint.contains(" ") {
            let matches = indexed.filter { $0.element.fingerprint == "SHA256:" + fingerprint }
            if !matches.isEmpty { return matches }
        }
        return indexed.filter { $0.element.name == identifier }
    }

    /// The keys `identifier` names for `ssh-key rename`
    /// (`resolveSSHKeyByNameOrFingerprint`): `SHA256:`-prefixed fingerprint, else a name.
    private static func keysForRename(_ identifier: String, in keys: [AccountKey]) -> [(offset: Int, element: AccountKey)] {
        let indexed = Array(keys.enumerated())
        if identifier.hasPrefix("SHA256:") { return indexed.filter { $0.element.fingerprint == identifier } }
        return indexed.filter { $0.element.name == identifier }
    }

    /// The server's error for an identifier that names several keys.
    private static func ambiguity(_ matches: [(offset: Int, element: AccountKey)]) -> CommandFailure {
        let lines = matches.map { "  \($0.element.fingerprint)" + ($0.element.name.isEmpty ? "" : " (\($0.element.name))") }
        return CommandFailure("multiple keys match, please specify by fingerprint:\n" + lines.joined(separator: "\n"))
    }

    /// `sshkey.SanitizeComment`: shell metacharacters, path separators and
    /// control characters removed, runs of spaces made one `-`, leading
    /// dashes removed, at most 64 bytes.
    static func sanitizedKeyName(_ name: String) -> String {
        let removed = Set("|&;$`\\\"'<>(){}[]!#*?~/".unicodeScalars)
        let kept = String(String.UnicodeScalarView(name.unicodeScalars.filter { !removed.contains($0) && $0.value > 0x1f }))
        var result = kept.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .joined(separator: "-")
        while result.hasPrefix("-") { result.removeFirst() }
        var bytes = Array(result.utf8.prefix(64))
        while String(bytes: bytes, encoding: .utf8) == nil, !bytes.isEmpty { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The permission flags of `ssh-key add`: hidden, support-only on
    /// exe.dev, and not simulated.
    static let keyPermissionFlags = ["cmds", "vm", "tag", "exp"]

    func keyAdd() throws {
        if let flag = Self.keyPermissionFlags.first(where: { flags.isSet($0) }) {
            throw CommandFailure(
                "ssh-key add --\(flag) is not simulated by exe-sim (key permissions need support privileges on exe.dev)")
        }
        var text = arguments.joined(separator: " ")
        if request.transport == .ssh {
            let input = String(decoding: request.readStandardInput(16 * 1024), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if !input.isEmpty {
                if !text.isEmpty {
                    throw CommandFailure("please provide the SSH public key either as an argument or via stdin, not both")
                }
                text = input
            }
        }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw CommandFailure("please provide the SSH public key as an argument or via stdin") }
        if text.contains("PRIVATE KEY") {
            throw CommandFailure("this is a private key, please use the public key instead (the .pub file)")
        }
        let key: SSHPublicKey
        do { key = try SSHPublicKey(line: text) } catch { throw CommandFailure("invalid SSH public key: \(error.reason)") }
        let when = now
        let added: AccountKey = try store.update { state in
            if state.key(fingerprint: key.fingerprint) != nil {
                throw CommandFailure("this SSH key is already associated with your account")
            }
            var name = key.comment
            if name.isEmpty || state.keys.contains(where: { $0.name == name }) {
                name = "key-\(state.nextKeyNumber)"
                state.nextKeyNumber += 1
            }
            let record = AccountKey(publicKey: key.authorizedKeyText, fingerprint: key.fingerprint, name: name, addedAt: when)
            state.keys.append(record)
            try environment.lifecycle.writeAuthorizedKeys(state.keys)
            return record
        }
        var object = JSONObjectBuilder()
        object.add("public_key", .string(added.publicKey))
        object.add("status", .string("added"))
        object.addNonEmpty("name", added.name)
        output.json(object.value)
        output.line("Added SSH key \(added.name) (\(added.fingerprint))")
    }

    func keyRemove() throws {
        let identifier = arguments.joined(separator: " ").trimmingCharacters(in: .whitespaces)
        guard !identifier.isEmpty else { throw CommandFailure("please specify a key to remove (name, fingerprint, or full public key)") }
        let removed: AccountKey = try store.update { state in
            let matches = Self.keysForRemoval(identifier, in: state.keys)
            guard let match = matches.first else {
                throw CommandFailure("no matching SSH key found for \(GoFlagParser.goQuote(identifier))")
            }
            if matches.count > 1 { throw Self.ambiguity(matches) }
            guard Self.visible(match.element, toCallerTag: callerTag(in: state)) else {
                throw CommandFailure("no matching SSH key found for \(GoFlagParser.goQuote(identifier))")
            }
            state.keys.remove(at: match.offset)
            try environment.lifecycle.writeAuthorizedKeys(state.keys)
            return match.element
        }
        var object = JSONObjectBuilder()
        object.add("public_key", .string(removed.publicKey))
        object.add("fingerprint", .string(removed.fingerprint))
        object.add("status", .string("deleted"))
        object.addNonEmpty("name", removed.name)
        output.json(object.value)
        output.line("Deleted SSH key.")
    }

    func keyRename() throws {
        guard arguments.count == 2 else { throw CommandFailure("usage: ssh-key rename <old-name> <new-name>") }
        let oldName = arguments[0].trimmingCharacters(in: .whitespaces)
        var newName = arguments[1].trimmingCharacters(in: .whitespaces)
        guard !oldName.isEmpty else { throw CommandFailure("old name cannot be empty") }
        guard !newName.isEmpty else { throw CommandFailure("new name cannot be empty") }
        let (renamed, previousName): (AccountKey, String) = try store.update { state in
            let matches = Self.keysForRename(oldName, in: state.keys)
            guard let match = matches.first else {
                throw CommandFailure("no matching SSH key found for \(GoFlagParser.goQuote(oldName))")
            }
            if matches.count > 1 { throw Self.ambiguity(matches) }
            guard Self.visible(match.element, toCallerTag: callerTag(in: state)) else {
                throw CommandFailure("no matching SSH key found for \(GoFlagParser.goQuote(oldName))")
            }
            newName = Self.sanitizedKeyName(newName)
            guard !newName.isEmpty else { throw CommandFailure("new name is empty (special characters like ; | $ are removed)") }
            if state.keys.enumerated().contains(where: { $0.offset != match.offset && $0.element.name == newName }) {
                throw CommandFailure("a key named \(GoFlagParser.goQuote(newName)) already exists")
            }
            let previous = state.keys[match.offset].name
            state.keys[match.offset].name = newName
            return (state.keys[match.offset], previous)
        }
        output.json(.object([
            ("public_key", .string(renamed.publicKey)), ("fingerprint", .string(renamed.fingerprint)),
            ("old_name", .string(previousName)), ("new_name", .string(newName)), ("status", .string("renamed")),
        ]))
        output.line("Renamed key from \(GoFlagParser.goQuote(previousName)) to \(GoFlagParser.goQuote(newName)).")
    }

    func keyGenerateAPIKey() throws {
        let vmName = flags.string("vm").map(normalizedVMName) ?? ""
        if !vmName.isEmpty, !(flags.string("tag") ?? "").isEmpty {
            throw CommandFailure("--vm and --tag are mutually exclusive")
        }
        var tag = flags.string("tag") ?? ""
        if !tag.isEmpty, !TagRules.isValid(tag) {
            throw CommandFailure(TagRules.invalidMessage(tag))
        }
        // inheritCallerRestrictions (ssh_key_perms.go): a tag-scoped caller makes only keys with its tag.
        if let callerTag = try store.snapshot().keys.first(where: { $0.fingerprint == request.callerFingerprint })?.tag, !callerTag.isEmpty {
            if !tag.isEmpty, tag != callerTag {
                throw CommandFailure(
                    "calling key is scoped to tag \(GoFlagParser.goQuote(callerTag)); cannot create key with tag \(GoFlagParser.goQuote(tag))")
            }
            tag = callerTag
        }
        let label = (flags.string("label") ?? "").isEmpty ? (vmName.isEmpty ? "api-key" : "api-key-\(vmName)") : (flags.string("label") ?? "")
        let commands = APIToken.commands(flags.string("cmds") ?? "")
        var expiresAt: Date?
        if let text = flags.string("exp"), !text.isEmpty {
            if let interval = try APIToken.expiry(text).get() { expiresAt = now.addingTimeInterval(interval) }
        }
        let token = APIToken.generate()
        let publicKey = SSHPublicKey(ed25519: RandomToken.bytes(32))
        let namespace = vmName.isEmpty ? "v0@exe.dev" : "v0@\(vmName).exe.xyz"
        let when = now
        try store.update { state in
            if !vmName.isEmpty, state.vm(named: vmName) == nil {
                throw CommandFailure("VM \(GoFlagParser.goQuote(vmName)) not found or access denied")
            }
            if state.keys.contains(where: { $0.name == label }) {
                throw CommandFailure("a key named \(GoFlagParser.goQuote(label)) already exists; use a different --label")
            }
            state.keys.append(AccountKey(
                publicKey: publicKey.authorizedKeyText, fingerprint: publicKey.fingerprint, name: label, addedAt: when,
                tokenHash: APIToken.hash(token), cmds: commands, vm: vmName.isEmpty ? nil : vmName, expiresAt: expiresAt,
                tag: tag.isEmpty ? nil : tag))
        }
        // handleSSHKeyGenerateAPIKeyCmd (execore/ssh_key_generate_api_key.go):
        // a Go map (keys sorted), and its text lines (ANSI codes stripped).
        var object = JSONObjectBuilder()
        object.add("label", .string(label))
        object.add("token", .string(token))
        object.add("namespace", .string(namespace))
        object.add("fingerprint", .string(publicKey.fingerprint))
        if let expiresAt { object.add("expires_at", .string(expiresAt.rfc3339)) }
        output.json(object.goMapValue)
        let cmdsFlag = flags.string("cmds") ?? ""
        output.line()
        output.line("Token created.")
        output.line()
        output.line("Label:       \(label)")
        output.line("Expires:     \(expiresAt.map(Self.expiryDay) ?? "never")")
        if !vmName.isEmpty { output.line("VM:          \(vmName)") }
        output.line("Commands:    \(cmdsFlag.isEmpty ? "(defaults)" : cmdsFlag)")
        output.line()
        output.line("Token:")
        output.line("  \(token)")
        output.line()
        output.line("This token will not be shown again. Store it securely.")
        output.line("Revoke with: ssh-key remove \(label)")
        output.line()
        output.line("Usage:")
        if vmName.isEmpty {
            // The simulator's own /exec address where exe.dev prints https://exe.dev/exec.
            output.line("  curl -X POST http://127.0.0.1:\(configuration.apiPort)/exec -H \"Authorization: Bearer \(token)\" -d 'whoami'")
        } else {
            output.line("  curl -H \"Authorization: Bearer \(token)\" \(VMHost.url(vmName: vmName, tls: configuration.servesTLS))/")
        }
    }

    /// Go's `Format("Jan 2, 2006")` in UTC.
    static func expiryDay(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MMM d, yyyy"
        return formatter.string(from: date)
    }
}
