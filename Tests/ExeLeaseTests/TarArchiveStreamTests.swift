@testable import ExeLease
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Tar archive stream")
struct TarArchiveStreamTests {
    @Test("GNU tar extracts what the stream writes: long names, symlinks, modes, unicode")
    func gnuTarReadsIt() async throws {
        let source = try TemporaryDirectory(prefix: "exe-tar-src")
        let target = try TemporaryDirectory(prefix: "exe-tar-dst")
        defer { source.remove(); target.remove() }
        let longName = String(repeating: "deep/", count: 30) + "file-with-a-rather-long-name.txt"
        try source.write(longName, "long\n")
        try source.write("run.sh", "#!/bin/sh\necho hi\n", mode: 0o755)
        try source.write("dir with space/ünïcødé.txt", "unicode\n")
        try source.write("big.bin", String(repeating: "x", count: 1_000_003))
        try FileManager.default.createSymbolicLink(atPath: source.file("link"), withDestinationPath: "run.sh")
        let listing = try await WorkTreeListing.list(root: source.path, rules: SyncIgnoreRules())
        let plan = SyncPlan(uploads: listing.files.map { ($0, nil) }, deletions: ["old.txt"], unchanged: [])
        let stream = TarArchiveStream(root: source.path, plan: plan)
        var archive = Data()
        for try await chunk in stream { archive.append(chunk) }
        #expect(archive.count % 512 == 0)
        #expect(Int64(archive.count) == stream.bytesProduced)
        try await LocalProcessRunner().check(ProcessInvocation("tar", ["-x", "-f", "-", "-C", target.path], standardInput: archive))
        for file in listing.files where file.kind == .regular {
            #expect(FileManager.default.contents(atPath: target.file("files/" + file.path)) == FileManager.default.contents(atPath: source.file(file.path)), "\(file.path)")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target.file("files/link")) == "run.sh")
        let mode = try FileManager.default.attributesOfItem(atPath: target.file("files/run.sh"))[.posixPermissions] as? Int
        #expect(mode == 0o755)
        let manifest = try SyncManifest.decode(try #require(FileManager.default.contents(atPath: target.file("meta/manifest"))))
        #expect(manifest == stream.manifest)
        #expect(manifest[longName]?.digest == SHA256Hasher.hexDigest(Data("long\n".utf8)))
        #expect(FileManager.default.contents(atPath: target.file("meta/deleted")) == Data("old.txt\0".utf8))
    }
}
