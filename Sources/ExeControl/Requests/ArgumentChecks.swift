import Foundation

/// Checks on arguments that name existing things, made before a round trip.
enum ArgumentChecks {
    /// An existing VM's name: anything non-blank (older VMs may predate
    /// today's naming rules; the server normalizes `name.exe.xyz`).
    static func existingVM(_ name: String) throws(ControlError) -> ControlWord {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ControlError(.invalidArgument, "a VM name is required")
        }
        return ControlWord(name)
    }

    static func nonEmpty(_ value: String, _ what: String) throws(ControlError) -> ControlWord {
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ControlError(.invalidArgument, "\(what) is required")
        }
        return ControlWord(value)
    }

    static func cpus(_ count: Int?, flag: String = "cpu") throws(ControlError) -> ControlFlag? {
        guard let count else { return nil }
        guard count >= 1 else { throw ControlError(.invalidArgument, "--\(flag) must be at least 1") }
        return ControlFlag(flag, ControlWord(String(count)))
    }

    static func memory(_ size: ByteSize?) throws(ControlError) -> ControlFlag? {
        guard let size else { return nil }
        try size.require(atLeastGiB: 2, flag: "memory")
        return ControlFlag("memory", ControlWord(size.text))
    }

    static func disk(_ size: ByteSize?, minimumGiB: UInt64? = 10) throws(ControlError) -> ControlFlag? {
        guard let size else { return nil }
        if let minimumGiB { try size.require(atLeastGiB: minimumGiB, flag: "disk") }
        return ControlFlag("disk", ControlWord(size.text))
    }

    /// An attachment spec: `vm:<name>`, `tag:<tag>` or `auto:all`.
    static func attachmentSpec(_ spec: String) throws(ControlError) -> ControlWord {
        let valid = (spec.hasPrefix("vm:") && spec.count > 3) || (spec.hasPrefix("tag:") && spec.count > 4) || spec == "auto:all"
        guard valid else {
            throw ControlError(.invalidArgument, "invalid attachment spec \(GoQuote.string(spec)): use vm:<name>, tag:<tag> or auto:all")
        }
        return ControlWord(spec)
    }
}
