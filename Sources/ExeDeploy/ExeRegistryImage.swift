import Foundation
public import ExeSystem

/// The image a registry VM runs: `FROM scratch` around Debian's
/// `docker-registry` binary (distribution v2) and the shared libraries it
/// links, its storage under `/data/registry` (the VM's disk persists
/// across restarts), deletes enabled (for `registry gc`), relative URLs in
/// `Location` headers (so a client behind ``ExeRegistryRelay`` follows
/// uploads to the relay, not to the VM's name), and no auth of its own:
/// exe.dev's proxy is the door (the VM stays private; a VM-scoped token
/// opens it and is stripped before the registry sees the request).
public enum ExeRegistryImage {
    /// The port the registry listens on inside the VM (the VM's proxy port:
    /// the image exposes only it).
    public static let port = 5000

    /// Where the registry keeps its blobs and manifests.
    public static let storage = "/data/registry"

    /// The registry's configuration file inside the image.
    public static let configPath = "/etc/docker/registry/config.yml"

    /// The registry binary on this machine (Debian's `docker-registry`).
    public static let binary = "/usr/bin/docker-registry"

    /// The configuration the image carries.
    public static let configuration = """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: \(storage)
          delete:
            enabled: true
        http:
          addr: :\(port)
          relativeurls: true

        """

    /// The Containerfile.
    public static let containerfile = """
        # exe-cli registry: Debian's docker-registry in an empty image.
        FROM scratch
        COPY rootfs/ /
        EXPOSE \(port)
        ENTRYPOINT ["\(binary)", "serve", "\(configPath)"]

        """

    /// Writes a build context to `directory`: the Containerfile and a
    /// `rootfs/` with the binary, the libraries `ldd` names and the
    /// configuration.
    public static func writeContext(at directory: String, runner: any ProcessRunner) async throws {
        let manager = FileManager.default
        let rootfs = directory + "/rootfs"
        try manager.createDirectory(atPath: rootfs + "/etc/docker/registry", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: rootfs + "/data/registry", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: rootfs + "/tmp", withIntermediateDirectories: true)
        guard manager.isExecutableFile(atPath: binary) else {
            throw ExeRegistryError.missingBinary(binary)
        }
        let linked = try await runner.check(ProcessInvocation("ldd", [binary], timeout: .seconds(30)))
        var files = [binary]
        for line in linked.stdout.split(separator: "\n") {
            for word in line.split(whereSeparator: \.isWhitespace) where word.hasPrefix("/") { files.append(String(word)) }
        }
        for file in files {
            let target = rootfs + file
            try manager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? manager.removeItem(atPath: target)
            // Copy the file itself, not a symlink to it.
            let resolved = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
            try manager.copyItem(atPath: resolved, toPath: target)
        }
        try Data(configuration.utf8).write(to: URL(fileURLWithPath: rootfs + configPath))
        try Data(containerfile.utf8).write(to: URL(fileURLWithPath: directory + "/Containerfile"))
    }
}

/// Why an exe-hosted registry operation failed.
public enum ExeRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The registry binary is not installed.
    case missingBinary(String)

    public var description: String {
        switch self {
        case .missingBinary(let path): "\(path) is missing: install Debian's docker-registry package (scripts/install-deps)"
        }
    }
}
