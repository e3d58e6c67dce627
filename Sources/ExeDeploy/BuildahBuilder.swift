import ExeControl
public import ExeSystem
import Foundation

/// Builds with `buildah bud` and pushes with `buildah push`: no daemon,
/// works where Docker's engine is missing (CI containers, this machine).
///
/// Registry credentials go to `buildah login --password-stdin` into an auth
/// file in a private temporary directory that is deleted afterwards, so the
/// token is neither in argv nor left in a shared auth file. Loopback
/// registries (the simulator's) are used over plain HTTP (`--tls-verify=false`).
/// The pushed manifest's digest comes from `--digestfile`.
public struct BuildahBuilder: ImageBuilder {
    /// The storage driver (`vfs` works without privileges or overlay
    /// support); `nil` for buildah's default.
    public var storageDriver: String?
    /// The isolation for `RUN` steps (`chroot` works in containers).
    public var isolation: String?
    /// The program.
    public var executable: String

    /// Creates a builder.
    public init(storageDriver: String? = "vfs", isolation: String? = "chroot", executable: String = "buildah") {
        self.storageDriver = storageDriver
        self.isolation = isolation
        self.executable = executable
    }

    public var name: String { "buildah" }

    public func build(_ request: ImageBuildRequest, runner: any ProcessRunner, steps: any DeployStepRunning) async throws -> BuiltImage {
        let scratch = try ScratchDirectory(prefix: "exe-deploy-buildah")
        defer { scratch.remove() }
        let storage = storageDriver.map { ["--storage-driver", $0] } ?? []
        let tls = request.repository.isLoopbackRegistry ? ["--tls-verify=false"] : []
        var auth: [String] = []
        if let credentials = request.credentials {
            let authFile = scratch.file("auth.json")
            auth = ["--authfile", authFile]
            let login = try await runner.run(ProcessInvocation(
                executable, ["login"] + auth + tls + ["--username", credentials.username, "--password-stdin", request.repository.registry],
                standardInput: Data(credentials.password.reveal().utf8), timeout: .seconds(60)))
            try BuilderFailure.check(login, "buildah login to \(request.repository.registry)", kind: .registry)
        }
        let tagged = request.taggedReference.description
        let latest = request.latestReference.description
        try await steps.run("build", "building \(tagged) with buildah") {
            let arguments =
                storage + ["bud"] + (isolation.map { ["--isolation", $0] } ?? []) + [
                    "--platform", request.platform, "--file", request.dockerfile, "--tag", tagged, "--tag", latest,
                    request.contextDirectory,
                ]
            let output = try await runner.run(ProcessInvocation(executable, arguments, timeout: .seconds(3600)))
            try BuilderFailure.check(output, "buildah bud", kind: .build)
        }
        let digestFile = scratch.file("digest")
        try await steps.run("push", "pushing \(tagged) and :latest") {
            for (reference, digest) in [(tagged, ["--digestfile", digestFile]), (latest, [])] {
                let output = try await runner.run(ProcessInvocation(
                    executable, storage + ["push"] + auth + tls + digest + [reference, "docker://" + reference], timeout: .seconds(1800)))
                try BuilderFailure.check(output, "buildah push \(reference)", kind: .registry)
            }
        }
        let digest = (try? String(contentsOfFile: digestFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return BuiltImage(reference: request.taggedReference, digest: digest.flatMap { $0.isEmpty ? nil : $0 })
    }
}
