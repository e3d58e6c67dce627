import ExeControl

/// What a user set on the live VM that a replacement must keep: the proxy
/// port, public or private, tags (not the deploy's own lock tags) and the
/// comment. Shared users and links are counted, not copied (copying them
/// would send invitations again).
struct CarriedVMSettings: Sendable, Equatable {
    var port: Int?
    var isPublic: Bool
    var tags: [String]
    var comment: String?
    var sharedUsers: Int
    var shareLinks: Int

    /// Reads `vm`'s settings (`share show` plus what `ls` said).
    static func capture(_ vm: VM, control: ControlClient) async throws -> CarriedVMSettings {
        let share = try await control.share.show(vm.name)
        return CarriedVMSettings(
            port: share.port, isPublic: share.visibility == .public, tags: vm.tags.filter { !VMTagLock.isDeployTag($0) },
            comment: vm.comment.flatMap { $0.isEmpty ? nil : $0 }, sharedUsers: share.users.count, shareLinks: share.links.count)
    }

    /// One line for the progress output.
    var summary: String {
        var parts = ["port \(port.map(String.init) ?? "default")", isPublic ? "public" : "private"]
        parts.append(tags.isEmpty ? "no tags" : "tags " + tags.joined(separator: ","))
        if let comment { parts.append("comment \"\(comment)\"") }
        return parts.joined(separator: ", ")
    }
}
