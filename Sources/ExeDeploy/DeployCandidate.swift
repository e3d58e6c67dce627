public import Foundation

/// A release that passed its health check beside the live one and waits for
/// `exe-cli deploy promote` (or `discard`): what `deploy --no-promote`
/// leaves, `deploy status` shows and `--json` carries.
///
/// Where it is recorded: Pattern A, on the control plane (the VM
/// `<vm>-g<5 random>` tagged `exe-deploy-candidate-<unix time>`, see
/// `CandidateVM`); Pattern B, on the VM next to the other deploy state
/// (`/data/.exe-deploy/<app>/candidate.json`, its compose file
/// `/data/<app>.compose.yaml.candidate`).
public struct DeployCandidate: Sendable, Codable, Equatable {
    /// Pattern A: the candidate VM; Pattern B: the app's VM.
    public var vm: String
    /// Pattern B: the candidate's web container.
    public var container: String?
    /// Pattern B: the host port the candidate publishes (its port URL).
    public var port: Int?
    /// Where the candidate answers: its own VM URL (Pattern A), or the
    /// app VM's port URL (Pattern B; exe.dev serves it to the VM's owner
    /// only, so a request needs a login or a VM-scoped token).
    public var url: String?
    /// The candidate's image.
    public var image: String?
    /// Its digest, when known.
    public var digest: String?
    /// When it became a candidate (`nil` when not recorded).
    public var since: Date?
    /// Who made it (`user@host`), when recorded.
    public var by: String?

    /// Creates a description of a candidate release.
    public init(
        vm: String, container: String? = nil, port: Int? = nil, url: String?, image: String?, digest: String? = nil, since: Date?,
        by: String? = nil
    ) {
        self.vm = vm
        self.container = container
        self.port = port
        self.url = url
        self.image = image
        self.digest = digest
        self.since = since
        self.by = by
    }

    /// The record's bytes (Pattern B's `candidate.json`).
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// A record read back; `nil` when it cannot be read as one.
    static func decode(_ data: Data) -> DeployCandidate? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(DeployCandidate.self, from: data)
    }
}
