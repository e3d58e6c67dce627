import ExeDeploy

/// The doctor's report for a terminal: a heading per section, one line
/// per check (mark, title, evidence), its details and fix indented below.
enum DoctorReportText {
    static func render(_ report: DoctorReport) -> String {
        var lines = ["doctor: \(report.vm)" + (report.app.map { $0 == report.vm ? "" : " (app \($0))" } ?? "")
            + (report.pattern.map { $0 == .replace ? ", Pattern A" : ", Pattern B" } ?? "")]
        let width = min(34, report.checks.map(\.title.count).max() ?? 0)
        var section: DoctorSection?
        for check in report.checks {
            if check.section != section {
                section = check.section
                lines.append("")
                lines.append(check.section.title)
            }
            let padding = String(repeating: " ", count: max(0, width - check.title.count))
            lines.append("  \(check.status.symbol) \(visible(check.title))\(padding)  \(visible(check.evidence))")
            lines += check.details.map { "      | " + visible($0) }
            if let fix = check.fix, check.status != .ok {
                lines.append("      fix: \(visible(fix.command))" + (fix.safe ? "   (--fix applies it)" : ""))
            }
        }
        let counts = [DoctorStatus.failed, .warning, .skipped].map { status in (status, report.checks.filter { $0.status == status }.count) }
        lines.append("")
        lines.append(
            counts.allSatisfy({ $0.1 == 0 })
                ? "all \(report.checks.count) checks passed"
                : "\(report.checks.count) checks: " + counts.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// `text` with control characters shown (`^[`, `\u{9B}`) rather than
    /// sent to the terminal: evidence and log lines come from the VM, and a
    /// container's output must not move the cursor or retitle the window.
    static func visible(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09: result += " "
            case 0x00..<0x20: result += "^" + String(UnicodeScalar(UInt8(scalar.value + 64)))
            case 0x7F: result += "^?"
            case 0x80...0x9F: result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func repairs(_ outcomes: [DoctorRepairOutcome]) -> String {
        outcomes.map { outcome in
            outcome.applied
                ? "fixed \(outcome.check): \(outcome.command)"
                : "could not fix \(outcome.check): \(outcome.command): \(visible(outcome.error ?? "failed"))"
        }.joined(separator: "\n")
    }
}
