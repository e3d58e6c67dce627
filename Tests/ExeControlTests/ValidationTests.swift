@testable import ExeControl
import Testing

@Suite("Local validation, in the server's words")
struct ValidationTests {
    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as ControlError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("VM names: length, pattern, reserved names and patterns")
    func vmNames() throws {
        for good in ["my-app", "a1234", "maple-dune", String(repeating: "a", count: 52), "pizza-shop", "report-2026"] {
            #expect(throws: Never.self) { try VMName(good) }
        }
        for bad in ["abcd", String(repeating: "a", count: 53), "My-app", "1abcd", "ab--cd", "abcd-", "ab_cd", "ab.cd", "my app", ""] {
            #expect(message { _ = try VMName(bad) } == VMName.invalidMessage, "\(bad)")
        }
        for reserved in ["admin", "proxy", "shelley", "docker", "team-int", "my-vm", "hello-world", "my-exelet-box", "web-p8080", "web-port80", "port123", "p12345", "na12345"] {
            #expect(throws: ControlError.self) { try VMName(reserved) }
            #expect(message { _ = try VMName(reserved) } == "invalid VM name: this VM name is not available", "\(reserved)")
        }
        #expect(
            VMName.invalidMessage
                == "invalid VM name, must be 5-52 characters: start with a lowercase letter, then lowercase letters or digits, with optional single hyphen separators (e.g., a-vm-name)")
        #expect(message { _ = try ControlRequest.create(.init(name: "Bad")) } == VMName.invalidMessage)
        #expect(message { _ = try ControlRequest.rename("old-name", to: "x") } == VMName.invalidMessage)
    }

    @Test("tags")
    func tags() {
        #expect(message { try VMTag.validate(["prod", "web_1", "a-b"]) } == nil)
        #expect(message { try VMTag.validate(["Prod"]) } == #"invalid tag name "Prod": must match [a-z][a-z0-9_-]*"#)
        #expect(message { try VMTag.validate(["1a"]) } == #"invalid tag name "1a": must match [a-z][a-z0-9_-]*"#)
        #expect(message { try VMTag.validate(["a", "a"]) } == #"tag "a" specified more than once"#)
        #expect(message { try VMTag.validate(["a", "a"], rejectingDuplicates: false) } == nil)
        #expect(message { _ = try ControlRequest.tag("my-vm", [], remove: false) } == "usage: tag [-d] <vm> <tag>...")
    }

    @Test("comments: 200 bytes after trimming, no tabs or newlines, controls, bidi, HTML metacharacters; the server's messages")
    func comments() {
        #expect(message { try VMComment.validate("  staging copy; $(date) \\ ok ünïcødé 🚀  ") } == nil)
        #expect(message { try VMComment.validate("") } == nil)
        #expect(message { try VMComment.validate(String(repeating: "é", count: 100)) } == nil)
        // execore/ssh_comment_command.go validateComment: its messages, its order
        // (length; then each character: line breaks, controls, format
        // characters; then HTML metacharacters anywhere).
        #expect(message { try VMComment.validate(String(repeating: "é", count: 101)) } == "comment too long (max 200 bytes)")
        #expect(message { try VMComment.validate("a\tb") } == "comment must not contain newlines or tabs")
        #expect(message { try VMComment.validate("a\nb") } == "comment must not contain newlines or tabs")
        #expect(message { try VMComment.validate("a\u{7}b") } == "comment must not contain control characters")
        #expect(message { try VMComment.validate("a\u{85}b") } == "comment must not contain control characters")
        let formatting = "comment must not contain bidi or zero-width formatting characters"
        #expect(message { try VMComment.validate("x\u{202E}evol") } == formatting)
        #expect(message { try VMComment.validate("a\u{200B}b") } == formatting)
        #expect(message { try VMComment.validate("a\u{2067}b\u{FEFF}") } == formatting)
        #expect(message { try VMComment.validate("soft\u{AD}hyphen") } == formatting)
        #expect(message { try VMComment.validate("a\u{2060}b") } == formatting)
        #expect(message { try VMComment.validate("🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}") } == formatting)
        for metacharacter in ["<", ">", "&", "\"", "'", "`"] {
            #expect(message { try VMComment.validate("a\(metacharacter)b") } == #"comment must not contain HTML metacharacters (< > & " ' `)"#)
        }
        // Characters are checked before metacharacters, wherever they are.
        #expect(message { try VMComment.validate("a<b\tc") } == "comment must not contain newlines or tabs")
        #expect(message { try VMComment.validate("a\tb<c") } == "comment must not contain newlines or tabs")
    }

    @Test("sizes: binary units, decimals, bare numbers are GiB, minimums")
    func sizes() throws {
        #expect(try ByteSize("8").bytes == 8 << 30)
        #expect(try ByteSize("8GB").bytes == 8 << 30)
        #expect(try ByteSize("2.5G").bytes == 5 << 29)
        #expect(try ByteSize("512MiB").bytes == 512 << 20)
        #expect(try ByteSize("1t").bytes == 1 << 40)
        #expect(try ByteSize("1024k").bytes == 1 << 20)
        #expect(try ByteSize("100B").bytes == 100)
        #expect(throws: ControlError.self) { try ByteSize("lots") }
        #expect(throws: ControlError.self) { try ByteSize("8 PB") }
        #expect(throws: ControlError.self) { try ByteSize("-1G") }
        #expect(message { _ = try ControlRequest.create(.init(memory: ByteSize("1.5G"))) } == "--memory must be at least 2 GB")
        #expect(message { _ = try ControlRequest.create(.init(disk: ByteSize("5"))) } == "--disk must be at least 10 GB")
        #expect(message { _ = try ControlRequest.create(.init(cpus: 0)) } == "--cpu must be at least 1")
        #expect(message { _ = try ControlRequest.resize("my-vm", .init()) } == "resize needs at least one of --memory, --cpu or --disk")
    }

    @Test("env, share port, email, rm with nothing, attachment specs")
    func misc() throws {
        let variable = try EnvironmentVariable(parsing: "A=b=c")
        #expect(variable.name == "A")
        #expect(variable.word.revealed == "A=b=c")
        #expect(message { _ = try EnvironmentVariable(parsing: "novalue") } == #"invalid environment variable format "novalue": must be KEY=VALUE"#)
        #expect(message { _ = try EnvironmentVariable(parsing: "hunter2", secret: true) } == "invalid environment variable format [REDACTED]: must be KEY=VALUE")
        #expect(message { _ = try ControlRequest.sharePort("my-vm", 80) } == #"port must be between 3000 and 9999, got "80""#)
        #expect(message { _ = try ControlRequest.shareAdd("my-vm", email: "nope", message: nil) } == #"invalid email address: "nope""#)
        // execore/ssh_share.go reads strings.ToLower(strings.TrimSpace(arg)) before isValidEmail.
        #expect(message { _ = try ControlRequest.shareAdd("my-vm", email: " No Pe", message: nil) } == #"invalid email address: "no pe""#)
        #expect(try ControlRequest.shareAdd("my-vm", email: " Friend@Example.com\n", message: nil).commandLine(appendingJSONFlag: false)
            == "share add my-vm friend@example.com")
        #expect(message { _ = try ControlRequest.remove([]) } == "please specify at least one VM name to delete")
        #expect(message { _ = try ControlRequest.attachIntegration("x", "box") } != nil)
        #expect(message { _ = try ControlRequest.create(.init(setupScript: String(repeating: "x", count: 10 * 1024 + 1))) } != nil)
    }
}
