import ExeLease

/// The stderr line `lease run --artifacts` prints about what it copied.
enum LeaseArtifactsOutput {
    static func line(_ report: ArtifactReport) -> String {
        var text = "artifacts: \(report.files) file\(report.files == 1 ? "" : "s") (\(report.bytes) bytes) in \(report.directory)"
        if !report.missing.isEmpty { text += "; nothing matched " + report.missing.joined(separator: ", ") }
        if !report.refused.isEmpty { text += "; refused (leads outside the work directory) " + report.refused.joined(separator: ", ") }
        return text
    }
}
