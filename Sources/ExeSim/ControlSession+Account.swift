extension ControlSession {
    func whoami() throws {
        let state = try store.snapshot()
        var keys = state.keys
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
        output.json(.object([
            ("email", .string(state.email)), ("region", .string(state.region)),
            ("region_display", .string(Regions.displayNames[state.region] ?? "")), ("ssh_keys", .array(entries)),
        ]))
        output.line("Email: \(state.email)")
        output.line("Region: \(state.region) (\(Regions.displayNames[state.region] ?? state.region))")
        output.line("SSH keys:")
        for key in keys {
            output.line("  \(key.name.isEmpty ? "(unnamed)" : key.name)  \(key.fingerprint)\(isCurrent(key) ? "  (current)" : "")")
        }
    }

    func isCurrent(_ key: AccountKey) -> Bool {
        request.transport == .ssh && key.fingerprint == request.callerFingerprint
    }

    func setRegion() throws {
        guard arguments.count == 1 else { throw CommandFailure("usage: set-region <code>") }
        let code = arguments[0].lowercased()
        guard let display = Regions.displayNames[code] else {
            throw CommandFailure("invalid region \(GoFlagParser.goQuote(arguments[0])) (valid regions: \(Regions.selectable.joined(separator: ", ")))")
        }
        if code == "pdx" { throw CommandFailure("region pdx is not available for new VMs") }
        try store.update { state in state.region = code }
        output.json(.object([("region", .string(code)), ("region_display", .string(display))]))
        output.line("Region set to \(code) (\(display))")
    }
}
