import ArgumentParser
import Testing
@testable import exe_sim

/// exe-sim's forced commands skip swift-argument-parser: the shapes it
/// recognises must mean what the parser would make of them, and every
/// other shape must still reach the parser (help, errors, other verbs).
@Suite("exe-sim's forced command lines")
struct ForcedCommandTests {
    @Test("the command lines exe-sim writes are recognised as the parser reads them")
    func recognisesWhatExeSimWrites() throws {
        let cases: [([String], ForcedCommand)] = [
            (["control", "--state", "/s t"], .control(state: "/s t", https: false, fingerprint: nil)),
            (["control", "--state", "/s", "--https", "--fingerprint", "SHA256:x"], .control(state: "/s", https: true, fingerprint: "SHA256:x")),
            (["control", "--https", "--state", "/s"], .control(state: "/s", https: true, fingerprint: nil)),
            (["vm-exec", "--state", "/s", "--vm", "vm0001"], .vmExec(state: "/s", vm: "vm0001")),
            (["vm-exec", "--vm", "vm0001", "--state", "/s"], .vmExec(state: "/s", vm: "vm0001")),
            (["docker-shim", "compose", "-f", "x.yaml", "up", "-d"], .dockerShim(arguments: ["compose", "-f", "x.yaml", "up", "-d"])),
            (["docker-shim", "--help"], .dockerShim(arguments: ["--help"])),
            (["docker-shim"], .dockerShim(arguments: [])),
        ]
        for (arguments, expected) in cases {
            #expect(ForcedCommand(arguments: arguments) == expected, "\(arguments)")
        }
        // The parser agrees on the control and vm-exec shapes.
        let control = try #require(try ExeSimCommand.parseAsRoot(["control", "--state", "/s", "--https", "--fingerprint", "F"]) as? Control)
        #expect(control.stateOption.state == "/s" && control.https && control.fingerprint == "F")
        let vmExec = try #require(try ExeSimCommand.parseAsRoot(["vm-exec", "--vm", "vm0001", "--state", "/s"]) as? VMExec)
        #expect(vmExec.stateOption.state == "/s" && vmExec.vm == "vm0001")
    }

    @Test("anything else goes to the parser: help, missing or unknown options, repeats, other verbs")
    func leavesEverythingElseToTheParser() {
        let others: [[String]] = [
            [], ["--help"], ["control"], ["control", "--help"], ["control", "--state"], ["control", "--state", "/s", "--help"],
            ["control", "--state", "/s", "--state", "/t"], ["control", "--state", "/s", "--https", "--https"],
            ["control", "--state", "/s", "--vm", "x"], ["control", "--state", "/s", "extra"],
            ["vm-exec", "--state", "/s"], ["vm-exec", "--state", "/s", "--vm", "x", "--https"], ["vm-exec", "--vm", "x", "-h"],
            ["up", "--state", "/s"], ["down", "--state", "/s"], ["status", "--state", "/s"], ["serve", "--state", "/s"],
            ["vm-network", "--state", "/s", "--vm", "x", "--ssh-port", "1", "--pid-file", "p"],
        ]
        for arguments in others {
            #expect(ForcedCommand(arguments: arguments) == nil, "\(arguments)")
        }
    }
}
