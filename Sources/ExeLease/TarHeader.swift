package import Foundation

/// The tar header block(s) the sync stream writes for one work-tree file,
/// for the fuzzer: names, link targets, sizes and modes come from a
/// repository, so any of them must make a header without trapping.
package enum TarHeader {
    /// The header (with a PAX record first when a field does not fit) of
    /// `name`; `type` `0` for a file, `2` for a symlink to `link`.
    package static func header(name: String, size: Int64, mode: UInt32, mtime: Int64, type: Character, link: String) -> Data {
        TarArchiveStream.header(name: name, size: size, mode: mode, mtime: mtime, type: type, link: link)
    }
}
