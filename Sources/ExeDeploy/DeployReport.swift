/// What a deploy, rollback or failed attempt did: printed as text at the
/// end of `exe-cli deploy`, or as JSON with `--json`.
public struct DeployReport: Sendable, Codable {
    /// How it ended.
    public enum Outcome: String, Sendable, Codable {
        /// The new release is live.
        case deployed
        /// The new release failed; the previous one is live again (Pattern B
        /// restored its compose file, Pattern A kept the old VM).
        case restored
        /// It failed and nothing could be restored (or nothing was there).
        case failed
        /// The new release is healthy and waits beside the live one
        /// (`--no-promote`): ``DeployReport/candidate`` says where.
        case candidate
        /// The candidate release was removed (`exe-cli deploy discard`);
        /// the live one was not touched.
        case discarded
    }

    /// Logs fetched from a VM or compose service (when a release fails).
    public struct Log: Sendable, Codable {
        /// Where they came from: a VM or a service.
        public var source: String
        /// The last lines, secrets redacted.
        public var text: String

        /// Creates a log excerpt.
        public init(source: String, text: String) {
            self.source = source
            self.text = text
        }
    }

    /// `deploy`, `rollback`, `promote` or `discard`.
    public var action: DeployAction
    /// The app.
    public var app: String
    /// `replace` or `compose`.
    public var pattern: DeployPattern
    /// Pattern A's strategy.
    public var strategy: ReplaceStrategy?
    /// The VM serving the app now (or that was deployed to).
    public var vm: String
    /// Its URL.
    public var url: String?
    /// The image reference deployed (tagged).
    public var image: String?
    /// The image's digest, when known.
    public var digest: String?
    /// The image that was live before.
    public var previousImage: String?
    /// How it ended.
    public var outcome: Outcome
    /// Step durations.
    public var timings: DeployTimings
    /// Logs of what failed.
    public var logs: [Log]
    /// What a person should know (a kept VM, a setting that could not be carried over).
    public var notes: [String]
    /// The error, when it failed.
    public var error: String?
    /// The candidate release a `--no-promote` deploy left (or a `discard` removed).
    public var candidate: DeployCandidate?

    /// Creates a report.
    public init(action: DeployAction, app: String, pattern: DeployPattern, vm: String) {
        self.action = action
        self.app = app
        self.pattern = pattern
        self.vm = vm
        outcome = .failed
        timings = DeployTimings()
        logs = []
        notes = []
    }
}
