public import ExeSSH
import Foundation
import ExeSystem

/// The lock on an exe-hosted registry VM that keeps `registry gc` from
/// deleting blobs under a push or a pull.
///
/// A deploy with `registry: exe` holds a *use* for as long as it runs (its
/// build pushes, its VM pulls): a marker file
/// `/data/.exe-registry-lock/uses/<id>` holding its ``DeployLockDetails``;
/// many uses at once are fine. `registry gc` takes the *collection*: the
/// directory `/data/.exe-registry-lock/gc` (`mkdir`, atomic: one gc at a
/// time), then waits until no use is left; while it holds it, a new use
/// waits for it to end. Each side writes its own mark before it looks for
/// the other's, so of a use and a gc that start together at least one sees
/// the other (a use that does backs off and waits). Every wait has a
/// deadline: gc then gives up with ``ExeRegistryLockError/pushInProgress(_:)``
/// naming the deploys, a deploy with ``ExeRegistryLockError/collecting(_:)``.
///
/// Marks that outlive what they stand for are ignored: a use older than
/// 35 minutes (its token lived 30, so no push or pull can still be using
/// it), a collection older than 60 (a gc's commands time out after 10).
public struct ExeRegistryLock: Sendable {
    /// Where the marks live on the registry VM.
    public static let directory = "/data/.exe-registry-lock"
    /// Minutes after which a use's mark is ignored.
    static let useLifetimeMinutes = 35
    /// Minutes after which a collection's mark is ignored.
    static let collectionLifetimeMinutes = 60

    /// What the lock is taken for.
    public enum Kind: Sendable, Equatable {
        /// A deploy's push and pull (shared).
        case use
        /// `registry gc` (exclusive).
        case collection
    }

    /// The kind taken.
    public let kind: Kind
    /// The details written with it.
    public let details: DeployLockDetails
    private let connection: any RemoteHost

    private init(kind: Kind, details: DeployLockDetails, connection: any RemoteHost) {
        self.kind = kind
        self.details = details
        self.connection = connection
    }

    /// Takes the lock on the registry VM `connection` reaches, waiting up
    /// to `wait` for the other kind to be released.
    public static func acquire(_ kind: Kind, details: DeployLockDetails, connection: any RemoteHost, wait: Duration) async throws
        -> ExeRegistryLock
    {
        let seconds = max(1, Int(wait.components.seconds))
        let encoded = String(decoding: try details.encoded(), as: UTF8.self)
        let command = kind == .use ? useCommand(id: details.id, details: encoded, seconds: seconds) : collectionCommand(details: encoded, seconds: seconds)
        let result = try await connection.run(command, timeout: wait + .seconds(60))
        switch result.exitCode {
        case 0:
            return ExeRegistryLock(kind: kind, details: details, connection: connection)
        case 75:
            throw ExeRegistryLockError.collecting(holders(result.stdout))
        case 76:
            throw ExeRegistryLockError.pushInProgress(holders(result.stdout))
        default:
            throw ExeRegistryLockError.unavailable(
                (result.stderr + result.stdout).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").suffix(3).joined(separator: "; "))
        }
    }

    /// Releases it (best effort: a mark left behind expires by itself).
    public func release() async {
        let path = kind == .use ? "\(Self.directory)/uses/\(details.id)" : "\(Self.directory)/gc"
        _ = try? await connection.run(ShellCommand(kind == .use ? ["rm", "-f", path] : ["rm", "-rf", path]), timeout: .seconds(30))
    }

    /// The details printed by a script that gave up, one JSON object a line.
    static func holders(_ output: String) -> [DeployLockDetails] {
        output.split(separator: "\n").compactMap { DeployLockDetails.decode(Data($0.utf8)) }
    }

    /// `Scripts/registry-lock.sh`: takes a use or the collection, waiting
    /// for the other kind; the directory, the wait, the lifetimes and the
    /// details are its arguments.
    static let script = ShellScript(name: "exe-registry-lock", bytes: PackageResources.registry_lock_sh)

    /// Takes a use: writes `details` to `uses/<id>` once no fresh collection
    /// mark exists, waiting up to `seconds` (then exit 75 with the
    /// collection's details).
    static func useCommand(id: String, details: String, seconds: Int) -> ShellCommand {
        script.command(["use", directory, String(seconds), String(useLifetimeMinutes), String(collectionLifetimeMinutes), details, id])
    }

    /// Takes the collection: `mkdir gc` (exit 75 with the holder's details
    /// when another gc has it), then waits up to `seconds` for the fresh
    /// uses to end (then exit 76 with their details).
    static func collectionCommand(details: String, seconds: Int) -> ShellCommand {
        script.command(["collect", directory, String(seconds), String(useLifetimeMinutes), String(collectionLifetimeMinutes), details])
    }
}

/// Why the registry lock was not taken.
public enum ExeRegistryLockError: Error, Sendable, CustomStringConvertible {
    /// `registry gc` is running (who, since when).
    case collecting([DeployLockDetails])
    /// Deploys are pushing to or pulling from the registry.
    case pushInProgress([DeployLockDetails])
    /// The registry VM could not keep the lock (`/data` not writable, ...).
    case unavailable(String)

    public var description: String {
        let now = Date()
        switch self {
        case .collecting(let holders):
            return "registry gc is running on the registry"
                + (holders.first.map { ": \($0.summary(at: now))" } ?? "") + "; deploy again when it has ended"
        case .pushInProgress(let holders):
            let who = holders.map { "\($0.app): \($0.summary(at: now))" }.joined(separator: "; ")
            return "a push is in progress" + (who.isEmpty ? "" : " (\(who))")
                + "; registry gc would delete what it is writing: run it again when the deploy has ended"
        case .unavailable(let reason):
            return "the registry VM cannot keep its lock in \(ExeRegistryLock.directory): \(reason.isEmpty ? "no output" : reason)"
        }
    }
}
