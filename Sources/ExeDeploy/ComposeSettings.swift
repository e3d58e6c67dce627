/// Pattern B's settings (`compose:` in `exe.deploy.yaml`, and the env
/// file): how the app runs under docker compose on its VM.
public struct ComposeSettings: Sendable, Equatable {
    /// A compose file template; the built-in one when `nil`.
    public var file: String?
    /// The service the built image runs as in the built-in compose file.
    public var service: String
    /// Its container name; `nil`: the app's name.
    public var containerName: String?
    /// How docker is run on the VM (`sudo docker`).
    public var docker: String
    /// A local env file uploaded as `/data/.env.production`; `nil` leaves
    /// the VM's alone.
    public var envFile: String?

    /// Pattern B's settings; every one has the default `exe.deploy.yaml` has.
    ///
    /// - Parameters:
    ///   - file: a compose file template (`nil`: the built-in one).
    ///   - service: the built image's service (`app`).
    ///   - containerName: its container's name (`nil`: the app's name).
    ///   - docker: how docker is run on the VM (`sudo docker`).
    ///   - envFile: a local env file to upload.
    public init(
        file: String? = nil, service: String = "app", containerName: String? = nil, docker: String = "sudo docker",
        envFile: String? = nil
    ) {
        self.file = file
        self.service = service
        self.containerName = containerName
        self.docker = docker
        self.envFile = envFile
    }
}
