public import Foundation
import Synchronization

/// Runs an ``SSHConnection``'s commands on a connection held elsewhere, for
/// example by a connection holder process that keeps one authenticated
/// connection open across many short-lived programs (`exe-cli connections`).
///
/// A relayed connection (``SSHConnection/relayed(to:through:)``) behaves
/// like a direct one: ``SSHConnection/run(_:stdin:timeout:check:)``,
/// ``SSHConnection/stream(_:stdin:timeout:)`` and
/// ``SSHConnection/shell(terminal:input:command:)`` hand each command to
/// ``open(_:input:)``; file transfers use ``fileConnection()``.
public protocol SSHChannelRelay: Sendable {
    /// Starts `request` on a channel of the held connection. The returned
    /// stream yields output chunks in arrival order and then the exit
    /// status, or throws an ``SSHError``; stopping the iteration (or
    /// cancelling its task) must close the remote channel.
    func open(_ request: RelayedChannelRequest, input: CommandInputReader) -> RelayedChannel

    /// A connection for SFTP (file transfers do not go through the relay).
    /// Called on the first file operation; the relay keeps and closes it.
    func fileConnection() async throws -> SSHConnection

    /// Releases what the relay opened (the file connection); the held
    /// connection itself stays open for the next program.
    func close() async
}

/// What one relayed channel runs.
public struct RelayedChannelRequest: Sendable {
    /// The remote command; for ``kind`` `shell`, empty.
    public var command: String
    /// An `exec` or a login `shell` (the latter always with ``terminal``).
    public var kind: RelayedChannelKind
    /// A pseudo-terminal to request, or `nil`.
    public var terminal: PseudoTerminal?
    /// How long the command may take.
    public var timeout: Duration?
    /// `false` when stdin is ``CommandInput/none`` (EOF at once).
    public var hasInput: Bool

    /// Creates a request.
    public init(command: String, kind: RelayedChannelKind, terminal: PseudoTerminal?, timeout: Duration?, hasInput: Bool) {
        self.command = command
        self.kind = kind
        self.terminal = terminal
        self.timeout = timeout
        self.hasInput = hasInput
    }
}

/// An `exec` channel request or a `shell` one.
public enum RelayedChannelKind: String, Sendable, Hashable, Codable {
    /// `exec` with a command line.
    case exec
    /// The login shell.
    case shell
}

/// A running relayed channel: its output events and a way to resize its terminal.
public struct RelayedChannel: Sendable {
    /// Output chunks in arrival order, then ``CommandOutputEvent/exit(_:)``.
    public var events: AsyncThrowingStream<CommandOutputEvent, any Error>
    /// Tells the remote side the terminal's new size.
    public var resize: @Sendable (_ width: Int, _ height: Int) -> Void

    /// Creates a channel.
    public init(
        events: AsyncThrowingStream<CommandOutputEvent, any Error>, resize: @escaping @Sendable (_ width: Int, _ height: Int) -> Void
    ) {
        self.events = events
        self.resize = resize
    }
}

/// Reads a ``CommandInput`` chunk by chunk (for a relay that forwards it).
/// One reader at a time.
public struct CommandInputReader: Sendable {
    private let pull: @Sendable () async throws -> Data?

    init(_ input: CommandInput) {
        switch input.source {
        case .none: pull = { nil }
        case .data(let data):
            let pending = Mutex<Data?>(data.isEmpty ? nil : data)
            pull = { pending.withLock { value in defer { value = nil }; return value } }
        case .stream(let next): pull = next
        }
    }

    /// The next chunk, or `nil` at EOF.
    public func next() async throws -> Data? { try await pull() }
}

extension CommandInput {
    /// `false` for ``none``.
    var hasContent: Bool {
        if case .none = source { return false }
        return true
    }
}

extension SSHError.Kind {
    /// Every kind this version defines, so a relay can carry a kind by its
    /// ``description`` and restore it on the other side.
    public static let allKnown: [SSHError.Kind] = [
        .nameResolution, .connectionRefused, .timeout, .hostKeyMismatch, .hostKeyUnknown, .authenticationFailed, .keyFile,
        .channelFailure, .disconnected, .sftp, .commandFailed, .protocol, .invalidConfiguration, .cancelled,
    ]
}

extension SSHClientConfiguration {
    /// Whether a key file this configuration would try (the explicit ones,
    /// then `~/.ssh/id_ed25519` and `~/.ssh/id_ecdsa` when
    /// ``useDefaultIdentities`` is set) is protected by a passphrase. A
    /// relay's holder has no terminal to ask for it, so a caller that can ask
    /// may prefer a direct connection.
    public var hasEncryptedIdentityFile: Bool {
        var paths = identityFiles.map(environment.expandingTilde)
        if useDefaultIdentities { paths += ["id_ed25519", "id_ecdsa"].map { environment.homeDirectory + "/.ssh/" + $0 } }
        return paths.contains { path in (try? PrivateKeyFile.inspect(path: path))??.isEncrypted == true }
    }
}
