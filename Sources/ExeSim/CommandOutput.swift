/// What a control command writes: one stdout stream, JSON values or
/// ANSI-free text lines, and the exit status.
package final class CommandOutput: @unchecked Sendable {
    /// Whether JSON was asked for (or forced, over HTTPS).
    package internal(set) var wantsJSON: Bool
    /// Everything written so far.
    public private(set) var text = ""

    init(wantsJSON: Bool) { self.wantsJSON = wantsJSON }

    /// Writes one compact JSON value and a newline (JSON mode only).
    func json(_ value: JSONValue) {
        guard wantsJSON else { return }
        // exemenu/command_system.go WriteJSON: SetEscapeHTML(false).
        text += value.encoded(escapingHTML: false) + "\n"
    }

    /// Writes a text line (text mode only).
    func line(_ line: String = "") {
        guard !wantsJSON else { return }
        text += line + "\n"
    }

    /// Writes an error: `{"error":...}` in JSON mode, the bare message otherwise.
    func error(_ message: String) {
        if wantsJSON {
            json(.object([("error", .string(message))]))
        } else {
            text += message + "\n"
        }
    }

    /// Writes text whatever the mode (errors that escape JSON mode).
    func raw(_ message: String) { text += message }
}
