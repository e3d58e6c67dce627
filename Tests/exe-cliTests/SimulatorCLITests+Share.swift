import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorCLITests {
    // execore/ssh_share.go: `share access` is `Available: ss.isInTeam`, so for
    // an account without a team the dispatcher refuses it before parsing any
    // flag, as text, with no exit status (exemenu/command_system.go:
    // `exe.dev repl: command not available: "..."`); `share add/remove` take
    // `strings.ToLower(arg) == "team"` as the team; deleting a share that
    // does not exist succeeds (an `:exec` query).
    @Test("vm share access without a team is exit 4 with the server's text; Team is the team word, not an address; removing an absent share succeeds")
    func shareTeamWordsAndAccess() async throws {
        let sim = try sim
        let vm = "cli-share-team"
        #expect(try await sim.run(["vm", "new", "--name", vm]).status == 0)
        let access = try await sim.run(["vm", "share", "access", "allow", vm])
        #expect(access.status == 4, "\(access.stderr)")
        #expect(access.stderr == "error: exe.dev repl: command not available: \"share access allow \(vm) --json\"\n")
        let team = try await sim.run(["vm", "share", "add", vm, "Team"])
        #expect(team.status == 4, "\(team.stderr)")
        #expect(team.stderr == "error: You're not in a team\n")
        let unteam = try await sim.run(["vm", "share", "remove", vm, "TEAM"])
        #expect(unteam.status == 4 && unteam.stderr == "error: You're not in a team\n", "\(unteam.stderr)")
        let absent = try await sim.run(["vm", "share", "remove", vm, "nobody@example.com"])
        #expect(absent.status == 0, "\(absent.stderr)")
        #expect(absent.stdout == "Removed nobody@example.com's access\n")
        #expect(try await sim.run(["vm", "rm", vm]).status == 0)
    }
}
