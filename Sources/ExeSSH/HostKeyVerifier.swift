import Foundation
import ExeSystem

/// Applies a ``HostKeyPolicy`` to the key a server presents, against a set of
/// `known_hosts` files.
struct HostKeyVerifier: Sendable {
    var policy: HostKeyPolicy
    /// Files that are read.
    var readFiles: [String]
    /// The tool-owned file that `acceptNew` writes to.
    var writeFile: String?
    /// The `known_hosts` name to use instead of the destination's
    /// (``SSHClientConfiguration/hostKeyAlias``).
    var hostKeyAlias: String?
    /// Receives warnings (insecure policy, unreadable lines).
    var warn: @Sendable (String) -> Void

    /// The key types already recorded for the host, so the handshake can ask
    /// for one of those first (as OpenSSH does).
    func knownKeyTypes(for destination: SSHDestination) -> [String] {
        var types: [String] = []
        for file in allFiles().map(KnownHostsFile.load) {
            for entry in file.entries(for: knownHostsName(for: destination)) where entry.marker == nil {
                if !types.contains(entry.key.type) { types.append(entry.key.type) }
            }
        }
        return types
    }

    /// The name the destination's keys are recorded under: the alias if set.
    func knownHostsName(for destination: SSHDestination) -> String {
        hostKeyAlias ?? destination.knownHostsName
    }

    /// How messages name the host: `[127.0.0.1]:2222 (host key alias exe.dev)` with an alias.
    private func shownName(for destination: SSHDestination) -> String {
        hostKeyAlias.map { "\(destination.knownHostsName) (host key alias \($0))" } ?? destination.knownHostsName
    }

    private func allFiles() -> [String] {
        var files = readFiles
        if let writeFile, !files.contains(writeFile) { files.append(writeFile) }
        return files
    }

    /// Accepts `key` or throws the error the policy calls for.
    func verify(_ key: HostKey, for destination: SSHDestination) throws {
        if policy == .insecureAcceptAny {
            warn("WARNING: host key checking is disabled for \(shownName(for: destination)); accepting \(key.type) \(key.fingerprint) without verification")
            return
        }
        let name = knownHostsName(for: destination)
        let shown = shownName(for: destination)
        var sameType: [(KnownHostsFile.Entry, String)] = []
        for file in allFiles().map(KnownHostsFile.load) {
            if file.tooLarge {
                throw SSHError(
                    .invalidConfiguration,
                    "\(file.path) is larger than \(KnownHostsFile.sizeLimit >> 20) MiB and was not read; the host key of \(name) cannot be checked against it")
            }
            if !file.skippedLines.isEmpty {
                warn("\(file.path): ignoring unreadable lines \(file.skippedLines.map(String.init).joined(separator: ", "))")
            }
            for entry in file.entries(for: name) where entry.key.type == key.type {
                if entry.marker == "@revoked" {
                    if entry.key.blob == key.blob {
                        throw SSHError(.hostKeyMismatch, "the host key \(key.type) \(key.fingerprint) presented by \(shown) is marked @revoked in \(file.path):\(entry.line)")
                    }
                    continue
                }
                if entry.key.blob == key.blob { return }
                sameType.append((entry, file.path))
            }
        }
        if let (entry, path) = sameType.first {
            throw SSHError(
                .hostKeyMismatch,
                "HOST KEY MISMATCH for \(shown): expected \(entry.key.type) \(entry.key.fingerprint) (\(path):\(entry.line)), but the server presented \(key.type) \(key.fingerprint). Someone may be intercepting the connection, or the host was rebuilt; if you trust the new key, remove line \(entry.line) of \(path)."
            )
        }
        switch policy {
        case .strict, .insecureAcceptAny:
            let files = allFiles().joined(separator: ", ")
            throw SSHError(
                .hostKeyUnknown,
                "the host key of \(shown) is not known (\(key.type) \(key.fingerprint)); checked: \(files.isEmpty ? "no known_hosts files" : files). Verify the fingerprint, then connect once with the accept-new host key policy to record it."
            )
        case .acceptNew:
            guard let writeFile else {
                throw SSHError(.invalidConfiguration, "the accept-new host key policy needs a known_hosts file to write to")
            }
            do {
                try FileLock.withLock(path: writeFile + ".lock") {
                    let existing = FileManager.default.contents(atPath: writeFile) ?? Data()
                    var text = String(decoding: existing, as: UTF8.self)
                    if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
                    text += KnownHostsFile.line(hostName: name, key: key)
                    try AtomicFile.write(Data(text.utf8), to: writeFile, mode: 0o600)
                }
            } catch {
                throw SSHError(.invalidConfiguration, "cannot record the host key of \(name) in \(writeFile): \(error)")
            }
        }
    }
}
