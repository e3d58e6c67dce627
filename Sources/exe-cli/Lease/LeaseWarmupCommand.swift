import ArgumentParser
import ExeLease
import Foundation

/// `exe-cli lease warmup`.
struct LeaseWarmupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warmup",
        abstract: "Create a lease: a VM, ready for sync, claimed for this repository.",
        discussion: """
            A warmup that fails after the VM exists removes the VM (unless --keep). With --reuse, an idle or paused lease of this \
            repository with the same size settings is taken first (resumed, its TTL renewed). With --lease-id, a replayed call \
            returns the same lease and makes no second VM.
            """)

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseOptions
    @Option(help: "A readable name for the lease (made unique).") var slug: String?
    @Flag(help: "Keep the VM if warmup fails, and never collect it automatically.") var keep = false
    @Option(name: .customLong("lease-id"), help: "A fixed lease id (lease_ + 12 hex digits): calling again returns the same lease.") var leaseID: String?

    func validate() throws {
        if let leaseID, !LeaseIdentity.isID(leaseID) {
            throw ValidationError("--lease-id \(leaseID): a lease id is lease_ followed by 12 lowercase hex digits")
        }
    }

    mutating func run() async throws {
        let slug = self.slug
        let keep = self.keep
        let leaseID = self.leaseID
        try await LeaseSession.run(global, lease) { leases, session in
            let acquired = try await leases.acquire(
                WarmupRequest(slug: slug, keep: keep, leaseID: leaseID, reuse: leases.context.settings.reuse))
            let claim = acquired.claim
            var output = LeaseClaimOutput(claim)
            output.origin = acquired.origin.rawValue
            try session.output.result(output) {
                """
                \(acquired.origin == .created ? "leased" : acquired.origin.rawValue) \(claim.identity.id) slug=\(claim.identity.slug) vm=\(claim.vmName)
                ready ssh=\(claim.sshUser)@\(claim.sshHost):\(claim.sshPort) workdir=\(claim.remoteDirectory) expires=\(LeaseClaimOutput.format(claim.expiresAt))
                """
            }
        }
    }
}

/// A claim as `--json` prints it.
struct LeaseClaimOutput: Encodable {
    let leaseID: String
    let slug: String
    let vm: String
    let state: String
    let ssh: String
    let remoteDirectory: String
    let repository: String
    let createdAt: String
    let lastUsedAt: String
    let expiresAt: String
    let keep: Bool
    /// Where `warmup` got the lease (`created`, `reused`, `resumed`, `existing`); only warmup prints it.
    var origin: String?

    init(_ claim: LeaseClaim) {
        leaseID = claim.identity.id
        slug = claim.identity.slug
        vm = claim.vmName
        state = claim.state.rawValue
        ssh = "\(claim.sshUser)@\(claim.sshHost):\(claim.sshPort)"
        remoteDirectory = claim.remoteDirectory
        repository = claim.repositoryRoot
        createdAt = Self.format(claim.createdAt)
        lastUsedAt = Self.format(claim.lastUsedAt)
        expiresAt = Self.format(claim.expiresAt)
        keep = claim.keep
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
