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

    func keyList() throws {
        let keys = try store.snapshot().keys
        output.json(.object([("ssh_keys", .array(keys.map(keyEntry)))]))
        if keys.isEmpty { output.line("No SSH keys.") }
        for key in keys {
            output.line("\(key.name.isEmpty ? "(unnamed)" : key.name)  \(key.fingerprint)  \(key.publicKey.prefix(40))...\(isCurrent(key) ? "  (current)" : "")")
        }
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
        guard !arguments.isEmpty else { throw CommandFailure("usage: ssh-key remove <name|fingerprint|public key>") }
        let selector = arguments.joined(separator: " ")
        let selectorKey = try? SSHPublicKey(line: selector)
        let removed: AccountKey = try store.update { state in
            let matches = state.keys.enumerated().filter { _, key in
                key.name == selector || key.fingerprint == selector || key.publicKey == selectorKey?.authorizedKeyText
            }
            if matches.count > 1 {
                let list = matches.map { "  \($0.element.fingerprint) \($0.element.name)" }.joined(separator: "\n")
                throw CommandFailure("multiple keys match, please specify by fingerprint:\n\(list)")
            }
            guard let match = matches.first else {
                throw CommandFailure("no matching SSH key found for \(GoFlagParser.goQuote(selector))")
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
        output.line("Removed SSH key \(removed.name.isEmpty ? removed.fingerprint : removed.name)")
    }

    func keyRename() throws {
        guard arguments.count == 2 else { throw CommandFailure("usage: ssh-key rename <old-name> <new-name>") }
        let (oldName, newName) = (arguments[0], arguments[1])
        let renamed: AccountKey = try store.update { state in
            guard let index = state.keys.firstIndex(where: { $0.name == oldName || $0.fingerprint == oldName }) else {
                throw CommandFailure("no matching SSH key found for \(GoFlagParser.goQuote(oldName))")
            }
            if state.keys.contains(where: { $0.name == newName }) {
                throw CommandFailure("a key named \(GoFlagParser.goQuote(newName)) already exists")
            }
            state.keys[index].name = newName
            return state.keys[index]
        }
        output.json(.object([
            ("public_key", .string(renamed.publicKey)), ("fingerprint", .string(renamed.fingerprint)),
            ("old_name", .string(oldName)), ("new_name", .string(newName)), ("status", .string("renamed")),
        ]))
        output.line("Renamed SSH key \(oldName) to \(newName)")
    }

    func keyGenerateAPIKey() throws {
        let vmName = flags.string("vm").map(normalizedVMName) ?? ""
        if !vmName.isEmpty, !(flags.string("tag") ?? "").isEmpty {
            throw CommandFailure("--vm and --tag are mutually exclusive")
        }
        var tag = flags.string("tag") ?? ""
        if !tag.isEmpty, !TagRules.isValid(tag) {
            throw CommandFailure("invalid tag name \(GoFlagParser.goQuote(tag)): must match [a-z][a-z0-9_-]*")
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
        var object = JSONObjectBuilder()
        object.add("label", .string(label))
        object.add("token", .string(token))
        object.add("namespace", .string(namespace))
        object.add("fingerprint", .string(publicKey.fingerprint))
        if let expiresAt { object.add("expires_at", .string(expiresAt.rfc3339)) }
        output.json(object.value)
        output.line("API key \(label) (\(namespace)):")
        output.line(token)
        output.line("Commands: \(commands.joined(separator: ", "))")
        if let expiresAt { output.line("Expires: \(expiresAt.rfc3339)") }
        output.line("Revoke it with: ssh-key remove \(label)")
    }
}
