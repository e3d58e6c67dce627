import ExeSystem
import Foundation
import Synchronization

/// The bytes of one sync as a tar archive (ustar, with pax headers for long
/// names), produced lazily in chunks so a large tree streams in constant
/// memory: the changed files under `files/`, then `meta/deleted`,
/// `meta/paths` and, last, `meta/manifest`. The manifest comes last so the
/// VM can tell a complete stream from an interrupted one, and so digests of
/// new files are computed while they stream instead of in a second pass.
final class TarArchiveStream: AsyncSequence, Sendable {
    typealias Element = Data

    private struct State {
        var index = 0
        var file: FileHandle?
        var fileRemaining: Int64 = 0
        var hasher: SHA256Hasher?
        var current: WorkTreeFile?
        var entries: [SyncManifest.Entry] = []
        var finishedFiles = false
        var finished = false
        var bytes: Int64 = 0
        var manifest: SyncManifest?
    }

    private let root: String
    private let plan: SyncPlan
    private let state = Mutex(State())
    private let chunkSize = 256 * 1024

    init(root: String, plan: SyncPlan) {
        self.root = root
        self.plan = plan
    }

    /// Bytes produced so far.
    var bytesProduced: Int64 { state.withLock { $0.bytes } }

    /// The manifest written at the end of the stream (after it finished).
    var manifest: SyncManifest? { state.withLock { $0.manifest } }

    struct Iterator: AsyncIteratorProtocol {
        let stream: TarArchiveStream
        mutating func next() async throws -> Data? { try stream.nextChunk() }
    }

    func makeAsyncIterator() -> Iterator { Iterator(stream: self) }

    private func nextChunk() throws -> Data? {
        try state.withLock { state -> Data? in
            var out = Data()
            while out.count < chunkSize {
                if state.finished { break }
                if state.file != nil || state.current != nil {
                    try continueFile(&state, into: &out)
                    continue
                }
                if state.index < plan.uploads.count {
                    try startFile(&state, plan.uploads[state.index].file, into: &out)
                    state.index += 1
                    continue
                }
                if !state.finishedFiles {
                    state.finishedFiles = true
                    let manifest = SyncManifest(plan.unchanged + state.entries)
                    state.manifest = manifest
                    var deleted = Data()
                    for path in plan.deletions { deleted.append(contentsOf: path.utf8); deleted.append(0) }
                    var paths = Data()
                    for path in manifest.paths { paths.append(contentsOf: path.utf8); paths.append(0) }
                    Self.appendEntry(name: "meta/deleted", content: deleted, mode: 0o600, into: &out)
                    Self.appendEntry(name: "meta/paths", content: paths, mode: 0o600, into: &out)
                    Self.appendEntry(name: "meta/manifest", content: manifest.encoded(), mode: 0o600, into: &out)
                    out.append(Data(count: 1024))  // two zero blocks end the archive
                    state.finished = true
                }
            }
            state.bytes += Int64(out.count)
            return out.isEmpty ? nil : out
        }
    }

    private func startFile(_ state: inout State, _ file: WorkTreeFile, into out: inout Data) throws {
        let path = root + "/" + file.path
        if file.kind == .symlink {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
            out.append(Self.header(name: "files/" + file.path, size: 0, mode: file.mode, mtime: file.modificationTime, type: "2", link: target))
            state.entries.append(SyncManifest.Entry(
                path: file.path, kind: .symlink, mode: file.mode, size: file.size, modificationTime: file.modificationTime,
                digest: SHA256Hasher.hexDigest(Data(target.utf8))))
            return
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LeaseError(.localFiles, "cannot read \(path) (it changed during the sync?)")
        }
        out.append(Self.header(name: "files/" + file.path, size: file.size, mode: file.mode, mtime: file.modificationTime, type: "0", link: ""))
        state.file = handle
        state.current = file
        state.fileRemaining = file.size
        state.hasher = SHA256Hasher()
    }

    private func continueFile(_ state: inout State, into out: inout Data) throws {
        guard let handle = state.file, let file = state.current else { return }
        if state.fileRemaining > 0 {
            let want = Int(Swift.min(Int64(chunkSize - Swift.min(out.count, chunkSize - 4096)), state.fileRemaining))
            var chunk = try handle.read(upToCount: Swift.max(4096, want)) ?? Data()
            if chunk.isEmpty {
                // The file shrank after it was listed: pad so the archive stays well-formed.
                chunk = Data(count: Int(Swift.min(Int64(want), state.fileRemaining)))
            }
            if Int64(chunk.count) > state.fileRemaining { chunk = chunk.prefix(Int(state.fileRemaining)) }
            state.hasher!.update(chunk)
            out.append(chunk)
            state.fileRemaining -= Int64(chunk.count)
            return
        }
        try? handle.close()
        let padding = (512 - Int(file.size % 512)) % 512
        out.append(Data(count: padding))
        let digest = state.hasher!.finalize().hexString
        state.hasher = nil
        state.entries.append(SyncManifest.Entry(path: file.path, kind: .regular, mode: file.mode, size: file.size, modificationTime: file.modificationTime, digest: digest))
        state.file = nil
        state.current = nil
    }

    static func appendEntry(name: String, content: Data, mode: UInt32, into out: inout Data) {
        out.append(header(name: name, size: Int64(content.count), mode: mode, mtime: Int64(Date().timeIntervalSince1970) * 1_000_000_000, type: "0", link: ""))
        out.append(content)
        out.append(Data(count: (512 - content.count % 512) % 512))
    }

    /// A ustar header, preceded by a pax header when a name or link target
    /// does not fit its field.
    static func header(name: String, size: Int64, mode: UInt32, mtime: Int64, type: Character, link: String) -> Data {
        var out = Data()
        let nameBytes = Array(name.utf8)
        let linkBytes = Array(link.utf8)
        if nameBytes.count > 100 || linkBytes.count > 100 || size > 0o77777777777 {
            var records = Data()
            if nameBytes.count > 100 { records.append(paxRecord("path", name)) }
            if linkBytes.count > 100 { records.append(paxRecord("linkpath", link)) }
            if size > 0o77777777777 { records.append(paxRecord("size", String(size))) }
            out.append(rawHeader(name: Array("PaxHeaders/x".utf8), size: Int64(records.count), mode: 0o644, mtime: mtime, type: "x", link: []))
            out.append(records)
            out.append(Data(count: (512 - records.count % 512) % 512))
        }
        out.append(rawHeader(name: Array(nameBytes.prefix(100)), size: size > 0o77777777777 ? 0 : size, mode: mode, mtime: mtime, type: type, link: Array(linkBytes.prefix(100))))
        return out
    }

    private static func paxRecord(_ key: String, _ value: String) -> Data {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).count + body.utf8.count != length { length = String(length).count + body.utf8.count }
        return Data("\(length)\(body)".utf8)
    }

    private static func rawHeader(name: [UInt8], size: Int64, mode: UInt32, mtime: Int64, type: Character, link: [UInt8]) -> Data {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], at offset: Int, width: Int) {
            for (index, byte) in bytes.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int64, width: Int) -> [UInt8] {
            Array(String(String(value, radix: 8).suffix(width - 1)).leftPadded(to: width - 1).utf8) + [0]
        }
        put(name, at: 0, width: 100)
        put(octal(Int64(mode), width: 8), at: 100, width: 8)
        put(octal(0, width: 8), at: 108, width: 8)
        put(octal(0, width: 8), at: 116, width: 8)
        put(octal(size, width: 12), at: 124, width: 12)
        put(octal(Swift.max(0, mtime / 1_000_000_000), width: 12), at: 136, width: 12)
        put(Array("        ".utf8), at: 148, width: 8)
        block[156] = type.asciiValue ?? 0x30
        put(link, at: 157, width: 100)
        put(Array("ustar\0".utf8), at: 257, width: 6)
        put(Array("00".utf8), at: 263, width: 2)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(Array(String(String(checksum, radix: 8)).leftPadded(to: 6).utf8) + [0, 0x20], at: 148, width: 8)
        return Data(block)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
