import Foundation

extension DoctorRules {
    /// One row of `docker ps -a --format '{{.Names}}\t{{.Image}}\t{{.Status}}'`.
    public struct ContainerRow: Sendable, Equatable {
        /// The container's name.
        public var name: String
        /// The image it runs.
        public var image: String
        /// Docker's status text (`Up 2 minutes`, `Exited (3) 1 second ago`).
        public var status: String
        /// A row.
        public init(name: String, image: String, status: String) {
            self.name = name
            self.image = image
            self.status = status
        }

        /// The exit code in `Exited (3) 2 minutes ago`.
        public var exitCode: Int? {
            guard status.hasPrefix("Exited"), let open = status.firstIndex(of: "("), let close = status.firstIndex(of: ")"), open < close else {
                return nil
            }
            return Int(status[status.index(after: open)..<close])
        }
    }

    /// The `--format` that ``containerRows(_:)`` reads.
    public static let containerFormat = "{{.Names}}\t{{.Image}}\t{{.Status}}"

    /// Rows of `docker ps -a` with ``containerFormat``.
    public static func containerRows(_ text: String) -> [ContainerRow] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            return parts.count == 3 ? ContainerRow(name: parts[0], image: parts[1], status: parts[2]) : nil
        }
    }

    /// Whether a compose file's container runs; the last log lines of one
    /// that does not.
    ///
    /// - Parameters:
    ///   - expected: the container the compose file declares.
    ///   - row: what `docker ps -a` says about it, `nil` when it is not there.
    ///   - logTail: its last log lines.
    ///   - vm: the VM, for the fix's command.
    ///   - docker: the VM's docker command (`sudo docker`).
    public static func container(_ expected: ComposeContainer, row: ContainerRow?, logTail: [String], vm: String, docker: String) -> DoctorCheck {
        let id = "container.\(expected.service)"
        let title = "\(expected.name) (\(expected.service))"
        let restart = DoctorFix(
            "exe-cli vm exec \(vm) -- \(docker) restart \(expected.name)", repair: .restartContainer(vm: vm, container: expected.name))
        guard let row else {
            return DoctorCheck(
                id, .containers, title, .failed, "no such container (the compose file declares it)", fix: DoctorFix("exe-cli deploy"))
        }
        if row.status.hasPrefix("Up") {
            return DoctorCheck(id, .containers, title, .ok, "\(row.status), \(row.image)")
        }
        if row.status.hasPrefix("Restarting") {
            return DoctorCheck(id, .containers, title, .warning, "\(row.status): it keeps crashing", details: logTail, fix: DoctorFix("exe-cli deploy logs"))
        }
        let code = row.exitCode.map { "exit code \($0)" } ?? "not running"
        return DoctorCheck(id, .containers, title, .failed, "\(row.status) (\(code))", details: logTail, fix: restart)
    }

    /// The live image against what the last deploy recorded.
    ///
    /// - Parameters:
    ///   - live: the compose file's image (Pattern B) or the VM's (Pattern A).
    ///   - running: the image the container runs, when known.
    ///   - recorded: the last deploy's audit record, when there is one.
    ///   - runningDigests: the registry digests of the image the container
    ///     runs (`docker image inspect`'s `RepoDigests`), when read.
    public static func image(live: String?, running: String?, recorded: DeployAuditRecord?, runningDigests: [String]? = nil) -> DoctorCheck {
        let title = "image against the last deploy"
        guard let live else {
            return DoctorCheck("containers.image", .containers, title, .warning, "the live image is not known", fix: DoctorFix("exe-cli deploy status"))
        }
        guard let recorded, let image = recorded.image else {
            return DoctorCheck(
                "containers.image", .containers, title, .warning, "\(live); no deploy is recorded on the VM (made by hand?)",
                fix: DoctorFix("exe-cli deploy"))
        }
        if let running, running != live, !live.hasSuffix("/" + running), ImageReference(running)?.description != ImageReference(live)?.description {
            return DoctorCheck(
                "containers.image", .containers, title, .warning, "the container runs \(running), the compose file says \(live)",
                fix: DoctorFix("exe-cli deploy"))
        }
        guard image == live else {
            return DoctorCheck(
                "containers.image", .containers, title, .warning,
                "\(live) is live, the last deploy (\(recorded.result)) recorded \(image)", fix: DoctorFix("exe-cli deploy"))
        }
        let deployed = image + (recorded.digest.map { " (\($0))" } ?? "") + ", deployed by \(recorded.actor)"
        guard let digest = recorded.digest, let runningDigests else {
            return DoctorCheck("containers.image", .containers, title, .ok, deployed)
        }
        if runningDigests.isEmpty {
            return DoctorCheck(
                "containers.image", .containers, title, .ok, deployed + "; the container's image has no registry digest to compare")
        }
        guard runningDigests.contains(where: { $0.hasSuffix("@" + digest) }) else {
            let runs = runningDigests.compactMap { $0.split(separator: "@").last.map(String.init) }.joined(separator: ", ")
            return DoctorCheck(
                "containers.image", .containers, title, .warning,
                "the container runs \(image) at \(runs), the last deploy pushed \(digest): the tag was pushed again or pulled since",
                fix: DoctorFix("exe-cli deploy"))
        }
        return DoctorCheck("containers.image", .containers, title, .ok, deployed + "; the container runs that digest")
    }
}
