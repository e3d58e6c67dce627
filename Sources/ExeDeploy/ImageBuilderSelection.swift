import ExeSystem

/// Picks the builder a configuration asks for; `auto` means Docker when its
/// engine answers `docker info`, buildah otherwise.
enum ImageBuilderSelection {
    static func builder(for configuration: DeployConfiguration, runner: any ProcessRunner) async throws -> any ImageBuilder {
        switch configuration.builder {
        case .prebuilt:
            guard let image = configuration.prebuiltImage else {
                throw DeployError(.configuration, "builder prebuilt needs --image")
            }
            return PrebuiltImage(image)
        case .docker: return DockerBuildxBuilder()
        case .buildah: return BuildahBuilder()
        case .auto:
            if await DockerBuildxBuilder.engineAnswers(runner: runner) { return DockerBuildxBuilder() }
            let buildah = try? await runner.run(ProcessInvocation("buildah", ["--version"], timeout: .seconds(15)))
            guard buildah?.status == 0 else {
                throw DeployError(
                    .build,
                    "no image builder: no Docker engine answers `docker info`, and buildah is not installed (apt-get install buildah, or deploy a prebuilt image with --image)")
            }
            return BuildahBuilder()
        }
    }
}
