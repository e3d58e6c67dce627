import ExeControl
public import ExeSSH

/// Readiness checks that only the VM can pass. Until a new VM's SSH route
/// is live, exe.dev's lobby answers the VM's address: it accepts `true`
/// (exit 0) and echoes unknown command lines in its error, so a probe must
/// look for output the lobby cannot produce: a marker the VM's shell
/// computes (`printf 'exe-vm-%s\n' ready` prints `exe-vm-ready`; the lobby
/// would only quote the line back).
public enum VMReadiness {
    /// The line the VM's shell prints last (ExeControl's `VMReadinessProbe.marker`).
    public static let marker = VMReadinessProbe.marker
    /// A shell fragment that prints ``marker`` (but does not contain it).
    public static let markerCommand = VMReadinessProbe.command

    /// What a readiness probe saw.
    public enum Outcome: Sendable, Equatable {
        /// The VM answered and has everything.
        case ready
        /// The VM answered; these tools are missing.
        case missingTools([String])
        /// Something else answered (the lobby).
        case notTheVM
        /// The VM answered with a failure status.
        case failed(String)
    }

    /// Lists the sync tools the VM lacks, then prints the marker.
    public static let toolCheck =
        "for t in sh tar xargs stat sha256sum cmp cp gzip; do command -v $t >/dev/null || echo $t; done; " + markerCommand

    /// Reads the answer to ``toolCheck``.
    public static func interpretToolCheck(_ result: CommandResult) -> Outcome {
        var lines = result.stdout.split(whereSeparator: \.isNewline).map(String.init)
        guard lines.last == marker else { return .notTheVM }
        lines.removeLast()
        if !lines.isEmpty { return .missingTools(lines) }
        return result.succeeded ? .ready : .failed("\(result.status)")
    }

    /// Whether `result` (of a command ending in ``markerCommand``) came from the VM.
    public static func cameFromVM(_ result: CommandResult) -> Bool { VMReadinessProbe.cameFromVM(result) }
}
