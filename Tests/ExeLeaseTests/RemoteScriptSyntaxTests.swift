@testable import ExeLease
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Issue 15: the shell that leases send to VMs parses under `dash -n` and
/// `bash -n` and passes ShellCheck, also with hostile words (quotes, `$`,
/// backticks, spaces, newlines, a leading `-`) in every place a value goes.
@Suite struct RemoteScriptSyntaxTests {
    static let hostileWords = ["plain", "two words", "it's", "$(reboot)", "`id`", "-rf", "a\nb", "\"quoted\"", "*", "~"]

    @Test("the sync scripts and the run wrapper are valid shell for hostile paths and arguments")
    func leaseScriptsParse() async throws {
        var scripts: [String] = []
        for word in Self.hostileWords {
            let work = "/home/user/work/\(word)"
            let meta = "/home/user/work/.exe-sync/\(word)"
            scripts.append(RemoteSyncScript.probe(work: work, meta: meta))
            scripts.append(RemoteSyncScript.readManifest(meta: meta))
            scripts.append(RemoteSyncScript.apply(work: work, meta: meta, compressed: true))
            scripts.append(RemoteSyncScript.apply(work: work, meta: meta, compressed: false))
            let command = RemoteCommand(
                arguments: ["printf", "%s\\n", word], workDirectory: work, environment: [(name: "EXE_TOKEN", value: Secret(word))],
                stateDirectory: "/tmp/\(word)", runID: "run_0123456789ab")
            scripts.append(command.shellCommand)
            scripts.append(command.interruptScript(graceSeconds: 5))
        }
        let problems = try await ShellSyntax.problems(scripts)
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n\n"))")
    }

    @Test("the checker itself refuses broken shell (so a pass means something)")
    func checkerRefusesBrokenShell() async throws {
        let problems = try await ShellSyntax.problems(["if true; then echo unclosed", "echo $undefined_but_fine", "cd $D && rm -rf $D/x"])
        #expect(problems.contains { $0.checker == "dash -n" && $0.script.hasPrefix("if true") })
        if ShellSyntax.hasShellCheck {
            #expect(problems.contains { $0.checker == "shellcheck" && $0.script.hasPrefix("cd $D") }, "unquoted expansion: \(problems)")
        }
    }
}
