@testable import ExeSim
import Testing

@Suite struct ShellWordsTests {
    @Test func splitsLikeAPOSIXShell() throws {
        #expect(try ShellWords.split("ls -l  'a b' \"c \\\"d\\\"\" e\\ f") == ["ls", "-l", "a b", "c \"d\"", "e f"])
        #expect(try ShellWords.split("comment vm ''") == ["comment", "vm", ""])
        #expect(try ShellWords.split("x 'it'\\''s'") == ["x", "it's"])
    }

    @Test func rejectsOpenQuotes() {
        #expect(throws: ShellWords.SyntaxError.self) { try ShellWords.split("ls 'open") }
        #expect(throws: ShellWords.SyntaxError.self) { try ShellWords.split("ls \"open") }
    }
}

@Suite struct GoFlagParserTests {
    let flags = [GoFlag("json", .bool(default: false), ""), GoFlag("l", .bool(default: false), ""), GoFlag("name", .string(default: ""), "")]

    @Test func combinedShortFlagsAreUnknown() {
        #expect(throws: GoFlagParser.Failure.message("flag provided but not defined: -la")) {
            try GoFlagParser.parse(GoFlagParser.reorder(["-la"]), flags: flags)
        }
    }

    @Test func flagsMoveInFrontOfPositionals() throws {
        let parsed = try GoFlagParser.parse(GoFlagParser.reorder(["vm1", "--json", "--name=x"]), flags: flags)
        #expect(parsed.bool("json"))
        #expect(parsed.string("name") == "x")
        #expect(parsed.arguments == ["vm1"])
    }

    @Test func boolFlagSwallowsTheNextWordWhenReordering() throws {
        // `ls --json vm1 -l` → `--json vm1 -l`: parsing stops at vm1, so -l is a positional.
        let parsed = try GoFlagParser.parse(GoFlagParser.reorder(["--json", "vm1", "-l"]), flags: flags)
        #expect(parsed.bool("json"))
        #expect(!parsed.bool("l"))
        #expect(parsed.arguments == ["vm1", "-l"])
    }

    @Test func goErrorTexts() {
        #expect(throws: GoFlagParser.Failure.message("flag needs an argument: -name")) { try GoFlagParser.parse(["--name"], flags: flags) }
        #expect(throws: GoFlagParser.Failure.message("invalid boolean value \"maybe\" for -json: parse error")) {
            try GoFlagParser.parse(["--json=maybe"], flags: flags)
        }
        #expect(throws: GoFlagParser.Failure.help) { try GoFlagParser.parse(["-h"], flags: flags) }
        #expect(throws: GoFlagParser.Failure.message("bad flag syntax: ---x")) { try GoFlagParser.parse(["---x"], flags: flags) }
    }

    @Test func doubleDashEndsFlagsAndPEMIsPositional() throws {
        let parsed = try GoFlagParser.parse(GoFlagParser.reorder(["-----BEGIN", "--json"]), flags: flags)
        #expect(parsed.bool("json"))
        #expect(parsed.arguments == ["-----BEGIN"])
    }
}

@Suite struct ValidationTests {
    @Test func vmNames() {
        #expect(VMNameRules.problem("my-app") == nil)
        #expect(VMNameRules.problem("abcd") == VMNameRules.invalidMessage)
        #expect(VMNameRules.problem(String(repeating: "a", count: 53)) == VMNameRules.invalidMessage)
        #expect(VMNameRules.problem("a--b-c") == VMNameRules.invalidMessage)
        #expect(VMNameRules.problem("Upper") == VMNameRules.invalidMessage)
        #expect(VMNameRules.problem("trail-") == VMNameRules.invalidMessage)
        for reserved in ["admin", "proxy", "shelley", "docker", "team-int", "my-vm", "hello-world", "careers", "web-port123", "port12", "na123"] {
            #expect(VMNameRules.problem(reserved) == VMNameRules.unavailableMessage || VMNameRules.problem(reserved) == VMNameRules.invalidMessage, "\(reserved)")
        }
        #expect(VMNameRules.problem("hello-world") == VMNameRules.unavailableMessage)
    }

    // execore/ssh_command_handlers.go parseSize: a plain integer is GiB,
    // units are binary and case-free, a decimal needs a unit.
    @Test func sizesAreBinary() {
        func bytes(_ text: String) -> Int64? { try? SizeArgument.parseSize(text).get() }
        func problem(_ text: String) -> String? {
            if case .failure(let problem) = SizeArgument.parseSize(text) { return problem.description }
            return nil
        }
        #expect(bytes("8") == 8 << 30)
        #expect(bytes(" 8GB ") == 8 << 30)
        #expect(bytes("512MiB") == 512 << 20)
        #expect(bytes("512 mib") == 512 << 20)
        #expect(bytes("1.5G") == 3 << 29)
        #expect(bytes("1T") == 1 << 40)
        #expect(bytes("100bytes") == 100)
        #expect(problem("lots") == #"invalid size: "lots""#)
        #expect(problem("1.5") == #"unknown unit: """#)
        #expect(problem("8 PB") == #"unknown unit: "PB""#)
        #expect(problem("") == "empty size string")
    }

    @Test func tagsAndComments() {
        #expect(TagRules.isValid("prod_1-x"))
        #expect(!TagRules.isValid("Prod"))
        #expect(!TagRules.isValid("1x"))
        #expect((try? CommentRules.validate("  fine  ").get()) == "fine")
        #expect((try? CommentRules.validate("a<b").get()) == nil)
        #expect((try? CommentRules.validate(String(repeating: "x", count: 201)).get()) == nil)
    }

    @Test func proxyPortRule() {
        #expect(ImagePorts.proxyPort(exposed: [443, 80, 8080]) == 80)
        #expect(ImagePorts.proxyPort(exposed: [22, 9000, 3000]) == 3000)
        #expect(ImagePorts.proxyPort(exposed: [22]) == 80)
        #expect(ImagePorts.proxyPort(exposed: []) == 80)
    }

    @Test func imageReferences() {
        let local = ImageName("127.0.0.1:5000/app/web:1")
        #expect(local?.registry == "127.0.0.1:5000")
        #expect(local?.repository == "app/web")
        #expect(local?.tag == "1")
        #expect(ImageName("nginx")?.registry == "docker.io")
        #expect(ImageName("nginx")?.tag == "latest")
        #expect(ImageName("https://x/y") == nil)
        #expect(ImageName("exeuntu")?.isExeuntu == true)
    }

    @Test func apiTokens() {
        let token = APIToken.generate()
        #expect(APIToken.isWellFormed(token))
        #expect(!APIToken.isWellFormed("exe1.short"))
        #expect(!APIToken.isWellFormed("exe0.AAAAAAAAAAAAAAAAAAAAAAAA"))
        #expect((try? APIToken.expiry("30d").get()) == 30 * 86400)
        #expect((try? APIToken.expiry("never").get()) == .some(nil))
        #expect((try? APIToken.expiry("soon").get()) == nil)
    }
}

@Suite struct JSONValueTests {
    @Test func encodesLikeGo() {
        let value = JSONValue.object([("a", .string("<&>\"\n")), ("b", .array([])), ("c", .double(1.5)), ("d", .double(2)), ("e", .null)])
        #expect(value.encoded() == #"{"a":"\u003c\u0026\u003e\"\n","b":[],"c":1.5,"d":2,"e":null}"#)
        // exemenu/command_system.go WriteJSON: SetEscapeHTML(false) for command output.
        #expect(value.encoded(escapingHTML: false) == #"{"a":"<&>\"\n","b":[],"c":1.5,"d":2,"e":null}"#)
    }
}

@Suite struct CommandTreeTests {
    @Test func resolvesAliasesToCanonicalNames() {
        let tree = CommandTree.standard
        #expect(tree.resolve(["share", "add-share-link", "vm"])?.canonicalName == "share add-link")
        #expect(tree.resolve(["int", "list"])?.canonicalName == "integrations list")
        #expect(tree.resolve(["ls", "--json"])?.canonicalName == "ls")
        #expect(tree.resolve(["share", "bogus"])?.canonicalName == "share")
        #expect(tree.resolve(["nope"]) == nil)
        #expect(tree.canonicalName(of: "ssh-key list") == "ssh-key list")
    }
}

@Suite struct ComposeFileTests {
    @Test func parsesTheDeployPattern() throws {
        let file = try ComposeFile.parse("""
            services:
              app:
                image: 127.0.0.1:5000/app:latest
                container_name: my-app
                restart: always
                ports:
                  - "8080:8080"
                  - 9000
                volumes:
                  - /data:/data
                env_file:
                  - /data/.env.production
                environment:
                  MODE: prod
                command: ["serve", "--port", "8080"]
            """)
        let app = try #require(file.services.first)
        #expect(app.containerName == "my-app")
        #expect(app.ports.map { [$0.0, $0.1] } == [[8080, 8080], [9000, 9000]])
        #expect(app.volumes == ["/data:/data"])
        #expect(app.environmentFiles == ["/data/.env.production"])
        #expect(app.environment == ["MODE=prod"])
        #expect(app.command == ["serve", "--port", "8080"])
        #expect(app.restart == "always")
    }

    @Test func buildOnlyServicesAreRefused() {
        #expect(throws: ComposeFile.Problem.self) { try ComposeFile.parse("services:\n  app:\n    build: .\n") }
    }
}

/// `podman ps --format '{{.Names}}\t{{.Pid}}\t{{.Status}}'`, as podman 4.3
/// printed it here for a running and a stopped container.
@Suite struct ListedContainerTests {
    @Test func parsesRunningAndStoppedLines() {
        let running = ListedContainer(psLine: "exesim-ab12cd34-vm0001-web\t17944\tUp Less than a second ago")
        #expect(running == ListedContainer(name: "exesim-ab12cd34-vm0001-web", pid: 17944, status: "Up Less than a second ago"))
        #expect(running?.isRunning == true)
        let stopped = ListedContainer(psLine: "web\t0\tExited (137) Less than a second ago")
        #expect(stopped?.pid == 0)
        #expect(stopped?.isRunning == false)
        #expect(ListedContainer(psLine: "created\t0\tCreated")?.isRunning == false)
    }

    @Test func refusesLinesThatAreNotOne() {
        for line in ["", "web", "web\t17944", "\t1\tUp", "web\tnot-a-pid\tUp 2 seconds"] {
            #expect(ListedContainer(psLine: line) == nil, "\(line)")
        }
    }
}
