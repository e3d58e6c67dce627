package import Foundation

/// The account and everything it owns: the simulator's database, kept as
/// one JSON file and changed only under the state lock.
package struct SimState: Codable, Sendable {
    /// The account's email.
    package var email: String
    /// The account's region code: where `new` puts VMs from now on.
    package var region: String
    /// Registered SSH keys, API keys included.
    package var keys: [AccountKey]
    /// The VMs, in creation order.
    package var vms: [VMRecord]
    /// Integrations.
    package var integrations: [IntegrationRecord]
    /// Next number for an unnamed key (`key-N`).
    package var nextKeyNumber: Int
    /// Next VM id number.
    package var nextVMNumber: Int
    /// The team's pools (`pool new`); `nil` in older state files.
    package var pools: [PoolRecord]?
    /// The reward chosen with `invite set-reward` (`nil`: `standard`).
    package var inviteReward: String?
    /// exe1 handles made by `exe0-to-exe1` (absent in older state files).
    package var exe1Tokens: [Exe1Handle]?

    /// `defaultReflectionIntegrationComment` (execore/ssh_integrations_reflection.go).
    package static let defaultReflectionComment =
        "Installed by default for new users. Accessing https://reflection.int.exe.xyz/ returns metadata about the VM, including other attached integrations. To disable, detach from auto:all."

    /// A fresh account with the default integrations: `reflection`
    /// (`installDefaultReflectionIntegration`: an ordinary integration the
    /// user may detach, rename or remove) and `llm` of type `llm` attached
    /// to `auto:all` (exe.dev/docs/integrations-llm.md: "New accounts get a
    /// default `llm` integration attached to `auto:all`"; a type newer than
    /// the server source, so clients meet a type they may not know; its
    /// empty config is a guess).
    package init(email: String) {
        self.email = email
        region = "lax"
        keys = []
        vms = []
        integrations = [
            IntegrationRecord(
                name: "reflection", type: "reflection", config: ["fields": "all"], attachments: ["auto:all"],
                comment: Self.defaultReflectionComment, builtin: false),
            IntegrationRecord(name: "llm", type: "llm", config: [:], attachments: ["auto:all"], comment: "", builtin: false),
        ]
        nextKeyNumber = 1
        nextVMNumber = 1
    }

    /// The VM named `name`.
    package func vm(named name: String) -> VMRecord? { vms.first { $0.name == name } }

    /// The index of the VM named `name`.
    package func vmIndex(named name: String) -> Int? { vms.firstIndex { $0.name == name } }

    /// The index of the VM named `name`, or the handlers' `VM "x" not found`.
    package func existingVMIndex(named name: String) throws(CommandFailure) -> Int {
        guard let index = vmIndex(named: name) else { throw CommandFailure("VM \(GoFlagParser.goQuote(name)) not found") }
        return index
    }

    /// The key with `fingerprint`.
    package func key(fingerprint: String) -> AccountKey? { keys.first { $0.fingerprint == fingerprint } }
}

/// One SSH key of the account. API keys (`ssh-key generate-api-key`) are
/// keys too, with a token hash and permissions.
package struct AccountKey: Codable, Sendable, Equatable {
    /// `type base64`, without a comment.
    package var publicKey: String
    /// `SHA256:...`.
    package var fingerprint: String
    /// The key's name (may be empty).
    package var name: String
    /// When it was added.
    package var addedAt: Date
    /// SHA-256 (hex) of the exe1 token, for API keys.
    package var tokenHash: String?
    /// Canonical command names the token may run (API keys).
    package var cmds: [String]?
    /// The VM an API key is scoped to (its HTTPS proxy namespace).
    package var vm: String?
    /// When the key stops working.
    package var expiresAt: Date?
    /// The tag a tag-scoped key is limited to (`--tag`).
    package var tag: String?
}

/// An exe1 token made by `exe0-to-exe1`: a handle for an exe0 token,
/// which is validated again on every use (https-api.md "Shorter tokens").
package struct Exe1Handle: Codable, Sendable, Equatable {
    /// The exe1 token (the server keeps it too: `exe0-to-exe1` returns the
    /// same exe1 for the same exe0).
    package var token: String
    /// The exe0 token it stands for.
    package var exe0: String
    /// The exe0's `exp`, or far in the future.
    package var expiresAt: Date
}

/// One VM.
package struct VMRecord: Codable, Sendable, Equatable {
    /// Stable id: names the VM's directory, containers and processes.
    package var id: String
    /// The VM's current name.
    package var name: String
    /// `creating`, `running`, `paused`, `stopped` or `failed`.
    package var status: String
    /// The image reference as given, `nil` for the default exeuntu.
    package var image: String?
    /// `auto`, `none` or a custom command.
    package var command: String
    /// Sorted tags.
    package var tags: [String]
    /// The comment.
    package var comment: String
    /// Creation time.
    package var createdAt: Date
    /// The region code the VM was created in (the account's region at
    /// `new`, the source's at `cp`). `nil` in state files written before
    /// VMs had a region: such a VM reports the account's region.
    package var region: String?
    /// Memory in bytes.
    package var memoryBytes: Int64
    /// Disk in bytes.
    package var diskBytes: Int64
    /// CPUs.
    package var cpus: Int
    /// The VM sshd's port.
    package var sshPort: Int
    /// The loopback port of the VM's `https_url`.
    package var httpPort: Int
    /// The port the proxy routes to (`share port`).
    package var proxyPort: Int
    /// `private` or `public`.
    package var share: String
    /// Users the VM is shared with.
    package var sharedUsers: [SharedUser]
    /// Share links.
    package var links: [ShareLink]
    /// Whether inbound email is on.
    package var emailEnabled: Bool
    /// `KEY=VALUE` pairs given with `--env`.
    package var environment: [String]
    /// TCP ports the image exposes.
    package var exposedPorts: [Int]
    /// The setup script, if any.
    package var setupScript: String?
    /// Integrations attached with `--integration`.
    package var integrations: [String]
    /// `new --standalone` / `cp --standalone` / `pool detach`: the VM has its
    /// own reserved capacity and does not count against the plan's.
    package var standalone: Bool?
    /// The pool the VM runs in (`new --pool`, `pool adopt`).
    package var pool: String?
    /// Custom domains added with `domain add`.
    package var domains: [VMDomain]?
    /// When the record last changed (`updated_at` of `exedb/query/boxes.sql`:
    /// status, name, tags, comment and size changes set it); `nil` in older
    /// state files, where ``createdAt`` stands in.
    package var updatedAt: Date? = nil

    /// The order of `BoxesForUser` (`exedb/query/boxes.sql`): `updated_at DESC,
    /// id DESC`, with `updated_at` in whole seconds (SQLite's `CURRENT_TIMESTAMP`).
    static func listedBefore(_ a: VMRecord, _ b: VMRecord) -> Bool {
        let first = (a.updatedAt ?? a.createdAt).timeIntervalSince1970.rounded(.down)
        let second = (b.updatedAt ?? b.createdAt).timeIntervalSince1970.rounded(.down)
        if first != second { return first > second }
        return a.id > b.id
    }
}

/// A user a VM is shared with.
package struct SharedUser: Codable, Sendable, Equatable {
    /// Their email.
    package var email: String
    /// `pending` or `active`.
    package var status: String
    /// When they were invited.
    package var invitedAt: Date
}

/// A share link of a VM.
package struct ShareLink: Codable, Sendable, Equatable {
    /// The link token.
    package var token: String
    /// When it was made.
    package var createdAt: Date
    /// How often it was used.
    package var useCount: Int
}

/// An integration.
package struct IntegrationRecord: Codable, Sendable, Equatable {
    /// Its name.
    package var name: String
    /// `http-proxy`, `github` or `reflection` (those `integrations add`
    /// makes), or `llm` (the default one).
    package var type: String
    /// Type-specific settings, secrets already redacted: `target`,
    /// `header` (`Key:***`), `peer_vm` for http-proxy; `fields`
    /// (comma-joined, empty for none) for reflection.
    package var config: [String: String]
    /// Attach specs (`vm:x`, `tag:y`, `auto:all`).
    package var attachments: [String]
    /// Its comment.
    package var comment: String
    /// Whether the server marks it `builtin` (only its synthetic `notify`,
    /// which the simulator never lists).
    package var builtin: Bool
}
