import Foundation

/// What exe.dev does to a control command's output when the session has no
/// terminal: `exemenu.ANSIFilterWriter` (`exemenu/command_system.go`,
/// chosen in `execore/ssh_server.go` for an exec session without a PTY and
/// always in `execore/exec_handler.go`) removes escape sequences
/// (`ansi.Strip`), then turns CRLF into LF. Handlers write their colours and
/// lay out columns with the escapes counted, so a table's spacing after the
/// filter is the server's, quirks included.
package enum ANSIFilter {
    /// `text` as the filter leaves it: escape sequences removed as a DEC
    /// parser reads them (CSI, OSC ended by BEL or ST, DCS/SOS/PM/APC ended
    /// by ST, plain escapes with or without intermediates; CAN and SUB
    /// abort a sequence, ESC starts a new one), control characters kept
    /// (tab, BEL, a lone CR, also inside a sequence, where the parser
    /// executes them), then CRLF as LF.
    package static func strip(_ text: String) -> String {
        guard text.contains("\u{1B}") || text.contains("\r\n") else { return text }
        var kept = String.UnicodeScalarView()
        var state = State.ground
        // The first character after ESC: which sequence it opens.
        func afterEscape(_ scalar: Unicode.Scalar) {
            switch scalar.value {
            case 0x5B: state = .csi  // [
            case 0x5D: state = .osc  // ]
            case 0x50, 0x58, 0x5E, 0x5F: state = .string  // P X ^ _
            case 0x20...0x2F: state = .escapeIntermediate
            case 0x00...0x1F: kept.append(scalar)
            case 0x30...0x7E: state = .ground
            default:
                kept.append(scalar)
                state = .ground
            }
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x1B {
                // In a string sequence, ESC may begin its ST (ESC \).
                state = state == .osc || state == .string ? .stringEscape : .escape
                continue
            }
            if value == 0x18 || value == 0x1A {
                state = .ground
                continue
            }
            switch state {
            case .ground:
                kept.append(scalar)
            case .escape:
                afterEscape(scalar)
            case .stringEscape:
                if value == 0x5C { state = .ground } else { afterEscape(scalar) }
            case .escapeIntermediate, .csi:
                // Parameters (CSI only) and intermediates, then one final character.
                let continuing: ClosedRange<UInt32> = state == .csi ? 0x20...0x3F : 0x20...0x2F
                switch value {
                case continuing: break
                case 0x00...0x1F: kept.append(scalar)
                case 0x30...0x7E: state = .ground
                default:
                    kept.append(scalar)
                    state = .ground
                }
            case .osc:
                if value == 0x07 { state = .ground }
            case .string:
                break
            }
        }
        return String(kept).replacingOccurrences(of: "\r\n", with: "\n")
    }

    private enum State {
        case ground, escape, escapeIntermediate, csi, osc, string, stringEscape
    }
}
