/// An image reference split the way Docker splits it:
/// `[registry/]repository[:tag][@digest]`.
package struct ImageName: Sendable, Equatable {
    /// The registry host (`docker.io` when none is named).
    package var registry: String
    /// The repository path.
    package var repository: String
    /// The tag (`latest` when neither tag nor digest is given).
    package var tag: String?
    /// The digest, if given.
    package var digest: String?

    /// Parses `text`; `nil` when it is not an image reference.
    package init?(_ text: String) {
        guard !text.isEmpty, !text.contains("://"), !text.hasPrefix("/"), !text.hasPrefix("."),
            !text.contains(" ")
        else { return nil }
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > 1, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            registry = String(parts[0])
            rest = rest.dropFirst(parts[0].count + 1)
        } else {
            registry = "docker.io"
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        guard !rest.isEmpty, !rest.contains("//") else { return nil }
        repository = String(rest)
        if tag == nil, digest == nil { tag = "latest" }
    }

    /// The tag or digest the registry API is asked for.
    package var manifestReference: String { digest ?? tag ?? "latest" }

    /// Whether this names the default exeuntu image.
    package var isExeuntu: Bool {
        repository == "exeuntu" || repository == "boldsoftware/exeuntu" || repository.hasSuffix("/exeuntu")
    }
}
