import ExeSystem
import Foundation

/// `docker tag` and `docker rmi` (`docker image tag|rm`), as Docker's CLI
/// takes them: an image pulled under one name (a registry on the VM's
/// loopback) is named as the compose file names it, and the first name is
/// dropped (an image with other names is only untagged, as with Docker).
extension DockerShim {
    /// `docker tag SOURCE TARGET`.
    mutating func tag(_ arguments: [String]) -> Int32 {
        let names = arguments.filter { !$0.hasPrefix("-") }
        guard names.count == 2 else {
            err("\"docker tag\" requires exactly 2 arguments.")
            return 1
        }
        guard ImageName(names[1]) != nil else {
            err("Error parsing reference: \"\(names[1])\" is not a valid repository/tag: invalid reference format")
            return 1
        }
        guard configuration.containerRuntimeAvailable else {
            err("Cannot connect to the Docker daemon: no container runtime works on this machine (\(configuration.containerRuntimeProblem ?? "podman unavailable"))")
            return 1
        }
        guard let output = try? runtime.podman(["tag", names[0], names[1]], timeout: .seconds(60)), output.status == 0 else {
            err("Error response from daemon: No such image: \(names[0])")
            return 1
        }
        return 0
    }

    /// `docker rmi IMAGE...`: an image with another name is untagged, else removed.
    mutating func removeImages(_ arguments: [String]) -> Int32 {
        let names = arguments.filter { !$0.hasPrefix("-") }
        guard !names.isEmpty else {
            err("\"docker rmi\" requires at least 1 argument.")
            return 1
        }
        guard configuration.containerRuntimeAvailable else {
            err("Cannot connect to the Docker daemon: no container runtime works on this machine (\(configuration.containerRuntimeProblem ?? "podman unavailable"))")
            return 1
        }
        var status: Int32 = 0
        for name in names {
            guard let inspected = try? runtime.podman(["image", "inspect", "--format", "{{.Id}} {{len .RepoTags}}", name], timeout: .seconds(60)),
                inspected.status == 0
            else {
                err("Error response from daemon: No such image: \(name)")
                status = 1
                continue
            }
            let fields = inspected.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            let otherNames = (fields.count == 2 ? Int(fields[1]) ?? 1 : 1) > 1
            let removed = try? runtime.podman(otherNames ? ["untag", name, name] : ["rmi", name], timeout: .seconds(120))
            guard removed?.status == 0 else {
                err("Error response from daemon: conflict: unable to remove \(name): \(removed?.stderr.trimmingCharacters(in: .whitespacesAndNewlines) ?? "podman failed")")
                status = 1
                continue
            }
            out("Untagged: \(name)")
            if !otherNames, let id = fields.first { out("Deleted: sha256:\(id)") }
        }
        return status
    }
}
