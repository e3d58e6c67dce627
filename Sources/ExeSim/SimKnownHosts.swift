import Foundation
import ExeSystem

/// The `known_hosts` file the simulator hands to clients: the control
/// sshd's keys, as `[127.0.0.1]:PORT type key`. VMs present the same keys
/// and get no lines of their own (clients use `HostKeyAlias`).
struct SimKnownHosts {
    let paths: SimPaths

    /// `known_hosts` lines for the public key files at `publicKeyPaths`.
    static func lines(port: Int, publicKeyPaths: [String]) -> [String] {
        publicKeyPaths.compactMap { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            let fields = text.split(separator: " ")
            guard fields.count >= 2 else { return nil }
            return "[127.0.0.1]:\(port) \(fields[0]) \(fields[1])"
        }
    }

    /// Replaces the lines of `port` with `lines`.
    func replace(port: Int, with lines: [String]) throws {
        try FileLock.withLock(path: paths.knownHostsLock) {
            let existing = (try? String(contentsOfFile: paths.knownHosts, encoding: .utf8)) ?? ""
            let prefix = "[127.0.0.1]:\(port) "
            var kept = existing.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(prefix) && !$0.isEmpty }
            kept += lines
            try AtomicFile.write(Data((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8), to: paths.knownHosts, mode: 0o644)
        }
    }
}
