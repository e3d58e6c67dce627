extension DoctorRules {
    /// How loading `exe.deploy.yaml` went.
    public enum ConfigurationOutcome: Sendable, Equatable {
        /// Loaded from `path`.
        case loaded(path: String, summary: String)
        /// No file: defaults and the VM named on the command line.
        case missing
        /// It does not load (the message).
        case invalid(String)
    }

    /// `exe.deploy.yaml` valid.
    public static func configuration(_ outcome: ConfigurationOutcome) -> DoctorCheck {
        let title = "exe.deploy.yaml valid"
        switch outcome {
        case .loaded(let path, let summary):
            return DoctorCheck("local.config", .local, title, .ok, "\(path): \(summary)")
        case .missing:
            return DoctorCheck(
                "local.config", .local, title, .warning, "no exe.deploy.yaml here: checked without it", fix: DoctorFix("exe-cli deploy init"))
        case .invalid(let message):
            return DoctorCheck("local.config", .local, title, .failed, message, fix: DoctorFix("exe-cli deploy config"))
        }
    }

    /// The Dockerfile's `EXPOSE` against `port:`.
    ///
    /// - Parameters:
    ///   - path: the Dockerfile's path, for the evidence.
    ///   - exposed: `nil` when there is no Dockerfile; `.some(nil)` when it
    ///     exposes nothing.
    ///   - port: the configured `port:`.
    public static func dockerfile(path: String, exposed: Int??, port: Int?) -> DoctorCheck {
        let title = "Dockerfile EXPOSE"
        guard let exposed else { return .skipped("local.dockerfile", .local, title, "no \(path)") }
        guard let exposed else {
            return DoctorCheck(
                "local.dockerfile", .local, title, .warning, "\(path) exposes no port",
                fix: DoctorFix("EXPOSE \(port.map(String.init) ?? "PORT") in \(path)"))
        }
        guard let port else { return DoctorCheck("local.dockerfile", .local, title, .ok, "EXPOSE \(exposed) (exe.deploy.yaml sets no port)") }
        guard port == exposed else {
            return DoctorCheck(
                "local.dockerfile", .local, title, .failed, "\(path) exposes \(exposed), exe.deploy.yaml says port: \(port)",
                fix: DoctorFix("port: \(exposed) in exe.deploy.yaml (or EXPOSE \(port) in \(path), the port the app listens on)"))
        }
        return DoctorCheck("local.dockerfile", .local, title, .ok, "EXPOSE \(exposed), as port: in exe.deploy.yaml")
    }
}
