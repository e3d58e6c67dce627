import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Issue 15: remote command lines are built by construction. Golden
/// renderings of ``ShellCommand`` and ``ShellScript``, and `/bin/sh` runs
/// them with hostile values arriving intact.
@Suite("Shell command builder")
struct ShellCommandTests {
    static let hostile = ["two words", "it's", "$(reboot)", "`id`", "-rf", "a\nb", "\"q\"", "*", "~", "$HOME", "", "a;b|c&d", "\\"]

    @Test("golden: words are quoted, operators and redirections are the builder's own")
    func golden() {
        #expect(ShellCommand("rm", "-f", "/data/it's here").commandLine == "rm -f '/data/it'\\''s here'")
        #expect(ShellCommand(["docker", "logs", "--tail", "50", "$(x)"]).commandLine == "docker logs --tail 50 '$(x)'")
        #expect(ShellCommand("cat", "/a b").discardingErrors().commandLine == "cat '/a b' 2>/dev/null")
        #expect(ShellCommand("test", "-d", "/d").and(ShellCommand("test", "-w", "/d")).commandLine == "test -d /d && test -w /d")
        #expect(ShellCommand("cd", "/w").discardingErrors().or(ShellCommand("exit", "0")).then(ShellCommand("ls")).commandLine
            == "cd /w 2>/dev/null || exit 0; ls")
        #expect(ShellCommand("printf", "%s", "x").writingOutput(to: "/tmp/a b").commandLine == "printf %s x > '/tmp/a b'")
        #expect(ShellCommand("cat").appendingOutput(to: "/log").readingInput(from: "/in").commandLine == "cat >> /log < /in")
        #expect(ShellCommand("du", "-sb", "/x").piped(to: ShellCommand("cut", "-f1")).commandLine == "du -sb /x | cut -f1")
        #expect(ShellCommand("sleep", "1").replacingShell().commandLine == "exec sleep 1")
        #expect("\(ShellCommand("echo", "a b"))" == "echo 'a b'")
    }

    @Test("golden: operators group where the shell's precedence would change the meaning")
    func grouping() {
        let a = ShellCommand("a"), b = ShellCommand("b"), c = ShellCommand("c")
        #expect(a.or(b).piped(to: c).commandLine == "{ a || b; } | c")
        #expect(a.and(b.or(c)).commandLine == "a && { b || c; }")
        #expect(a.and(b).or(c).commandLine == "a && b || c")
        #expect(a.then(b).and(c).commandLine == "{ a; b; } && c")
        #expect(a.and(b).writingOutput(to: "/f").commandLine == "{ a && b; } > /f")
        #expect(a.piped(to: b).piped(to: c).commandLine == "a | b | c")
    }

    @Test("golden: a script is sh -c, its text, its name, then one quoted word per argument")
    func scriptGolden() {
        let script = ShellScript(name: "exe-test", text: "printf '%s\\n' \"$@\"\n")
        #expect(script.command("a b", "it's").commandLine == "sh -c 'printf '\\''%s\\n'\\'' \"$@\"\n' exe-test 'a b' 'it'\\''s'")
        let login = ShellScript(name: "exe-login", text: "eval \"$1\"", interpreter: .loginShell)
        #expect(login.command("ls").commandLine == #""${SHELL:-/bin/sh}" -c 'eval "$1"' exe-login ls"#)
        #expect(script.localArguments(["x"]) == ["-c", script.text, "exe-test", "x"])
        #expect(ShellScript(name: "n", bytes: Array("echo hi".utf8)).text == "echo hi")
    }

    @Test("/bin/sh gets every hostile value back intact, through words, redirections and script arguments")
    func hostileValuesArriveIntact() async throws {
        let directory = try TemporaryDirectory(prefix: "shell-command")
        defer { directory.remove() }
        let printAll = ShellScript(name: "exe-test", text: "printf '%s\\0' \"$@\"")
        let output = try await LocalShell.run(printAll.command(Self.hostile))
        let words = output.standardOutput.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        #expect(output.status == 0 && words == Self.hostile, "\(words)")

        for (index, value) in Self.hostile.enumerated() where !value.isEmpty {
            let file = directory.file("\(index) \(value)")
            let written = try await LocalShell.run(
                ShellCommand("printf", "%s", value).writingOutput(to: file).and(ShellCommand("cat", file).discardingErrors()))
            #expect(written.status == 0 && written.stdout == value, "\(value): \(written)")
            #expect(try String(contentsOfFile: file, encoding: .utf8) == value)
        }
    }

    @Test("rendered command lines and scripts parse under sh, dash and bash and pass ShellCheck")
    func syntax() async throws {
        var commands: [ShellCommand] = []
        for value in Self.hostile {
            commands.append(ShellCommand("rm", "-rf", value).or(ShellCommand("cat", value).discardingErrors()).and(ShellCommand("true")))
            commands.append(ShellScript(name: "s", text: "printf '%s' \"$1\"").command(value).writingOutput(to: "/tmp/exe-out/" + value))
            commands.append(ShellCommand("cat", value).piped(to: ShellCommand("wc", "-l")).then(ShellCommand("exit", "0")))
        }
        let problems = try await ShellSyntax.problems(commands)
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n\n"))")
    }
}
