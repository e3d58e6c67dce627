/// Who you are: the result of `whoami` (reference §4.10).
public struct Account: Sendable, Hashable, Codable {
    /// The account's email.
    public var email: String
    /// Home region code; often empty outside the interactive REPL.
    public var region: String?
    /// Home region for people.
    public var regionDisplay: String?
    /// Registered keys, the current one first.
    public var sshKeys: [SSHKey]

    enum CodingKeys: String, CodingKey { case email, region, regionDisplay = "region_display", sshKeys = "ssh_keys" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let email = container.lenientString(.email) else { throw MissingKey(description: "whoami without email") }
        self.email = email
        region = container.lenientString(.region).flatMap { $0.isEmpty ? nil : $0 }
        regionDisplay = container.lenientString(.regionDisplay).flatMap { $0.isEmpty ? nil : $0 }
        sshKeys = container.lenientArray(SSHKey.self, .sshKeys)
    }
}
