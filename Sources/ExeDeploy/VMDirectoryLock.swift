import ExeSSH
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

    /// Takes the lock, or throws ``DeployError/Kind/lockHeld`` naming the holder.
    static func acquire(
        _ details: DeployLockDetails, connection: any RemoteHost, vm: String, now: Date, staleAfter: Duration, unlockCommand: String
    ) async throws -> VMDirectoryLock {
        let paths = RemoteDeployPaths(app: details.app)
        let directory = RemoteDeployPaths.quoted(paths.stateDirectory)
        let lock = RemoteDeployPaths.quoted(paths.lockDirectory)
        let file = RemoteDeployPaths.quoted(paths.lockDetails)
        let script = """
            mkdir -p \(directory) || exit 1
            if mkdir \(lock) 2>/dev/null; then cat > \(file); exit 0; fi
            cat \(file) 2>/dev/null; exit \(heldStatus)
            """
        let result = try await connection.run(script, stdin: .data(try details.encoded()), timeout: .seconds(60))
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
        let file = RemoteDeployPaths.quoted(paths.lockDetails)
        let script = "grep -qF '\"id\":\"\(details.id)\"' \(file) && rm -rf \(RemoteDeployPaths.quoted(paths.lockDirectory))"
        _ = try? await connection.run(script, timeout: .seconds(30))
    }

    /// The current holder, if the lock is held.
    static func holder(app: String, connection: any RemoteHost) async throws -> DeployLockDetails? {
        let paths = RemoteDeployPaths(app: app)
        let result = try await connection.run("cat \(RemoteDeployPaths.quoted(paths.lockDetails)) 2>/dev/null", timeout: .seconds(30))
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
        try await connection.run("rm -rf \(RemoteDeployPaths.quoted(paths.lockDirectory))", timeout: .seconds(30), check: true)
    }
}
