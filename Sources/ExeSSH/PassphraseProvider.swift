public import ExeSystem

/// Supplies the passphrase of an encrypted private key.
///
/// The library never prompts by itself; a CLI passes a provider that asks the
/// user on the terminal, a service passes one that reads a secret store.
/// Return `nil` to skip the key.
public typealias PassphraseProvider = @Sendable (_ keyPath: String) async -> Secret?
