/// Options of `ssh-key generate-api-key` (reference §4.11).
public struct APIKeyOptions: Sendable {
    /// The key's label; `api-key` (or `api-key-<vm>`) by default.
    public var label: String?
    /// Scope the token to this VM's HTTPS proxy instead of `/exec`.
    public var vm: String?
    /// Commands the token may run; the server's defaults when empty.
    public var commands: [String]
    /// Lifetime: `Nh`, `Nd`, `Nw`, `Nm`, `Ny` or `never`; 30 days by default.
    public var expiry: String?

    /// Creates options.
    public init(label: String? = nil, vm: String? = nil, commands: [String] = [], expiry: String? = nil) {
        self.label = label
        self.vm = vm
        self.commands = commands
        self.expiry = expiry
    }
}
