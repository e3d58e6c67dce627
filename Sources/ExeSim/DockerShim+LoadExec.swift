import Foundation
import ExeSystem

/// `docker load` and `docker exec`, as Docker's CLI takes them: an image
/// archive copied to the VM becomes an image without any registry
/// (`exe-cli registry up` bootstraps its registry this way), and a command
/// runs inside a running container (`registry gc` runs the registry's
/// `garbage-collect` there).
extension DockerShim {
    /// `docker load [-q] -i FILE` (or `--input FILE`, `--input=FILE`).
    mutating func load(_ arguments: [String]) -> Int32 {
        var input: String?
        var quiet = false
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            switch word {
            case "-i", "--input":
                index += 1
                input = index < arguments.count ? arguments[index] : nil
            case "-q", "--quiet": quiet = true
            default:
                if word.hasPrefix("--input=") {
                    input = String(word.dropFirst("--input=".count))
                } else {
                    err("unknown flag: \(word) (exe-sim's docker load takes -i FILE and -q)")
                    return 1
                }
            }
            index += 1
        }
        guard let input else {
            err("requested load from stdin, but stdin is empty (exe-sim's docker load needs -i FILE)")
            return 1
        }
        guard configuration.containerRuntimeAvailable else {
            err("Cannot connect to the Docker daemon: no container runtime works on this machine (\(configuration.containerRuntimeProblem ?? "podman unavailable"))")
            return 1
        }
        let path = hostPath(absolute(input, relativeTo: FileManager.default.currentDirectoryPath))
        guard let output = try? runtime.podman(["load", "-i", path]), output.status == 0 else {
            err("Error response from daemon: could not load \(input): open \(input): no such file or directory, or not an image archive")
            return 1
        }
        if !quiet {
            for line in output.stdout.split(separator: "\n") where line.hasPrefix("Loaded image") { out(String(line)) }
        }
        return 0
    }

    /// `docker exec CONTAINER COMMAND [ARG...]` (no `-it`: no terminal here).
    mutating func exec(_ arguments: [String]) -> Int32 {
        var words = arguments[...]
        while let first = words.first, first.hasPrefix("-") { words = words.dropFirst() }
        guard let name = words.first, words.count >= 2 else {
            err("\"docker exec\" requires at least 2 arguments.")
            return 1
        }
        guard let record = record(named: name, in: loadContainers()) else {
            err("Error response from daemon: No such container: \(name)")
            return 1
        }
        guard let output = try? runtime.podman(["exec", record.podmanName] + Array(words.dropFirst()), timeout: .seconds(600)) else {
            err("Error response from daemon: exec failed in \(name)")
            return 1
        }
        out(contentsOf: output.stdout)
        err(contentsOf: output.stderr)
        return output.status
    }
}
