public import Foundation

/// The account and everything it owns: the simulator's database, kept as
/// one JSON file and changed only under the state lock.
public struct SimState: Codable, Sendable {
    /// The account's email.
    public var email: String
    /// The account's region code: where `new` puts VMs from now on.
    public var region: String
    /// Registered SSH keys, API keys included.
    public var keys: [AccountKey]
    /// The VMs, in creation order.
    public var vms: [VMRecord]
    /// Integrations.
    public var integrations: [IntegrationRecord]
    /// Next number for an unnamed key (`key-N`).
    public var nextKeyNumber: Int
    /// Next VM id number.
    public var nextVMNumber: Int
    /// The team's pools (`pool new`); `nil` in older state files.
    public var pools: [PoolRecord]?
    /// The reward chosen with `invite set-reward` (`nil`: `standard`).
    public var inviteReward: String?
    /// exe1 handles made by `exe0-to-exe1` (absent in older state files).
    public var exe1Tokens: [Exe1Handle]?

    /// A fresh account with the default reflection integration.
    public init(email: String) {
        self.email = email
        region = "lax"
        keys = []
        vms = []
        integrations = [
            IntegrationRecord(
                name: "reflection", type: "reflection", config: ["fields": "all"], attachments: ["auto:all"],
                comment: "", builtin: true)
        ]
        nextKeyNumber = 1
        nextVMNumber = 1
    }

    /// The VM named `name`.
    public func vm(named name: String) -> VMRecord? { vms.first { $0.name == name } }

    /// The index of the VM named `name`.
    public func vmIndex(named name: String) -> Int? { vms.firstIndex { $0.name == name } }

    /// The key with `fingerprint`.
    public func key(fingerprint: String) -> AccountKey? { keys.first { $0.fingerprint == fingerprint } }
}

/// One SSH key of the account. API keys (`ssh-key generate-api-key`) are
/// keys too, with a token hash and permissions.
public struct AccountKey: Codable, Sendable, Equatable {
    /// `type base64`, without a comment.
    public var publicKey: String
    /// `SHA256:...`.
    public var fingerprint: String
    /// The key's name (may be empty).
    public var name: String
    /// When it was added.
    public var addedAt: Date
    /// SHA-256 (hex) of the exe1 token, for API keys.
    public var tokenHash: String?
    /// Canonical command names the token may run (API keys).
    public var cmds: [String]?
    /// The VM an API key is scoped to (its HTTPS proxy namespace).
    public var vm: String?
    /// When the key stops working.
    public var expiresAt: Date?
    /// The tag a tag-scoped key is limited to (`--tag`).
    public var tag: String?
}

/// An exe1 token made by `exe0-to-exe1`: a handle for an exe0 token,
/// which is validated again on every use (https-api.md "Shorter tokens").
public struct Exe1Handle: Codable, Sendable, Equatable {
    /// The exe1 token (the server keeps it too: `exe0-to-exe1` returns the
    /// same exe1 for the same exe0).
    public var token: String
    /// The exe0 token it stands for.
    public var exe0: String
    /// The exe0's `exp`, or far in the future.
    public var expiresAt: Date
}

/// One VM.
public struct VMRecord: Codable, Sendable, Equatable {
    /// Stable id: names the VM's directory, containers and processes.
    public var id: String
    /// The VM's current name.
    public var name: String
    /// `creating`, `running`, `paused`, `stopped` or `failed`.
    public var status: String
    /// The image reference as given, `nil` for the default exeuntu.
    public var image: String?
    /// `auto`, `none` or a custom command.
    public var command: String
    /// Sorted tags.
    public var tags: [String]
    /// The comment.
    public var comment: String
    /// Creation time.
    public var createdAt: Date
    /// The region code the VM was created in (the account's region at
    /// `new`, the source's at `cp`). `nil` in state files written before
    /// VMs had a region: such a VM reports the account's region.
    public var region: String?
    /// Memory in bytes.
    public var memoryBytes: Int64
    /// Disk in bytes.
    public var diskBytes: Int64
    /// CPUs.
    public var cpus: Int
    /// The VM sshd's port.
    public var sshPort: Int
    /// The loopback port of the VM's `https_url`.
    public var httpPort: Int
    /// The port the proxy routes to (`share port`).
    public var proxyPort: Int
    /// `private` or `public`.
    public var share: String
    /// Users the VM is shared with.
    public var sharedUsers: [SharedUser]
    /// Share links.
    public var links: [ShareLink]
    /// Whether inbound email is on.
    public var emailEnabled: Bool
    /// `KEY=VALUE` pairs given with `--env`.
    public var environment: [String]
    /// TCP ports the image exposes.
    public var exposedPorts: [Int]
    /// The setup script, if any.
    public var setupScript: String?
    /// Integrations attached with `--integration`.
    public var integrations: [String]
    /// `new --standalone` / `cp --standalone` / `pool detach`: the VM has its
    /// own reserved capacity and does not count against the plan's.
    public var standalone: Bool?
    /// The pool the VM runs in (`new --pool`, `pool adopt`).
    public var pool: String?
    /// Custom domains added with `domain add`.
    public var domains: [VMDomain]?
    /// When the record last changed (`updated_at` of `exedb/query/boxes.sql`:
    /// status, name, tags, comment and size changes set it); `nil` in older
    /// state files, where ``createdAt`` stands in.
    public var updatedAt: Date? = nil

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
public struct SharedUser: Codable, Sendable, Equatable {
    /// Their email.
    public var email: String
    /// `pending` or `active`.
    public var status: String
    /// When they were invited.
    public var invitedAt: Date
}

/// A share link of a VM.
public struct ShareLink: Codable, Sendable, Equatable {
    /// The link token.
    public var token: String
    /// When it was made.
    public var createdAt: Date
    /// How often it was used.
    public var useCount: Int
}

/// An integration.
public struct IntegrationRecord: Codable, Sendable, Equatable {
    /// Its name.
    public var name: String
    /// `http-proxy`, `github`, `reflection` or `notify`.
    public var type: String
    /// Type-specific settings, secrets already redacted.
    public var config: [String: String]
    /// Attach specs (`vm:x`, `tag:y`, `auto:all`).
    public var attachments: [String]
    /// Its comment.
    public var comment: String
    /// Whether it came with the account.
    public var builtin: Bool
}
