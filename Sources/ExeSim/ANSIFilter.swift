/// What exe.dev does to a control command's output when the session has no
/// terminal: `exemenu.ANSIFilterWriter` (`exemenu/command_system.go`,
/// chosen in `execore/ssh_server.go` for an exec session without a PTY and
/// always in `execore/exec_handler.go`) removes ANSI escape sequences
/// (`ansi.Strip`) and turns CRLF into LF. Handlers write their colours and
/// then lay out columns with the escapes counted, so a table's spacing
/// after the filter is the server's, quirks included.
package enum ANSIFilter {
    /// `text` without escape sequences (CSI, OSC and the other string
    /// sequences, and plain escapes with or without intermediates), with
    /// CRLF line ends as LF. Other control characters (tab, BEL, a lone CR)
    /// stay, as `ansi.Strip` keeps what its parser executes.
    package static func strip(_ text: String) -> String {
        guard text.contains("\u{1B}") || text.contains("\r\n") else { return text }
        var result = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return scalars.next()
        }
        while let scalar = next() {
            switch scalar {
            case "\u{1B}":
                guard let kind = next() else { break }
                switch kind {
                case "[":
                    // Parameters and intermediates, then one final byte (0x40–0x7E).
                    while let byte = next(), !(0x40...0x7E).contains(byte.value) {}
                case "]", "P", "_", "^":
                    // A string sequence: ends at BEL or ESC \.
                    while let byte = next() {
                        if byte == "\u{07}" { break }
                        if byte == "\u{1B}" {
                            if let after = next(), after != "\\" { pending = after }
                            break
                        }
                    }
                case _ where (0x20...0x2F).contains(kind.value):
                    // Intermediates (`ESC ( B`), then one final byte.
                    while let byte = next(), (0x20...0x2F).contains(byte.value) {}
                default:
                    // A two-byte escape (`ESC 7`).
                    break
                }
            case "\r":
                if let after = next() {
                    if after != "\n" { result.append(scalar) }
                    pending = after
                } else {
                    result.append(scalar)
                }
            default:
                result.append(scalar)
            }
        }
        return String(result)
    }
}
