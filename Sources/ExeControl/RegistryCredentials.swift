public import ExeSystem

/// Credentials for a private registry (`new --registry-auth=USERNAME:PASSWORD`).
/// The whole value is treated as secret in errors and logs.
public struct RegistryCredentials: Sendable, Hashable {
    /// The registry user name.
    public var username: String
    /// The password or token.
    public var password: Secret

    /// Creates credentials.
    public init(username: String, password: Secret) {
        self.username = username
        self.password = password
    }

    /// The flag value, entirely secret.
    var word: ControlWord { .secret(Secret(username + ":" + password.reveal())) }

    func validate() throws(ControlError) {
        if username.isEmpty || username.contains(":") {
            throw ControlError(.invalidArgument, "--registry-auth must be USERNAME:PASSWORD with a non-empty user name without ':'")
        }
    }
}
