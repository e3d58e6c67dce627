import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Shell quoting")
struct ShellQuoteTests {
    @Test("plain words stay readable, others are single-quoted")
    func quoting() {
        #expect(ShellQuote.word("ls") == "ls")
        #expect(ShellQuote.word("--name=maple-dune") == "--name=maple-dune")
        #expect(ShellQuote.word("") == "''")
        #expect(ShellQuote.word("a b") == "'a b'")
        #expect(ShellQuote.word("it's") == "'it'\\''s'")
        #expect(ShellQuote.word("$(rm -rf /)") == "'$(rm -rf /)'")
        #expect(ShellQuote.word("~") == "'~'")
        #expect(ShellQuote.command(["comment", "vm", "a b"]) == "comment vm 'a b'")
    }

    @Test("a POSIX shell splits quoted words back into exactly the same bytes")
    func roundTripThroughSh() async throws {
        var samples = ["plain", "", " ", "a b", "'", "\"", "\\", "$HOME", "$(echo hi)", "`id`", "a;b", "a|b&c", "*", "?",
                       "line\nbreak", "tab\there", "ünïcødé ✓", "--flag=va lue", "'\"'\"'", "-n", "%s", "!"]
        for _ in 0..<50 {
            let alphabet = Array("ab '\"\\$`;|&*?!~#\n\t(){}[]<>=-é✓")
            samples.append(String((0..<Int.random(in: 1...12)).map { _ in alphabet.randomElement()! }))
        }
        let command = "printf '%s\\0' " + samples.map(ShellQuote.word).joined(separator: " ")
        let output = try await LocalProcessRunner().check(ProcessInvocation("/bin/sh", ["-c", command]))
        let words = output.standardOutput.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        #expect(words == samples)
    }
}

@Suite("Hashing")
struct HashingTests {
    @Test("SHA-256 and HMAC-SHA1 known answers")
    func vectors() {
        #expect(SHA256Hasher.hexDigest(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hasher.hexDigest(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let mac = HMAC.sha1(key: Data("key".utf8), message: Data("The quick brown fox jumps over the lazy dog".utf8))
        #expect(mac.hexString == "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9")
        let hasher = SHA256Hasher()
        hasher.update("a")
        hasher.update("bc")
        #expect(hasher.finalize().hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("secrets never print")
    func secret() {
        let secret = Secret("hunter22")
        #expect("\(secret)" == "[REDACTED]")
        #expect(String(reflecting: secret) == "[REDACTED]")
        #expect(Secret.redact("token=hunter22 end", [secret]) == "token=[REDACTED] end")
        #expect(secret.reveal() == "hunter22")
    }
}

@Suite("Files and processes")
struct FilesAndProcessesTests {
    @Test("atomic writes replace content and set the mode")
    func atomic() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("nested/claim.json")
        try AtomicFile.write(Data("one".utf8), to: path, mode: 0o600)
        try AtomicFile.write(Data("two".utf8), to: path, mode: 0o600)
        #expect(FileManager.default.contents(atPath: path) == Data("two".utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("nested")) == ["claim.json"])
    }

    @Test("a file lock excludes a second holder until released, across processes")
    func lock() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("lock")
        let held = try FileLock.acquire(path: path)
        let probe = try await LocalProcessRunner().run(ProcessInvocation("flock", ["-n", path, "true"]))
        #expect(probe.status != 0)
        #expect(throws: FileLockError.self) { try FileLock.acquire(path: path, timeout: .milliseconds(50)) }
        held.unlock()
        let again = try await LocalProcessRunner().run(ProcessInvocation("flock", ["-n", path, "true"]))
        #expect(again.status == 0)
    }

    @Test("the runner passes stdin, captures both streams and exit codes, and enforces timeouts")
    func runner() async throws {
        let runner = LocalProcessRunner()
        let echoed = try await runner.run(ProcessInvocation("/bin/sh", ["-c", "cat; echo err >&2; exit 3"], standardInput: Data("in".utf8)))
        #expect(echoed.stdout == "in")
        #expect(echoed.stderr == "err\n")
        #expect(echoed.status == 3)
        let big = try await runner.run(ProcessInvocation("/bin/sh", ["-c", "head -c 5000000 /dev/zero >&2; head -c 5000000 /dev/zero"]))
        #expect(big.standardOutput.count == 5_000_000 && big.standardError.count == 5_000_000)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: ProcessRunnerError.self) {
            try await runner.run(ProcessInvocation("sleep", ["30"], timeout: .milliseconds(300)))
        }
        #expect(clock.now - start < .seconds(15), "the 300 ms deadline ended it, not the 30 s sleep")
        let env = try await runner.run(ProcessInvocation("/bin/sh", ["-c", "printf %s \"$EXE_TEST_VALUE\""], environment: ["EXE_TEST_VALUE": "from env"]))
        #expect(env.stdout == "from env")
    }
}
