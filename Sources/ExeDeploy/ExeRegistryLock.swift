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
        let script = kind == .use ? useScript(id: details.id, details: encoded, seconds: seconds) : collectionScript(details: encoded, seconds: seconds)
        let result = try await connection.run("sh -c " + ShellQuote.word(script), timeout: wait + .seconds(60))
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
        _ = try? await connection.run(ShellQuote.command(kind == .use ? ["rm", "-f", path] : ["rm", "-rf", path]), timeout: .seconds(30))
    }

    /// The details printed by a script that gave up, one JSON object a line.
    static func holders(_ output: String) -> [DeployLockDetails] {
        output.split(separator: "\n").compactMap { DeployLockDetails.decode(Data($0.utf8)) }
    }

    /// A fresh collection mark exists: `$d/gc` younger than its lifetime.
    private static let collecting =
        #"[ -d "$d/gc" ] && [ -n "$(find "$d/gc" -maxdepth 0 -mmin -\#(collectionLifetimeMinutes))" ]"#

    static func useScript(id: String, details: String, seconds: Int) -> String {
        let marker = "\"$d/uses/\"" + ShellQuote.word(id)
        return """
            d=\(ShellQuote.word(directory))
            mkdir -p "$d/uses" || exit 70
            n=0
            while :; do
              if \(collecting); then
                n=$((n+1))
                if [ "$n" -gt \(seconds) ]; then cat "$d/gc/details" 2>/dev/null; echo; exit 75; fi
                sleep 1
                continue
              fi
              printf '%s\\n' \(ShellQuote.word(details)) > \(marker) || exit 70
              if \(collecting); then rm -f \(marker); continue; fi
              exit 0
            done
            """
    }

    static func collectionScript(details: String, seconds: Int) -> String {
        let fresh = #"find "$d/uses" -type f -mmin -\#(useLifetimeMinutes)"#
        return """
            d=\(ShellQuote.word(directory))
            mkdir -p "$d/uses" || exit 70
            if [ -d "$d/gc" ] && ! \(collecting); then rm -rf "$d/gc"; fi
            if ! mkdir "$d/gc" 2>/dev/null; then cat "$d/gc/details" 2>/dev/null; echo; exit 75; fi
            printf '%s\\n' \(ShellQuote.word(details)) > "$d/gc/details" || { rm -rf "$d/gc"; exit 70; }
            n=0
            while [ -n "$(\(fresh))" ]; do
              n=$((n+1))
              if [ "$n" -gt \(seconds) ]; then \(fresh) -exec cat {} +; rm -rf "$d/gc"; exit 76; fi
              sleep 1
            done
            find "$d/uses" -type f -mmin +\(useLifetimeMinutes) -exec rm -f {} +
            exit 0
            """
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
