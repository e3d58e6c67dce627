import ArgumentParser
import ExeLease
import Foundation

/// `exe-cli lease warmup`.
struct LeaseWarmupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warmup",
        abstract: "Create a lease: a VM, ready for sync, claimed for this repository.",
        discussion: "A warmup that fails after the VM exists removes the VM (unless --keep).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseOptions
    @Option(help: "A readable name for the lease (made unique).") var slug: String?
    @Flag(help: "Keep the VM if warmup fails, and never collect it automatically.") var keep = false

    mutating func run() async throws {
        let slug = self.slug
        let keep = self.keep
        try await LeaseSession.run(global, lease) { leases, session in
            let claim = try await leases.warmup(WarmupRequest(slug: slug, keep: keep))
            try session.output.result(LeaseClaimOutput(claim)) {
                """
                leased \(claim.identity.id) slug=\(claim.identity.slug) vm=\(claim.vmName)
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
