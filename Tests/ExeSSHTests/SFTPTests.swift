import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("SFTP")
struct SFTPTests {
    @Test("upload, stat, download, chmod and remove")
    func roundTrip() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let base = server.directory.file("remote")
            try await connection.createDirectory(base + "/a/b/c")
            try await connection.createDirectory(base + "/a/b/c")  // mkdir -p is idempotent
            let payload = randomBytes(3_000_000)
            let path = base + "/a/b/c/blob.bin"
            try await connection.upload(payload, to: path, mode: 0o640)
            let attributes = try #require(try await connection.attributes(of: path))
            #expect(attributes.size == 3_000_000)
            #expect(attributes.permissions == 0o640)
            #expect(attributes.isRegularFile)
            #expect(try await connection.attributes(of: base + "/a")?.isDirectory == true)
            #expect(try await connection.download(path) == payload)
            #expect(FileManager.default.contents(atPath: path) == payload)
            try await connection.setPermissions(path, mode: 0o600)
            #expect(try await connection.attributes(of: path)?.permissions == 0o600)
            try await connection.removeFile(path)
            #expect(try await connection.attributes(of: path) == nil)
        }
    }

    @Test("uploads a local file in chunks")
    func uploadFile() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let local = server.directory.file("local.txt")
            let text = String(repeating: "0123456789abcdef\n", count: 200_000)
            try text.write(toFile: local, atomically: true, encoding: .utf8)
            let remote = server.directory.file("copy.txt")
            try await connection.upload(contentsOf: local, to: remote)
            #expect(try String(contentsOfFile: remote, encoding: .utf8) == text)
        }
    }

    @Test("downloads to a local file in chunks; a failed download leaves the local file alone")
    func downloadFile() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let payload = randomBytes(20_000_000)
            let remote = server.directory.file("remote-big.bin")
            try payload.write(to: URL(fileURLWithPath: remote))
            let local = server.directory.file("downloaded.bin")
            try await connection.download(remote, toFile: local, mode: 0o600)
            #expect(FileManager.default.contents(atPath: local) == payload)
            #expect(try FileManager.default.attributesOfItem(atPath: local)[.posixPermissions] as? Int == 0o600)

            try Data("keep me".utf8).write(to: URL(fileURLWithPath: local))
            let error = await #expect(throws: SSHError.self) { try await connection.download(server.directory.file("missing.bin"), toFile: local) }
            #expect(error?.kind == .sftp)
            #expect(FileManager.default.contents(atPath: local) == Data("keep me".utf8))
            let strays = try FileManager.default.contentsOfDirectory(atPath: server.directory.path).filter { $0.contains(".exe-download-") }
            #expect(strays.isEmpty, "no temporary file is left behind: \(strays)")
        }
    }

    @Test("atomic replace keeps the previous file and leaves no temporary file")
    func atomicReplace() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let directory = server.directory.file("app")
            try await connection.createDirectory(directory)
            let path = directory + "/app.compose.yaml"
            try await connection.replaceAtomically(path, with: Data("version: 1\n".utf8), mode: 0o600, keepPrevious: ".prev")
            try await connection.replaceAtomically(path, with: Data("version: 2\n".utf8), mode: 0o600, keepPrevious: ".prev")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "version: 2\n")
            #expect(try String(contentsOfFile: path + ".prev", encoding: .utf8) == "version: 1\n")
            #expect(try await connection.attributes(of: path)?.permissions == 0o600)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains("exe-tmp") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test("a missing file is an sftp error with the server's status")
    func missing() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let error = await #expect(throws: SSHError.self) { try await connection.download("/nonexistent/exe-test/file") }
            #expect(error?.kind == .sftp)
            #expect(error?.message.contains("no such file") == true)
            #expect(try await connection.run("echo usable").stdout == "usable\n")
        }
    }

    @Test("SFTP and commands share the connection at the same time")
    func sharedWithExec() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<5 {
                    group.addTask {
                        let path = server.directory.file("f\(index)")
                        try await connection.upload(Data("file \(index)".utf8), to: path)
                        #expect(try await connection.download(path) == Data("file \(index)".utf8))
                    }
                    group.addTask {
                        let result = try await connection.run("sleep 0.2; echo \(index)")
                        #expect(result.stdout == "\(index)\n")
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
