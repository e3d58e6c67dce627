/// Whether a VM receives email at `*@<vm>.exe.xyz`: the result of
/// `share receive-email` (reference §4.9).
public struct EmailReceiving: Sendable, Hashable, Codable {
    /// The VM.
    public var name: String
    /// Whether mail is delivered to `~/Maildir/new/`.
    public var enabled: Bool
    /// The address, e.g. `anything@vm.exe.xyz`.
    public var address: String?
    /// `success` after a change.
    public var status: String?

    enum CodingKeys: String, CodingKey { case name = "vm_name", enabled = "email_enabled", address = "email_address", status }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.name) else { throw MissingKey(description: "receive-email without vm_name") }
        self.name = name
        enabled = container.lenientBool(.enabled) ?? false
        address = container.lenientString(.address)
        status = container.lenientString(.status)
    }
}
