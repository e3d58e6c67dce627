@testable import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Issue 15: the shell that deploys send to VMs is fixed script resources
/// (`Sources/ExeDeploy/Scripts/*.sh`) given their values as positional
/// arguments, and one-line commands built word by word. Each script parses
/// under `sh -n`, `dash -n` and `bash -n` and passes ShellCheck; run for
/// real with `/bin/sh` in a temporary directory with hostile paths and
/// values, everything arrives as it was.
@Suite struct DeployScriptTests {
    static let hostileWords = ["two words", "it's", "$(reboot)", "`id`", "-rf", "a\nb", "\"quoted\"", "*", "$HOME"]

    /// Every script ExeDeploy sends, by its resource file.
    static let scripts: [String: ShellScript] = [
        "vm-lock.sh": VMDirectoryLock.acquireScript, "registry-lock.sh": ExeRegistryLock.script,
    ]

    @Test("every script resource is listed here, and each parses and passes ShellCheck as it is embedded")
    func resourcesParse() async throws {
        #expect(LocalShell.scriptResources(module: "ExeDeploy") == Self.scripts.keys.sorted())
        let problems = try await ShellSyntax.problems(Array(Self.scripts.values))
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n\n"))")
    }

    @Test("the command lines parse for hostile values")
    func commandLinesParse() async throws {
        var commands: [ShellCommand] = []
        for word in Self.hostileWords {
            commands.append(VMDirectoryLock.acquireCommand(app: word))
            commands.append(VMDirectoryLock.releaseCommand(app: word, id: word))
            commands.append(ExeRegistryLock.useCommand(id: word, details: word, seconds: 3))
            commands.append(ExeRegistryLock.collectionCommand(details: word, seconds: 3))
        }
        let problems = try await ShellSyntax.problems(commands)
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n\n"))")
    }

    @Test("golden: the lock commands and docker's words")
    func golden() {
        #expect(VMDirectoryLock.acquireCommand(app: "shop").commandLine
            == "sh -c \(ShellQuote.word(VMDirectoryLock.acquireScript.text)) exe-vm-lock /data/.exe-deploy/shop /data/.exe-deploy/shop/lock /data/.exe-deploy/shop/lock/details.json 75")
        #expect(VMDirectoryLock.releaseCommand(app: "shop", id: "d1").commandLine
            == #"grep -qF '"id":"d1"' /data/.exe-deploy/shop/lock/details.json && rm -rf /data/.exe-deploy/shop/lock"#)
        #expect(ExeRegistryLock.useCommand(id: "d1", details: #"{"a":"it's"}"#, seconds: 9).commandLine
            == "sh -c \(ShellQuote.word(ExeRegistryLock.script.text)) exe-registry-lock use /data/.exe-registry-lock 9 35 60 '{\"a\":\"it'\\''s\"}' d1")
        #expect(DeployConfiguration.words(of: "sudo  docker") == ["sudo", "docker"])
        #expect(DeployConfiguration.words(of: " ") == ["docker"])
        let target = DoctorTarget(vm: "shop")
        #expect(target.dockerCommand(["logs", "--tail", "20", "a b"]).commandLine == "sudo docker logs --tail 20 'a b'")
    }

    @Test("vm-lock.sh runs for real: takes the lock with the details from stdin, then reports the holder with status 75")
    func vmLockRunsForReal() async throws {
        let directory = try TemporaryDirectory(prefix: "vm-lock-script")
        defer { directory.remove() }
        for word in Self.hostileWords {
            let state = directory.file("state \(word)")
            let lock = state + "/lock " + word
            let details = lock + "/" + word + ".json"
            let command = VMDirectoryLock.acquireScript.command(state, lock, details, "75")
            let taken = try await LocalShell.run(command, stdin: Data("holder \(word)".utf8))
            #expect(taken.status == 0, "\(word): \(taken)")
            #expect(try String(contentsOfFile: details, encoding: .utf8) == "holder \(word)")
            let held = try await LocalShell.run(command, stdin: Data("other".utf8))
            #expect(held.status == 75 && held.stdout == "holder \(word)", "\(word): \(held)")
        }
    }

    @Test("registry-lock.sh runs for real: uses share, a collection waits for them and gives up naming them, a use waits for a collection")
    func registryLockRunsForReal() async throws {
        let directory = try TemporaryDirectory(prefix: "registry-lock-script")
        defer { directory.remove() }
        let lock = directory.file("lock it's $(x) `y`\n-z")
        let script = ExeRegistryLock.script
        let details = #"{"app":"it's $(x) `y`"}"#
        let use = try await LocalShell.run(script.command(["use", lock, "1", "35", "60", details, "-id one"]))
        #expect(use.status == 0, "\(use)")
        #expect(try String(contentsOfFile: lock + "/uses/-id one", encoding: .utf8) == details + "\n")
        let second = try await LocalShell.run(script.command(["use", lock, "1", "35", "60", "second", "two"]))
        #expect(second.status == 0, "uses share the lock: \(second)")

        let collection = try await LocalShell.run(script.command(["collect", lock, "1", "35", "60", "gc $HOME"]))
        #expect(collection.status == 76 && collection.stdout.contains(details) && collection.stdout.contains("second"), "\(collection)")
        #expect(!FileManager.default.fileExists(atPath: lock + "/gc"), "a collection that gives up removes its mark")

        try FileManager.default.removeItem(atPath: lock + "/uses")
        let collected = try await LocalShell.run(script.command(["collect", lock, "1", "35", "60", "gc $HOME"]))
        #expect(collected.status == 0, "\(collected)")
        #expect(try String(contentsOfFile: lock + "/gc/details", encoding: .utf8) == "gc $HOME\n")
        let waiting = try await LocalShell.run(script.command(["use", lock, "1", "35", "60", details, "three"]))
        #expect(waiting.status == 75 && waiting.stdout.contains("gc $HOME"), "a use waits for the collection, then names it: \(waiting)")
    }
}
