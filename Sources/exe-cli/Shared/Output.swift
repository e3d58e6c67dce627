import Foundation

/// How a command prints its result: JSON with `--json`, text otherwise.
struct Output: Sendable {
    /// `--json` was given.
    let json: Bool
    let console: Console

    /// Prints `value` as JSON, or `text()` (when not empty) as text.
    func result<T: Encodable>(_ value: T, text: () -> String) throws {
        if json {
            console.print(try JSONRenderer.render(value))
        } else {
            let rendered = text()
            if !rendered.isEmpty { console.print(rendered) }
        }
    }

    /// An aligned table, cut to the terminal's width when stdout is one.
    func table(_ headers: [String], _ rows: [[String]]) -> String {
        TableRenderer.render(headers: headers, rows: rows, maxWidth: isatty(1) == 1 ? TerminalMode.size(fd: 1).width : nil)
    }
}
