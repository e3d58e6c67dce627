import ExeControl
public import ExeSystem
import Foundation

/// Builds and pushes in one go with `docker buildx build --platform P
/// --push` (the seed's command), when a Docker engine answers.
///
/// The token goes to `docker login --password-stdin` (Docker keeps it in
/// its credential store, as the seed's script does). The digest comes from
/// `--metadata-file` (`containerimage.digest`).
public struct DockerBuildxBuilder: ImageBuilder {
    /// The program.
    public var executable: String

    /// Creates a builder.
    public init(executable: String = "docker") { self.executable = executable }

    public var name: String { "docker buildx" }

    /// Whether a Docker engine answers (`docker info` succeeds).
    public static func engineAnswers(runner: any ProcessRunner, executable: String = "docker") async -> Bool {
        let output = try? await runner.run(ProcessInvocation(executable, ["info", "--format", "{{.ServerVersion}}"], timeout: .seconds(15)))
        return output?.status == 0
    }

    public func build(_ request: ImageBuildRequest, runner: any ProcessRunner, steps: any DeployStepRunning) async throws -> BuiltImage {
        let scratch = try ScratchDirectory(prefix: "exe-deploy-docker")
        defer { scratch.remove() }
        if let credentials = request.credentials {
            let login = try await runner.run(ProcessInvocation(
                executable, ["login", request.repository.registry, "--username", credentials.username, "--password-stdin"],
                standardInput: Data(credentials.password.reveal().utf8), timeout: .seconds(60)))
            try BuilderFailure.check(login, "docker login \(request.repository.registry)", kind: .registry)
        }
        let metadata = scratch.file("metadata.json")
        let tagged = request.taggedReference.description
        try await steps.run("build+push", "building and pushing \(tagged) with docker buildx") {
            let output = try await runner.run(ProcessInvocation(
                executable,
                [
                    "buildx", "build", "--platform", request.platform, "--file", request.dockerfile, "--tag", tagged,
                    "--tag", request.latestReference.description, "--push", "--metadata-file", metadata, request.contextDirectory,
                ],
                timeout: .seconds(3600)))
            try BuilderFailure.check(output, "docker buildx build", kind: .build)
        }
        return BuiltImage(reference: request.taggedReference, digest: Self.digest(fromMetadata: metadata))
    }

    /// `containerimage.digest` from a buildx metadata file.
    static func digest(fromMetadata path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["containerimage.digest"] as? String
    }
}
