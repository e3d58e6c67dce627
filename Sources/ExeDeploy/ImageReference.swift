import ExeSystem
import Foundation

/// An image name as Docker reads it: `[registry/]path[:tag][@digest]`.
///
/// The registry is the first component when it looks like a host (it has a
/// `.` or a `:`, or is `localhost`); otherwise the image lives on Docker Hub.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// `ghcr.io`, `127.0.0.1:5000`, or `docker.io`.
    public var registry: String
    /// The repository path without the registry: `owner/app`.
    public var path: String
    /// The tag, if any.
    public var tag: String?
    /// The digest (`sha256:...`), if any.
    public var digest: String?

    /// Whether the registry was written out in the name.
    private var explicitRegistry: Bool

    /// Parses `text`; `nil` when it is not an image name.
    public init?(_ text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty, !rest.contains(" "), !rest.contains("://") else { return nil }
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
            guard digest?.contains(":") == true else { return nil }
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
            guard let tag, !tag.isEmpty, tag.allSatisfy(Self.isTagCharacter) else { return nil }
        }
        let components = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.contains(where: \.isEmpty) else { return nil }
        if components.count > 1, let first = components.first, first.contains(".") || first.contains(":") || first == "localhost" {
            registry = String(first)
            path = components.dropFirst().joined(separator: "/")
            explicitRegistry = true
        } else {
            registry = "docker.io"
            path = components.joined(separator: "/")
            explicitRegistry = false
        }
        guard !path.isEmpty, path == path.lowercased() else { return nil }
    }

    /// The name without tag or digest, as written: `ghcr.io/owner/app`.
    public var repository: String { explicitRegistry ? "\(registry)/\(path)" : path }

    /// The same repository with `tag` (and no digest).
    public func tagged(_ tag: String) -> ImageReference {
        var copy = self
        copy.tag = tag
        copy.digest = nil
        return copy
    }

    /// The same repository pinned to `digest` (the tag is kept for people).
    public func pinned(_ digest: String) -> ImageReference {
        var copy = self
        copy.digest = digest
        return copy
    }

    public var description: String {
        repository + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    /// Whether the registry is this machine (`127.0.0.0/8`, `localhost`,
    /// `[::1]`, see `LoopbackHost`): such registries speak plain HTTP. A
    /// name that only starts like one (`127.example.com`) is not.
    public var isLoopbackRegistry: Bool {
        let host = registry.hasPrefix("[") ? String(registry.prefix { $0 != "]" }.dropFirst()) : String(registry.prefix { $0 != ":" })
        return LoopbackHost.contains(host)
    }

    private static func isTagCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "." || character == "-")
    }
}
