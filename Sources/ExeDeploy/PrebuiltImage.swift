import ExeControl
public import ExeSystem

/// No build: the image given with `--image` (or a rollback's previous
/// image) is deployed as it is.
public struct PrebuiltImage: ImageBuilder {
    /// The image to deploy.
    public var image: ImageReference

    /// Creates the builder for `image`.
    public init(_ image: ImageReference) { self.image = image }

    public var name: String { "prebuilt" }

    public func build(_ request: ImageBuildRequest, runner: any ProcessRunner, steps: any DeployStepRunning) async throws -> BuiltImage {
        BuiltImage(reference: image, digest: image.digest)
    }
}
