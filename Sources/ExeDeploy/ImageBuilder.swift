public import ExeControl
public import ExeSystem

/// What to build and where to push it.
public struct ImageBuildRequest: Sendable {
    /// Where the image goes (`ghcr.io/owner/app`).
    public var repository: ImageReference
    /// This release's tag (`<git short sha>-<UTC timestamp>`); `latest` is pushed too.
    public var tag: String
    /// The build context directory (absolute).
    public var contextDirectory: String
    /// The Dockerfile (absolute).
    public var dockerfile: String
    /// The target platform (`linux/amd64`).
    public var platform: String
    /// Registry credentials; the token reaches the builder's login on stdin only.
    public var credentials: RegistryCredentials?

    /// Creates a request.
    public init(
        repository: ImageReference, tag: String, contextDirectory: String, dockerfile: String, platform: String,
        credentials: RegistryCredentials?
    ) {
        self.repository = repository
        self.tag = tag
        self.contextDirectory = contextDirectory
        self.dockerfile = dockerfile
        self.platform = platform
        self.credentials = credentials
    }

    /// `repository:tag`.
    public var taggedReference: ImageReference { repository.tagged(tag) }
    /// `repository:latest`.
    public var latestReference: ImageReference { repository.tagged("latest") }
}

/// An image in the registry, ready to deploy.
public struct BuiltImage: Sendable, Equatable {
    /// The release's reference (`repository:tag`).
    public var reference: ImageReference
    /// The manifest digest the registry stored, when the builder reports it.
    public var digest: String?

    /// Creates a value.
    public init(reference: ImageReference, digest: String?) {
        self.reference = reference
        self.digest = digest
    }
}

/// Runs a named, timed step (the deploy's progress and timing line).
public protocol DeployStepRunning: Sendable {
    /// Runs `body` as the step `phase`, announced with `message`.
    func run<T>(_ phase: String, _ message: String, _ body: () async throws -> T) async throws -> T
}

/// Builds an image and pushes it (with the `latest` tag) to the registry.
/// Implementations run their tools through the injected `ProcessRunner`
/// and pass secrets on stdin only.
public protocol ImageBuilder: Sendable {
    /// `docker buildx`, `buildah`, `prebuilt`.
    var name: String { get }
    /// Builds and pushes; reports steps `build` and `push` through `steps`.
    ///
    /// - Throws: ``DeployError`` with kind `build` or `registry`.
    func build(_ request: ImageBuildRequest, runner: any ProcessRunner, steps: any DeployStepRunning) async throws -> BuiltImage
}
