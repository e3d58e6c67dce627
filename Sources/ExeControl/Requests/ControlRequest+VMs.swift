import Foundation

extension ControlRequest {
    /// `ls [filter...] [-a]`.
    static func list(filters: [String], includeTeam: Bool) -> ControlRequest {
        ControlRequest(
            ["ls"], arguments: filters.map { ControlWord($0) }, flags: includeTeam ? [ControlFlag(set: "a")] : [],
            isReadOnly: true)
    }

    /// `new --name=... ...` (no positionals: the server refuses them).
    static func create(_ options: NewVMOptions) throws(ControlError) -> ControlRequest {
        var flags: [ControlFlag] = []
        if let name = options.name { flags.append(ControlFlag("name", ControlWord(try VMName(name).rawValue))) }
        if let image = options.image { flags.append(ControlFlag("image", try ArgumentChecks.nonEmpty(image, "--image"))) }
        if let command = options.command { flags.append(ControlFlag("command", ControlWord(command))) }
        if let prompt = options.prompt { flags.append(ControlFlag("prompt", ControlWord(prompt))) }
        if !options.sendEmail { flags.append(ControlFlag(set: "no-email")) }
        if let memory = try ArgumentChecks.memory(options.memory) { flags.append(memory) }
        if let disk = try ArgumentChecks.disk(options.disk) { flags.append(disk) }
        if let cpus = try ArgumentChecks.cpus(options.cpus) { flags.append(cpus) }
        if let script = options.setupScript {
            guard script.utf8.count <= NewVMOptions.maximumSetupScriptBytes else {
                throw ControlError(.invalidArgument, "--setup-script is too long (\(script.utf8.count) bytes; the limit is 10 KiB)")
            }
            // The server interprets \n, \t and \\ in an inline script; doubling
            // every backslash makes it give back exactly these bytes.
            flags.append(ControlFlag("setup-script", ControlWord(script.replacingOccurrences(of: "\\", with: "\\\\"))))
        }
        if let comment = options.comment {
            try VMComment.validate(comment)
            flags.append(ControlFlag("comment", ControlWord(comment)))
        }
        for variable in options.environment {
            try variable.validate()
            flags.append(ControlFlag("env", variable.word))
        }
        try VMTag.validate(options.tags, rejectingDuplicates: false)
        flags += options.tags.map { ControlFlag("tag", ControlWord($0)) }
        for integration in options.integrations {
            flags.append(ControlFlag("integration", try ArgumentChecks.nonEmpty(integration, "--integration")))
        }
        if let credentials = options.registryAuth {
            try credentials.validate()
            flags.append(ControlFlag("registry-auth", credentials.word))
        }
        if let placement = options.placement { flags.append(try placement.flag()) }
        return ControlRequest(["new"], flags: flags)
    }

    /// `rm <vm>...`.
    static func remove(_ names: [String]) throws(ControlError) -> ControlRequest {
        guard !names.isEmpty else { throw ControlError(.invalidArgument, "please specify at least one VM name to delete") }
        var words: [ControlWord] = []
        for name in names { words.append(try ArgumentChecks.existingVM(name)) }
        return ControlRequest(["rm"], arguments: words)
    }

    /// `restart <vm>`.
    static func restart(_ name: String) throws(ControlError) -> ControlRequest {
        ControlRequest(["restart"], arguments: [try ArgumentChecks.existingVM(name)])
    }

    /// `rename <old> <new>`.
    static func rename(_ name: String, to newName: String) throws(ControlError) -> ControlRequest {
        let old = try ArgumentChecks.existingVM(name)
        return ControlRequest(["rename"], arguments: [old, ControlWord(try VMName(newName).rawValue)])
    }

    /// `tag <vm> <tag>...`, or with `-d` to remove.
    static func tag(_ name: String, _ tags: [String], remove: Bool) throws(ControlError) -> ControlRequest {
        let vm = try ArgumentChecks.existingVM(name)
        guard !tags.isEmpty else { throw ControlError(.invalidArgument, "usage: tag [-d] <vm> <tag>...") }
        try VMTag.validate(tags)
        return ControlRequest(
            ["tag"], arguments: [vm] + tags.map { ControlWord($0) }, flags: remove ? [ControlFlag(set: "d")] : [])
    }

    /// `comment <vm> <text>`; an empty text clears the comment.
    static func comment(_ name: String, _ text: String) throws(ControlError) -> ControlRequest {
        let vm = try ArgumentChecks.existingVM(name)
        try VMComment.validate(text)
        // The server's lexer drops an empty word (`comment vm ''` is a usage
        // error there); it trims the comment, so one space clears it.
        let word = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? " " : text
        return ControlRequest(["comment"], arguments: [vm, ControlWord(word)])
    }

    /// `stat <vm> --range=...`.
    static func stat(_ name: String, range: StatRange) throws(ControlError) -> ControlRequest {
        ControlRequest(
            ["stat"], arguments: [try ArgumentChecks.existingVM(name)], flags: [ControlFlag("range", ControlWord(range.rawValue))],
            isReadOnly: true)
    }

    /// `cp <source> [new-name] ...`.
    static func copy(_ source: String, as newName: String?, options: CopyOptions) throws(ControlError) -> ControlRequest {
        var arguments = [try ArgumentChecks.existingVM(source)]
        if let newName { arguments.append(ControlWord(try VMName(newName).rawValue)) }
        var flags: [ControlFlag] = []
        if !options.copyTags { flags.append(ControlFlag("copy-tags", bool: false)) }
        if let disk = try ArgumentChecks.disk(options.disk) { flags.append(disk) }
        if let memory = try ArgumentChecks.memory(options.memory) { flags.append(memory) }
        if let cpus = try ArgumentChecks.cpus(options.cpus) { flags.append(cpus) }
        if options.standalone { flags.append(ControlFlag(set: "standalone")) }
        return ControlRequest(["cp"], arguments: arguments, flags: flags)
    }

    /// `resize <vm> --memory= --cpu= --disk=`.
    static func resize(_ name: String, _ options: ResizeOptions) throws(ControlError) -> ControlRequest {
        let vm = try ArgumentChecks.existingVM(name)
        var flags: [ControlFlag] = []
        if let memory = try ArgumentChecks.memory(options.memory) { flags.append(memory) }
        if let cpus = try ArgumentChecks.cpus(options.cpus) { flags.append(cpus) }
        // The disk only grows; the server knows the current size.
        if let disk = try ArgumentChecks.disk(options.disk, minimumGiB: nil) { flags.append(disk) }
        guard !flags.isEmpty else {
            throw ControlError(.invalidArgument, "resize needs at least one of --memory, --cpu or --disk")
        }
        return ControlRequest(["resize"], arguments: [vm], flags: flags)
    }
}
