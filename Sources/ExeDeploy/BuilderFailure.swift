import ExeSystem

/// Turns a builder tool's failed run into a ``DeployError`` with the tail
/// of its output (the tools print the reason last).
enum BuilderFailure {
    static func check(_ output: ProcessOutput, _ what: String, kind: DeployError.Kind) throws {
        guard output.status != 0 else { return }
        throw DeployError(kind, "\(what) failed (exit status \(output.status))" + tail(output))
    }

    static func tail(_ output: ProcessOutput, lines: Int = 15) -> String {
        let text = (output.stdout + "\n" + output.stderr).split(whereSeparator: \.isNewline).suffix(lines).joined(separator: "\n")
        return text.isEmpty ? "" : ":\n" + text
    }
}
