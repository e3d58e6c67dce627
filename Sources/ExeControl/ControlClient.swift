/// The typed exe.dev control-plane client: one async method per command.
///
/// ```swift
/// let client = try ControlClient(configuration: .ssh(.init()))
/// let vm = try await client.create(.init(name: "my-app", image: "ghcr.io/me/app:1"))
/// try await client.share.setPublic(vm.name)
/// for vm in try await client.list().vms { print(vm.name, vm.status ?? .unknown) }
/// ```
///
/// Every method validates its arguments first (with the server's wording),
/// renders one command line, sends it over the configured transport, applies
/// the reference's error rules and decodes the result. Failures are
/// ``ControlError``s. The client is a value; copies share the transport and
/// may be used from any number of tasks at once.
public struct ControlClient: Sendable {
    /// Which transport to use: a configuration value, not a code change.
    public enum Configuration: Sendable {
        /// `ssh exe.dev <command>` over one reused connection.
        case ssh(SSHControlTransport.Configuration)
        /// `POST https://exe.dev/exec` with a token.
        case https(HTTPSControlTransport.Configuration)
    }

    /// The transport commands travel over.
    public let transport: any ControlTransport

    /// Creates a client over `transport`.
    public init(transport: any ControlTransport) {
        self.transport = transport
    }

    /// Creates a client with the transport `configuration` names.
    public init(configuration: Configuration) throws(ControlError) {
        switch configuration {
        case .ssh(let ssh): transport = SSHControlTransport(configuration: ssh)
        case .https(let https): transport = try HTTPSControlTransport(configuration: https)
        }
    }

    /// Sends `request` and applies the reference's error rules (§5).
    ///
    /// The escape hatch for commands this client has no method for: build a
    /// ``ControlRequest`` and decode ``ControlOutput/values`` yourself.
    ///
    /// A request with an empty positional argument is refused before it is
    /// sent: the server's lexer (go-shlex) drops empty words, so the
    /// arguments after it would shift into its place.
    public func execute(_ request: ControlRequest) async throws(ControlError) -> ControlOutput {
        if request.arguments.contains(where: { $0.revealed.isEmpty }) {
            throw ControlError(
                .invalidArgument, "an argument is empty; exe.dev drops empty words, so it cannot be sent",
                command: request.redactedCommandLine())
        }
        let response = try await transport.send(request)
        return try ResponseInterpreter.interpret(response, for: request, appendedJSONFlag: transport.appendsJSONFlag)
    }

    /// Closes the transport's connections.
    public func close() async { await transport.close() }

    func decode<T: Decodable>(_ type: T.Type, _ request: ControlRequest) async throws(ControlError) -> T {
        try await execute(request).decodeLast(T.self)
    }

    // MARK: VMs

    /// `ls`: your VMs (and your team's with `includeTeam`), optionally
    /// filtered by names, tags or globs.
    public func list(_ filters: [String] = [], includeTeam: Bool = false) async throws(ControlError) -> VMList {
        try await decode(VMList.self, .list(filters: filters, includeTeam: includeTeam))
    }

    /// The VM named `name`, or `nil` when you have none by that name.
    public func vm(named name: String) async throws(ControlError) -> VM? {
        let list = try await list([name], includeTeam: false)
        return list.vms.first { $0.name == name }
    }

    /// `new`: creates a VM and returns it when it is ready.
    public func create(_ options: NewVMOptions = NewVMOptions()) async throws(ControlError) -> VM {
        try await decode(VM.self, .create(options))
    }

    /// `rm`: deletes several VMs at once. A VM that cannot be deleted does
    /// not make this throw; see ``RemovalResult/failures``.
    public func remove(_ names: [String]) async throws(ControlError) -> RemovalResult {
        let output = try await execute(.remove(names))
        var result = try output.decodeLast(RemovalResult.self)
        result.attach(messages: output.errorMessages)
        return result
    }

    /// `rm` for one VM; throws its failure (for example ``ControlError/Kind/notFound``).
    public func remove(_ name: String) async throws(ControlError) {
        let output = try await execute(.remove([name]))
        var result = try output.decodeLast(RemovalResult.self)
        result.attach(messages: output.errorMessages)
        if let failure = result.failures.first {
            throw ControlError(
                ServerMessageClassifier.kind(for: failure.message) ?? .commandFailed, failure.message, command: output.command)
        }
    }

    /// `restart`.
    @discardableResult
    public func restart(_ name: String) async throws(ControlError) -> RestartResult {
        try await decode(RestartResult.self, .restart(name))
    }

    /// `rename`. Renaming to the same name succeeds with status `unchanged`
    /// (the server prints nothing for it in JSON mode).
    @discardableResult
    public func rename(_ name: String, to newName: String) async throws(ControlError) -> RenameResult {
        var request = try ControlRequest.rename(name, to: newName)
        if name == newName {
            // `execore/ssh_rename_command.go` answers with Writeln, silent with --json.
            request.expectedOutput = .nothing
            _ = try await execute(request)
            return RenameResult(oldName: name, newName: newName, status: "unchanged")
        }
        return try await decode(RenameResult.self, request)
    }

    /// `tag`: adds tags; returns all of the VM's tags.
    @discardableResult
    public func tag(_ name: String, _ tags: [String]) async throws(ControlError) -> TagResult {
        try await decode(TagResult.self, .tag(name, tags, remove: false))
    }

    /// `tag -d`: removes tags; returns the remaining ones.
    @discardableResult
    public func untag(_ name: String, _ tags: [String]) async throws(ControlError) -> TagResult {
        try await decode(TagResult.self, .tag(name, tags, remove: true))
    }

    /// `comment`: sets the comment (the server trims it); `""` (or any text
    /// that trims to nothing) clears it.
    @discardableResult
    public func setComment(_ name: String, _ text: String) async throws(ControlError) -> CommentResult {
        try await decode(CommentResult.self, .comment(name, text))
    }

    /// `stat`: usage samples.
    public func stat(_ name: String, range: StatRange = .day) async throws(ControlError) -> VMStats {
        try await decode(VMStats.self, .stat(name, range: range))
    }

    /// `cp`: copies a VM (disk snapshot, tags and comment).
    public func copy(_ source: String, as newName: String? = nil, options: CopyOptions = CopyOptions()) async throws(ControlError) -> CopyResult {
        try await decode(CopyResult.self, .copy(source, as: newName, options: options))
    }

    /// `resize`.
    @discardableResult
    public func resize(_ name: String, _ options: ResizeOptions) async throws(ControlError) -> ResizeResult {
        try await decode(ResizeResult.self, .resize(name, options))
    }

    // MARK: Account

    /// `whoami`.
    public func whoami() async throws(ControlError) -> Account {
        try await decode(Account.self, .whoami)
    }

    /// `set-region`: changes the home region for new VMs.
    @discardableResult
    public func setRegion(_ code: String) async throws(ControlError) -> RegionSetting {
        try await decode(RegionSetting.self, .setRegion(code))
    }

    /// `help`: the server's list of commands.
    public func help() async throws(ControlError) -> CommandIndex {
        try await decode(CommandIndex.self, .help([]))
    }

    /// `help <command>`: the server's description of one command.
    public func help(for command: [String]) async throws(ControlError) -> CommandHelp {
        try await decode(CommandHelp.self, .help(command))
    }

    // MARK: Command groups

    /// `share ...`.
    public var share: ShareCommands { ShareCommands(client: self) }
    /// `ssh-key ...`.
    public var sshKeys: SSHKeyCommands { SSHKeyCommands(client: self) }
    /// `integrations ...`.
    public var integrations: IntegrationCommands { IntegrationCommands(client: self) }
}
