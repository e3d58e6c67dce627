public import Foundation
import ExeSystem

/// What a sync put on the VM: for each file its kind, mode, size,
/// modification time and SHA-256. Kept on the VM (and cached locally by its
/// digest) so the next sync sends only what changed and deletes only what
/// it synced before.
public struct SyncManifest: Sendable, Equatable {
    /// One synced file.
    public struct Entry: Sendable, Hashable {
        /// Path relative to the root, `/`-separated.
        public var path: String
        /// A regular file or a symlink.
        public var kind: WorkTreeFile.Kind
        /// The permission bits.
        public var mode: UInt32
        /// Size in bytes.
        public var size: Int64
        /// Modification time, in nanoseconds since 1970.
        public var modificationTime: Int64
        /// Lowercase hexadecimal SHA-256 of the content (of the link target for symlinks).
        public var digest: String
    }

    /// Entries by path.
    public private(set) var entries: [String: Entry] = [:]

    /// Creates a manifest from entries.
    public init(_ entries: [Entry] = []) {
        for entry in entries { self.entries[entry.path] = entry }
    }

    /// The entry for `path`.
    public subscript(path: String) -> Entry? { entries[path] }

    /// The paths, sorted.
    public var paths: [String] { entries.keys.sorted() }

    private static let header = "exe-sync-manifest 1\n"

    /// The on-disk form: a header line, then one NUL-terminated record per
    /// file: `kind mode size mtime digest path`.
    public func encoded() -> Data {
        var data = Data(Self.header.utf8)
        for path in paths {
            guard let entry = entries[path] else { continue }
            let kind = entry.kind == .symlink ? "l" : "f"
            data.append(contentsOf: "\(kind) \(String(entry.mode, radix: 8)) \(entry.size) \(entry.modificationTime) \(entry.digest) \(path)".utf8)
            data.append(0)
        }
        return data
    }

    /// The SHA-256 of ``encoded()``: the manifest's identity.
    public var digest: String { SHA256Hasher.hexDigest(encoded()) }

    /// Parses ``encoded()`` output.
    public static func decode(_ data: Data) throws -> SyncManifest {
        let headerBytes = Array(header.utf8)
        guard data.starts(with: headerBytes) else { throw LeaseError(.remoteState, "the manifest on the VM is not an exe sync manifest") }
        let malformed = LeaseError(.remoteState, "the manifest on the VM has a malformed record")
        var entries: [Entry] = []
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = headerBytes.count
            // The manifest comes from the VM: every number is checked
            // against `maximum` digit by digit, so none overflows.
            func number(radix: Int64, maximum: Int64 = .max) throws -> Int64 {
                var value: Int64 = 0
                var digits = 0
                while index < bytes.count, bytes[index] != 0x20 {
                    let digit = Int64(bytes[index]) - 0x30
                    guard digit >= 0, digit < radix else { throw malformed }
                    let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
                    guard !overflow, shifted <= maximum - digit else { throw malformed }
                    value = shifted + digit
                    index += 1
                    digits += 1
                }
                guard digits > 0, index < bytes.count else { throw malformed }
                index += 1
                return value
            }
            while index < bytes.count {
                guard index + 2 < bytes.count, bytes[index + 1] == 0x20 else { throw malformed }
                let kind: WorkTreeFile.Kind = bytes[index] == UInt8(ascii: "l") ? .symlink : .regular
                index += 2
                let mode = try number(radix: 8, maximum: Int64(UInt32.max))
                let size = try number(radix: 10)
                let mtime = try number(radix: 10)
                guard index + 65 <= bytes.count, bytes[index + 64] == 0x20 else { throw malformed }
                let digest = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + 64]), as: UTF8.self)
                index += 65
                var end = index
                while end < bytes.count, bytes[end] != 0 { end += 1 }
                let path = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
                entries.append(Entry(path: path, kind: kind, mode: UInt32(truncatingIfNeeded: mode), size: size, modificationTime: mtime, digest: digest))
                index = end + 1
            }
        }
        return SyncManifest(entries)
    }
}
