import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites.ConformanceTests {
    // exemenu/command_system.go: executeCommand matches "help" with
    // strings.EqualFold and FindCommand/findCommandRecursive lower-case each
    // command and subcommand word (strings.ToLower) before comparing names
    // and aliases; the arguments after the command path and every flag are
    // left as typed (Go's flag package is case-sensitive), and "command not
    // found" quotes the words as typed.
    @Test func commandWordsAreMatchedInAnyCaseOverSSH() async throws {
        let sim = try sim
        _ = try await sim.newVM("case-vm")
        let listed = try await sim.json("LS case-vm --json")
        #expect((listed["vms"] as? [[String: Any]])?.first?["vm_name"] as? String == "case-vm")
        let shown = try await sim.json("Share SHOW case-vm --json")
        #expect(shown["vm_name"] as? String == "case-vm")
        let aliased = try await sim.control("SHARE Add-Share-Link case-vm --json")
        #expect(aliased.status == 0, "\(aliased.stdout)")
        #expect(try await sim.control("HELP ls").stdout.contains("ls"))
        let helpJSON = try await sim.json("help LS --json")
        #expect(helpJSON["command"] as? String == "ls")
        // Arguments are not lowercased: the name filter finds nothing.
        let upperName = try await sim.json("ls CASE-VM --json")
        #expect((upperName["vms"] as? [Any])?.isEmpty == true)
        // Flags are not lowercased.
        let flag = try await sim.control("ls --JSON")
        #expect(flag.status == 255)
        #expect(flag.stdout == "flag parsing error: flag provided but not defined: -JSON\n", "\(flag.stdout)")
        let unknown = try await sim.control("FROB Nicate")
        #expect(unknown.status == 255)
        #expect(unknown.stdout == "exe.dev repl: command not found: \"FROB Nicate\"\n")
        _ = try await sim.control("rm case-vm --json")
    }

    // execore/exec_handler.go: POST /exec resolves the command with
    // ResolveCommandName (exemenu/command_system.go findCanonicalPath),
    // which compares the words as typed: `LS` is "unknown command" (404)
    // there before the token's cmds are checked, though the same words run
    // over SSH.
    @Test func theHTTPSAPIMatchesCommandWordsExactly() async throws {
        let sim = try sim
        let token = try await sim.harness.mintAPIToken(key: sim.key, label: "case-api", cmds: ["ls", "share show"])
        let upper = try await sim.harness.exec("LS", token: token)
        #expect(upper.status == 404 && upper.body == #"{"error":"unknown command"}"# + "\n")
        // `SHOW` is no subcommand there, so the words resolve to `share`
        // itself (it has a handler), which this token may not run.
        let mixed = try await sim.harness.exec("share SHOW x", token: token)
        #expect(mixed.status == 403 && mixed.body == #"{"error":"command not allowed by token permissions"}"# + "\n")
        let lower = try await sim.harness.exec("ls", token: token)
        #expect(lower.status == 200, "\(lower.body)")
    }
}
