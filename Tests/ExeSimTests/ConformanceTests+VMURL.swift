import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites.ConformanceTests {
    /// The keys of the first JSON object on `text`'s first line, in the
    /// order they were written (Foundation's parser forgets the order).
    static func topLevelKeys(_ text: String) throws -> [String] {
        let line = try #require(text.split(separator: "\n").first.map(String.init))
        var keys: [String] = []
        var depth = 0
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character == "\"" {
                var end = line.index(after: index)
                while end < line.endIndex, line[end] != "\"" {
                    if line[end] == "\\" { end = line.index(after: end) }
                    end = line.index(after: end)
                }
                let after = line.index(after: end)
                if depth == 1, after < line.endIndex, line[after] == ":" { keys.append(String(line[line.index(after: index)..<end])) }
                index = after
                continue
            }
            if character == "{" || character == "[" { depth += 1 }
            if character == "}" || character == "]" { depth -= 1 }
            index = line.index(after: index)
        }
        return keys
    }

    // execore/exe.go boxProxyAddress: SCHEME://HOST plus :PORT only for a
    // non-default port, and never a trailing slash. It is the https_url of
    // ls (execore/ssh_command_handlers.go), new (ssh_new_command.go
    // newBoxDetails) and share show's url (ssh_share.go), and the address
    // printed by new and cp (ssh_cp_command.go). ls and cp write Go maps
    // (keys sorted); new writes a struct (field order).
    @Test func vmURLsHaveNoTrailingSlash() async throws {
        let sim = try sim
        let url = "http://url-vm.exe-sim.localhost"
        let created = try await sim.newVM("url-vm")
        #expect(created["https_url"] as? String == url)
        let listed = try await sim.control("ls url-vm --json")
        let entry = try #require((try JSONLines.object(listed.stdout)["vms"] as? [[String: Any]])?.first)
        #expect(entry["https_url"] as? String == url)
        let entryText = try #require(listed.stdout.range(of: "[{").map { String(listed.stdout[listed.stdout.index(after: $0.lowerBound)...]) })
        let entryKeys = try Self.topLevelKeys(entryText)
        #expect(entryKeys == entryKeys.sorted() && entryKeys.contains("https_url"), "\(entryKeys)")
        #expect(try await sim.json("share show url-vm --json")["url"] as? String == url)
        let text = try await sim.control("new --name=url-text")
        #expect(text.status == 0)
        #expect(
            text.stdout.hasPrefix(
                "Creating url-text using image boldsoftware/exeuntu...\n\nApp (HTTPS proxy → :8000)\nhttp://url-text.exe-sim.localhost\n\nSSH\nssh -p "),
            "\(text.stdout)")
        // The URL as given reaches the proxy (a private VM: the login redirect).
        #expect(try await sim.harness.fetch(url).status == 307)

        let copied = try await sim.control("cp url-vm url-copy --json")
        #expect(copied.status == 0, "\(copied.stdout)")
        let copy = try JSONLines.object(copied.stdout)
        #expect(copy["https_url"] as? String == "http://url-copy.exe-sim.localhost")
        let copyKeys = try Self.topLevelKeys(copied.stdout)
        #expect(copyKeys == copyKeys.sorted() && Set(copyKeys).isSuperset(of: ["elapsed", "name", "source", "ssh", "state"]), "\(copyKeys)")
        let copiedText = try await sim.control("cp url-vm url-copy-two")
        #expect(copiedText.stdout.hasPrefix("Copying url-vm to url-copy-two...\nCreated url-copy-two from url-vm in "), "\(copiedText.stdout)")
        #expect(copiedText.stdout.contains("s\n\nhttp://url-copy-two.exe-sim.localhost\n\nssh -p "), "\(copiedText.stdout)")
        _ = try await sim.control("rm url-vm url-text url-copy url-copy-two --json")
    }

    // execore/ssh_cp_command.go handleCpCommand: the source VM is looked up
    // before the sizes are read and before the new name is checked; with no
    // name given, boxname.Random picks one; the source's route (port and
    // visibility, updateBoxRouteInDB) and comment are copied, its shares not.
    @Test func copyChecksInTheHandlersOrderAndKeepsTheRoute() async throws {
        let sim = try sim
        func error(_ command: String) async throws -> String {
            let output = try await sim.control(command)
            #expect(output.status == 255, "\(command)")
            return output.stdout
        }
        #expect(try await error("cp ghost-src BAD_NAME") == "vm \"ghost-src\" not found\n")
        _ = try await sim.newVM("cp-route", extra: "--comment=kept")
        #expect(try await error("cp cp-route BAD_NAME --memory=x") == "invalid --memory value: invalid size: \"x\"\n")
        #expect(try await error("cp cp-route BAD_NAME") == "invalid name: \(VMNameRules.invalidMessage)\n")
        #expect(try await error("cp cp-route cp-route") == "name \"cp-route\" is not available\n")
        _ = try await sim.control("share port cp-route 8080")
        _ = try await sim.control("share set-public cp-route")
        _ = try await sim.control("share add cp-route friend@example.com")
        let copy = try await sim.json("cp cp-route --json")
        let name = try #require(copy["name"] as? String)
        #expect(name.split(separator: "-").count == 2 && !name.hasPrefix("cp-route"), "\(name)")
        let shown = try await sim.json("share show \(name) --json")
        #expect(shown["status"] as? String == "public" && shown["port"] as? Int == 8080)
        #expect((shown["users"] as? [Any])?.isEmpty ?? true, "\(shown)")
        let listed = try await sim.json("ls \(name) --json")
        #expect((listed["vms"] as? [[String: Any]])?.first?["comment"] as? String == "kept")
        _ = try await sim.control("rm cp-route \(name) --json")
    }
}
