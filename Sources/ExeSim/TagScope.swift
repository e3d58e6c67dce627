import Foundation

/// What a tag-scoped key (`ssh-key generate-api-key --tag=T`) may do,
/// from `execore/ssh_key_perms.go` and the docs (typescript-sandboxes.md,
/// the Rust SDK: "it manages only the VMs with that tag, and VMs it creates
/// get the tag"): only commands marked `AllowTagScoped` run (else
/// `command not allowed by SSH key permissions`, `exemenu/command_system.go`),
/// only VMs carrying the tag are visible (others are "not found",
/// `enforceTagScope`), and `tag` is refused (`ssh_tag_command.go`).
struct TagScope: Sendable {
    /// The tag, or `nil` for an unscoped key.
    let tag: String?

    init(key: AccountKey?) { tag = key?.tag.flatMap { $0.isEmpty ? nil : $0 } }
    init(tag: String?) { self.tag = tag }

    /// Canonical names of commands marked `AllowTagScoped` in the server's
    /// command tree (`ssh_command_handlers.go`, `ssh_key_command.go`,
    /// `ssh_share.go`, `ssh_integrations_command.go`, `exe0_to_exe1` is not).
    static let allowedCommands: Set<String> = [
        "help", "doc", "ls", "new", "rm", "restart", "rename", "tag", "stat", "cp", "hireme", "lock", "unlock", "emoji",
        "comment", "whoami", "delete-ssh-key", "ssh", "clear", "true", "hi",
        "ssh-key", "ssh-key list", "ssh-key add", "ssh-key remove", "ssh-key rename", "ssh-key generate-api-key",
        "integrations", "integrations list",
        "share", "share show", "share port", "share set-public", "share set-private", "share add", "share remove",
        "share add-link", "share remove-link", "share receive-email", "share access", "share access allow", "share access disallow",
        "shelley",
    ]

    /// The error for running `command`, or `nil` when it may run.
    func refusal(forCommand command: String) -> String? {
        guard let tag else { return nil }
        guard Self.allowedCommands.contains(command) else { return "command not allowed by SSH key permissions" }
        if command == "tag" { return "SSH key scoped to tag \(GoFlagParser.goQuote(tag)) cannot modify tags" }
        return nil
    }

    /// Whether `vm` is visible to the key.
    func allows(_ vm: VMRecord) -> Bool {
        guard let tag else { return true }
        return vm.tags.contains(tag)
    }

    /// The state as the key sees it: only VMs with the tag.
    func view(of state: SimState) -> SimState {
        guard tag != nil else { return state }
        var view = state
        view.vms = state.vms.filter(allows)
        return view
    }

    /// `full` with the changes made to `view` (a ``view(of:)`` of it) applied:
    /// hidden VMs are kept as they are, visible ones replaced or removed, and
    /// every new VM carries the tag.
    func merge(_ view: SimState, into full: SimState) throws(CommandFailure) -> SimState {
        guard let tag else { return view }
        let visibleBefore = Set(full.vms.filter(allows).map(\.id))
        let hidden = full.vms.filter { !allows($0) }
        var merged = view
        var vms: [VMRecord] = []
        for var vm in view.vms {
            if !visibleBefore.contains(vm.id) {
                if hidden.contains(where: { $0.name == vm.name || $0.id == vm.id }) {
                    throw CommandFailure("VM name \(GoFlagParser.goQuote(vm.name)) is not available")
                }
                if !vm.tags.contains(tag) { vm.tags.append(tag) }
            }
            vms.append(vm)
        }
        // Keep the creation order: hidden VMs where they were.
        var order = full.vms.map(\.id)
        for vm in vms where !order.contains(vm.id) { order.append(vm.id) }
        let byID = Dictionary(uniqueKeysWithValues: (hidden + vms).map { ($0.id, $0) })
        merged.vms = order.compactMap { byID[$0] }
        return merged
    }
}
