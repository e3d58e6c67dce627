import ArgumentParser
import ExeControl
import ExeLease
import ExeSystem
import ExeSSH
import Foundation
import Testing
@testable import exe_cli

@Suite("Output, errors and exit codes")
struct OutputTests {
    @Test("tables are aligned, two spaces apart, without trailing spaces")
    func table() {
        let text = TableRenderer.render(headers: ["NAME", "STATUS"], rows: [["a-long-name", "running"], ["b", "stopped\nnow"]])
        #expect(text == "NAME         STATUS\na-long-name  running\nb            stopped now")
    }

    @Test("exit codes by kind")
    func exitCodes() {
        #expect(CLIExitCode(ControlError.Kind.notFound) == .notFound)
        #expect(CLIExitCode(ControlError.Kind.invalidArgument) == .usage)
        #expect(CLIExitCode(ControlError.Kind.unknownCommand) == .usage)
        #expect(CLIExitCode(ControlError.Kind.hostKeyRejected) == .authentication)
        #expect(CLIExitCode(ControlError.Kind.permissionDenied) == .authentication)
        #expect(CLIExitCode(ControlError.Kind.transport) == .transport)
        #expect(CLIExitCode(ControlError.Kind.timeout) == .transport)
        #expect(CLIExitCode(ControlError.Kind.nameNotAvailable) == .commandFailed)
        #expect(CLIExitCode(SSHError.Kind.hostKeyMismatch) == .authentication)
        #expect(CLIExitCode(SSHError.Kind.connectionRefused) == .transport)
        #expect(CLIExitCode(LeaseError.Kind.claim) == .claim)
        #expect(CLIExitCode(LeaseError.Kind.remoteState) == .sync)
        #expect(CLIExitCode(LeaseError.Kind.notFound) == .notFound)
        #expect(CLIExitCode(LeaseError.Kind.configuration) == .usage)
        #expect(CLIExitCode.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 130])
    }

    @Test("errors are one line on stderr")
    func oneLine() {
        let console = CapturedConsole()
        let exit = CommandSession.report(
            ControlError(.noActivePlan, "You need an active plan to create VMs.\nManage your plan at https://exe.dev/user"), console: console.console)
        #expect(exit.status == 1)
        #expect(console.stderr == "error: You need an active plan to create VMs. Manage your plan at https://exe.dev/user\n")
    }

    @Test("vm ls: a table, or JSON with the wire keys")
    func list() async throws {
        let output = #"{"vms":[{"vm_name":"a-box","status":"running","region":"lax","tags":["prod","web","blue","canary","europe-west","team-a"],"https_url":"https://a-box.exe.xyz","memory_capacity_bytes":8589934592,"allocated_cpus":2,"disk_capacity_bytes":26843545600,"comment":"blog","created_at":"2026-04-01T12:00:00Z","mystery":true}]}"#
        let console = CapturedConsole()
        try await VMListCommand.parse([]).execute(try .canned(output, console: console))
        #expect(console.stdout == """
            NAME   STATUS   REGION  CPUS  MEMORY  DISK    URL                    TAGS                     COMMENT
            a-box  running  lax     2     8 GiB   25 GiB  https://a-box.exe.xyz  prod,web,blue,canary,+2  blog

            """)

        let jsonConsole = CapturedConsole()
        try await VMListCommand.parse([]).execute(try .canned(output, json: true, console: jsonConsole))
        let decoded = try JSONSerialization.jsonObject(with: Data(jsonConsole.stdout.utf8)) as? [String: Any]
        let vm = (decoded?["vms"] as? [[String: Any]])?.first
        #expect(vm?["vm_name"] as? String == "a-box")
        #expect(vm?["created_at"] as? String == "2026-04-01T12:00:00Z")
        #expect(vm?["mystery"] == nil)
        #expect(decoded?["team_vms"] as? [Any] != nil)
    }

    @Test("vm rm: deletions on stdout, failures on stderr, the failure's exit code")
    func remove() async throws {
        let output = #"{"error":"VM \"nope-vm\" not found"}"# + "\n" + #"{"deleted":["a-box"],"failed":["nope-vm"]}"#
        let console = CapturedConsole()
        await #expect(throws: CLIExit.self) {
            try await VMRemoveCommand.parse(["a-box", "nope-vm"]).execute(try .canned(output, console: console))
        }
        #expect(console.stdout == "Deleted a-box.\n")
        #expect(console.stderr == "error: VM \"nope-vm\" not found\n")
        do {
            try await VMRemoveCommand.parse(["a-box", "nope-vm"]).execute(try .canned(output, console: CapturedConsole()))
        } catch let exit as CLIExit {
            #expect(exit.status == 3)
        }
    }

    @Test("generate-api-key prints the token only to stdout, and --json includes it")
    func apiKey() async throws {
        let output = #"{"label":"ci","token":"exe1.TOKENTOKENTOKENTOKEN","namespace":"v0@exe.dev","fingerprint":"SHA256:z"}"#
        let console = CapturedConsole()
        let session = try CommandSession.canned(output, json: true, console: console)
        let key = try await session.client.sshKeys.generateAPIKey(.init(label: "ci"))
        try session.output.result(key) { "" }
        #expect(console.stdout.contains("\"token\":\"exe1.TOKENTOKENTOKENTOKEN\""))
        #expect(console.stderr.isEmpty)
    }

    @Test("argument validation happens before any round trip")
    func validation() throws {
        #expect(throws: (any Error).self) { try VMRenameCommand.parse(["a-box", "Bad_Name"]) }
        #expect(throws: (any Error).self) { try VMTagCommand.parse(["a-box", "Nope"]) }
        #expect(throws: (any Error).self) { try VMCommentCommand.parse(["a-box", "<b>"]) }
        #expect(throws: (any Error).self) { try VMResizeCommand.parse(["a-box"]) }
        #expect(throws: (any Error).self) { try SharePortCommand.parse(["a-box", "80"]) }
        #expect(throws: (any Error).self) { try VMExecCommand.parse(["a-box"]) }
        #expect(try VMExecCommand.parse(["a-box", "--", "ls", "-la", "/my dir"]).words == ["ls", "-la", "/my dir"])
        #expect(VMExecCommand.commandLine(["ls", "-la", "/my dir"]) == "ls -la '/my dir'")
        #expect(VMExecCommand.commandLine(["cd /app && make"]) == "cd /app && make")
        #expect(try VMCommentCommand.parse(["a-box", "hello", "world"]).comment == "hello world")
        // Options after the text are options, not words of the comment.
        let trailing = try VMCommentCommand.parse(["a-box", "hello", "world", "--json"])
        #expect(trailing.comment == "hello world" && trailing.global.json)
        #expect(try VMCommentCommand.parse(["a-box", "--", "-1", "for", "this"]).comment == "-1 for this")
    }

    @Test("JSON keys: camelCase becomes snake_case, wire keys and other keys stay; one line")
    func snakeCaseKeys() throws {
        #expect(JSONRenderer.snakeCase("leaseID") == "lease_id")
        #expect(JSONRenderer.snakeCase("previousImage") == "previous_image")
        #expect(JSONRenderer.snakeCase("syncUpToDate") == "sync_up_to_date")
        #expect(JSONRenderer.snakeCase("vm_name") == "vm_name")
        #expect(JSONRenderer.snakeCase("X-Key") == "X-Key")
        #expect(JSONRenderer.snakeCase("app") == "app")
        struct Sample: Encodable { let leaseID = "l-1"; let wasLocked = true }
        #expect(try JSONRenderer.render(Sample()) == #"{"lease_id":"l-1","was_locked":true}"#)
    }

    @Test("help: the global-options section moves after the command's own options")
    func helpLayout() {
        let help = "OVERVIEW: x\n\nUSAGE: y\n\nGLOBAL OPTIONS:\n  --json   JSON\n\nOPTIONS:\n  --all   All\n  -h, --help   Help\n"
        let reordered = HelpLayout.reorder(help)
        #expect(reordered == "OVERVIEW: x\n\nUSAGE: y\n\nOPTIONS:\n  --all   All\n  -h, --help   Help\n\nGLOBAL OPTIONS:\n  --json   JSON")
        #expect(HelpLayout.reorder("USAGE: y\n\nOPTIONS:\n  --all\n") == "USAGE: y\n\nOPTIONS:\n  --all\n")
    }

    @Test("top-level vm aliases: ls, new, rm become vm subcommands; top-level commands and options stay")
    func topLevelAliases() {
        #expect(TopLevelAlias.expand(["ls", "--json"]) == ["vm", "ls", "--json"])
        #expect(TopLevelAlias.expand(["rm", "a-box"]) == ["vm", "rm", "a-box"])
        #expect(TopLevelAlias.expand(["whoami"]) == ["whoami"])
        #expect(TopLevelAlias.expand(["--help"]) == ["--help"])
        #expect(TopLevelAlias.expand([]) == [])
    }

    @Test("long tag lists are cut with +N; table lines are cut to a width")
    func cutting() {
        #expect(DisplayFormat.tags(["prod"]) == "prod")
        #expect(DisplayFormat.tags([]) == "-")
        #expect(DisplayFormat.tags(["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "dddd"]) == "aaaaaaaaaa,bbbbbbbbbb,+2")
        #expect(TableRenderer.render(headers: ["A", "B"], rows: [["x", String(repeating: "y", count: 30)]], maxWidth: 10).split(separator: "\n")
            .allSatisfy { $0.count <= 10 })
    }

    @Test("a remote command wrapped for its process group keeps its meaning and its status")
    func processGroupWrapper() async throws {
        let group = RemoteProcessGroup(commandLine: "echo \"$((6 * 7))\" 'it''s'; exit 3", runID: "test\(UInt32.random(in: 0...UInt32.max))")
        let result = try await LocalProcessRunner().run(ProcessInvocation("/bin/sh", ["-c", group.wrapped]))
        #expect(result.status == 3)
        #expect(result.stdout == "42 its\n")
        #expect(!FileManager.default.fileExists(atPath: group.pidFile), "the pid file is removed")
    }
}
