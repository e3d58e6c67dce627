import ExeSSH
import ExeSystem
import Foundation

/// Pattern B's lock, on the VM itself: an atomic `mkdir
/// /data/.exe-deploy/<app>/lock` holding `details.json` (Kamal's lock). One
/// round trip takes it or reports the holder.
struct VMDirectoryLock: DeployLock {
    let details: DeployLockDetails
    let connection: any RemoteHost
    let paths: RemoteDeployPaths

    /// The exit status the acquire script uses for "held".
    static let heldStatus: Int32 = 75

    /// `Scripts/vm-lock.sh`: the atomic `mkdir` that takes the lock, with
    /// the details on stdin; the paths are its arguments.
    static let acquireScript = ShellScript(name: "exe-vm-lock", bytes: PackageResources.vm_lock_sh)

    /// The command line that takes the lock for `app`.
    static func acquireCommand(app: String) -> ShellCommand {
        let paths = RemoteDeployPaths(app: app)
        return acquireScript.command(paths.stateDirectory, paths.lockDirectory, paths.lockDetails, String(heldStatus))
    }

    /// The command line that removes the lock if `id` still holds it.
    static func releaseCommand(app: String, id: String) -> ShellCommand {
        let paths = RemoteDeployPaths(app: app)
        return ShellCommand("grep", "-qF", "\"id\":\"\(id)\"", paths.lockDetails).and(ShellCommand("rm", "-rf", paths.lockDirectory))
    }

    /// Takes the lock, or throws ``DeployError/Kind/lockHeld`` naming the holder.
    static func acquire(
        _ details: DeployLockDetails, connection: any RemoteHost, vm: String, now: Date, staleAfter: Duration, unlockCommand: String
    ) async throws -> VMDirectoryLock {
        let paths = RemoteDeployPaths(app: details.app)
        let result = try await connection.run(acquireCommand(app: details.app), stdin: .data(try details.encoded()), timeout: .seconds(60))
        if result.exitCode == heldStatus {
            let holder = DeployLockDetails.decode(result.standardOutput)
            throw LockHeld.error(
                app: details.app, vm: vm, holder: holder?.summary(at: now) ?? "an unknown deploy (no readable details)",
                stale: holder?.isStale(at: now, after: staleAfter) ?? true, unlockCommand: unlockCommand)
        }
        guard result.succeeded else {
            throw DeployError(.vm, "cannot take the deploy lock \(paths.lockDirectory) on \(vm): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return VMDirectoryLock(details: details, connection: connection, paths: paths)
    }

    func release() async {
        _ = try? await connection.run(Self.releaseCommand(app: paths.app, id: details.id), timeout: .seconds(30))
    }

    /// The current holder, if the lock is held.
    static func holder(app: String, connection: any RemoteHost) async throws -> DeployLockDetails? {
        let paths = RemoteDeployPaths(app: app)
        let result = try await connection.run(ShellCommand("cat", paths.lockDetails).discardingErrors(), timeout: .seconds(30))
        guard result.succeeded else {
            let exists = try await connection.attributes(of: paths.lockDirectory)
            return exists == nil ? nil : DeployLockDetails(id: "", app: app, holder: "unknown", host: "unknown", action: "deploy", acquiredAt: .distantPast)
        }
        return DeployLockDetails.decode(result.standardOutput)
            ?? DeployLockDetails(id: "", app: app, holder: "unknown", host: "unknown", action: "deploy", acquiredAt: .distantPast)
    }

    /// Removes the lock whoever holds it (`exe-cli deploy unlock`).
    static func breakLock(app: String, connection: any RemoteHost) async throws {
        let paths = RemoteDeployPaths(app: app)
        try await connection.run(ShellCommand("rm", "-rf", paths.lockDirectory), timeout: .seconds(30), check: true)
    }
}
