/// How an app is deployed (the seed's two patterns).
public enum DeployPattern: String, Sendable, Codable, CaseIterable {
    /// Pattern A: a stateless VM replaced from a freshly pushed image.
    case replace
    /// Pattern B: a docker compose app updated in place on a stateful VM,
    /// its data and `.env.production` under `/data`.
    case compose
}

/// How Pattern A replaces the VM.
public enum ReplaceStrategy: String, Sendable, Codable, CaseIterable {
    /// Create the new VM under a temporary name, gate on its health, then
    /// remove the old VM and give the new one the app's name. A failed
    /// release never takes the old VM down.
    case blueGreen = "blue-green"
    /// The seed's: remove the old VM, then create the new one under the
    /// same name (downtime; the only choice when two VMs cannot coexist).
    case replace
}

/// Which tool builds and pushes the image.
public enum BuilderChoice: String, Sendable, Codable, CaseIterable {
    /// `docker buildx` when a Docker engine answers `docker info`, else buildah.
    case auto
    /// `docker buildx build --platform ... --push`.
    case docker
    /// `buildah bud` and `buildah push` (daemonless).
    case buildah
    /// No build: deploy the image named by `--image`.
    case prebuilt
}
