import ExeSystem
import Foundation

/// `docker inspect` and `docker image inspect` with `--format`, for what a
/// client reads from them: a container's image ID (`{{.Image}}`, Docker's
/// `sha256:<hex>` form) and name (`{{.Config.Image}}`, `{{.Name}}`), an
/// image's ID (`{{.Id}}`) and the digests it was pulled by
/// (`{{json .RepoDigests}}`, `{{join .RepoDigests " "}}`). Other fields
/// render empty (Docker would refuse a field it does not know).
extension DockerShim {
    /// Docker's templates, split from the arguments.
    static func inspectArguments(_ arguments: [String]) -> (format: String?, type: String?, names: [String]) {
        var format: String?
        var type: String?
        var names: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--format" || word == "-f" || word == "--type" {
                index += 1
                let value = index < arguments.count ? arguments[index] : nil
                if word == "--type" { type = value } else { format = value }
            } else if word.hasPrefix("--format=") {
                format = String(word.dropFirst(9))
            } else if word.hasPrefix("--type=") {
                type = String(word.dropFirst(7))
            } else if !word.hasPrefix("-") {
                names.append(word)
            }
            index += 1
        }
        return (format, type, names)
    }

    /// `docker inspect [--type container|image] --format T NAME...`.
    mutating func inspect(_ arguments: [String]) -> Int32 {
        let (format, type, names) = Self.inspectArguments(arguments)
        guard !names.isEmpty else {
            err("\"docker inspect\" requires at least 1 argument.")
            return 1
        }
        if type == "image" { return inspectImages(names, format: format) }
        let containers = loadContainers()
        var status: Int32 = 0
        for name in names {
            guard let record = record(named: name, in: containers) else {
                if type == nil, inspectImages([name], format: format) == 0 { continue }
                err("Error: No such object: \(name)")
                status = 1
                continue
            }
            let output = try? runtime.podman(["container", "inspect", "--format", "{{.Image}}", record.podmanName], timeout: .seconds(60))
            guard let output, output.status == 0 else {
                err("Error: No such object: \(name)")
                status = 1
                continue
            }
            let id = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let row = ["Image": "sha256:" + id, "Config.Image": record.image, "Name": "/" + record.displayName, "Id": record.podmanName]
            render(format, row: row)
        }
        return status
    }

    /// `docker image inspect --format T REF...`.
    mutating func imageInspect(_ arguments: [String]) -> Int32 {
        let (format, _, names) = Self.inspectArguments(arguments)
        guard !names.isEmpty else {
            err("\"docker image inspect\" requires at least 1 argument.")
            return 1
        }
        return inspectImages(names, format: format)
    }

    mutating func inspectImages(_ references: [String], format: String?) -> Int32 {
        var status: Int32 = 0
        for reference in references {
            let podmanReference = reference.hasPrefix("sha256:") ? String(reference.dropFirst(7)) : reference
            let output = try? runtime.podman(
                ["image", "inspect", "--format", "{{.Id}}\t{{json .RepoDigests}}", podmanReference], timeout: .seconds(60))
            guard let output, output.status == 0 else {
                err("Error response from daemon: No such image: \(reference)")
                status = 1
                continue
            }
            let parts = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t", maxSplits: 1).map(String.init)
            let digestsJSON = parts.count == 2 ? parts[1] : "[]"
            let digests = (try? JSONDecoder().decode([String].self, from: Data(digestsJSON.utf8))) ?? []
            let row = [
                "Id": "sha256:" + (parts.first ?? ""), "json .RepoDigests": digestsJSON == "null" ? "[]" : digestsJSON,
                "join .RepoDigests \" \"": digests.joined(separator: " "),
            ]
            render(format, row: row)
        }
        return status
    }

    private mutating func render(_ format: String?, row: [String: String]) {
        guard let format else {
            out(String(decoding: (try? JSONSerialization.data(withJSONObject: [row], options: [.sortedKeys])) ?? Data("[]".utf8), as: UTF8.self))
            return
        }
        out(contentsOf: GoTemplateTable.render(format, rows: [row]))
    }
}
