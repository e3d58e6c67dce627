public import ExeSSH

/// A command only the VM itself can answer correctly. Until a new VM's SSH
/// route is live, exe.dev's lobby answers the VM's address: it accepts
/// `true` (exit 0) and echoes unknown command lines back in its error, so a
/// probe looks for output the lobby cannot produce, a marker the VM's shell
/// computes (`printf 'exe-vm-%s\n' ready` prints `exe-vm-ready`; the lobby
/// would only quote the line).
public enum VMReadinessProbe {
    /// The line the VM's shell prints.
    public static let marker = "exe-vm-ready"
    /// A shell fragment that prints ``marker`` (but does not contain it).
    public static let command = "printf 'exe-vm-%s\\n' ready"

    /// Whether `result` (of a command ending in ``command``) came from the VM.
    public static func cameFromVM(_ result: CommandResult) -> Bool {
        result.stdout.split(whereSeparator: \.isNewline).last.map(String.init) == marker
    }
}
