extension ControlSession {
    /// `handleWhoamiCommand` (`execore/ssh_command_handlers.go`): the
    /// caller's key first, then the rest in the order they were added; a
    /// tag-scoped caller sees only keys of its own tag; a Go map (keys
    /// sorted) of structs (field order) for JSON.
    func whoami() throws {
        let state = try store.snapshot()
        var keys = state.keys
        if let tag = store.scope.tag { keys = keys.filter { $0.tag == tag } }
        if let caller = request.callerFingerprint, request.transport == .ssh,
            let index = keys.firstIndex(where: { $0.fingerprint == caller })
        {
            keys.insert(keys.remove(at: index), at: 0)
        }
        let entries = keys.map { key -> JSONValue in
            var object = JSONObjectBuilder()
            object.add("public_key", .string(key.publicKey))
            object.add("fingerprint", .string(key.fingerprint))
            object.addNonEmpty("name", key.name)
            object.add("current", .bool(isCurrent(key)))
            return object.value
        }
        let display = Regions.displayNames[state.region] ?? ""
        output.json(.goMap([
            ("email", .string(state.email)), ("region", .string(state.region)),
            ("region_display", .string(display)), ("ssh_keys", .array(entries)),
        ]))
        output.line("Email Address: \(state.email)")
        output.line("Region: \(state.region) (\(display))")
        output.line("SSH Keys:")
        for key in keys {
            var line = "  Public Key: \(key.publicKey)"
            if !key.name.isEmpty { line += " (\(key.name))" }
            if isCurrent(key) { line += " ← current" }
            output.line(line)
        }
    }

    func isCurrent(_ key: AccountKey) -> Bool {
        request.transport == .ssh && key.fingerprint == request.callerFingerprint
    }

    /// `handleSetRegionCommand` (`execore/ssh_set_region_command.go`): the
    /// code is lowercased and must be one of `availableRegionsForUser`
    /// (the ungated active regions and the account's current one).
    func setRegion() throws {
        let state = try store.snapshot()
        let available = Regions.available(current: state.region)
        let codes = available.map(\.code).joined(separator: ", ")
        guard arguments.count == 1 else { throw CommandFailure("usage: set-region <region-code>\navailable: \(codes)") }
        let code = arguments[0].lowercased()
        guard let chosen = available.first(where: { $0.code == code }) else {
            throw CommandFailure("region \(GoFlagParser.goQuote(code)) is not available; choose from: \(codes)")
        }
        try store.update { state in state.region = chosen.code }
        output.json(.object([("region", .string(chosen.code)), ("region_display", .string(chosen.display))]))
        output.line("Region set to \(chosen.code) (\(chosen.display))")
    }
}
