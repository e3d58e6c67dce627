import ExeDeploy
import Testing
@testable import exe_cli

/// The doctor's text report: sections, marks, fixes, and VM output that
/// cannot drive the terminal.
@Suite("doctor text")
struct DoctorReportTextTests {
    @Test("a section heading per section, a mark per check, the fix under a ✗ with whether --fix applies it, and a summary")
    func layout() {
        let report = DoctorReport(
            app: "shop", vm: "shop", pattern: .compose,
            checks: [
                DoctorCheck("vm.status", .vm, "status", .ok, "running"),
                DoctorCheck(
                    "proxy.port", .proxy, "shared port", .failed, "the proxy routes to port 3000",
                    fix: DoctorFix("exe-cli vm share port shop 8080", repair: .sharePort(vm: "shop", port: 8080))),
                DoctorCheck("compose.volumes", .compose, "volumes", .warning, "x", fix: DoctorFix("a config line")),
            ])
        let text = DoctorReportText.render(report)
        #expect(text.hasPrefix("doctor: shop, Pattern B\n\nVM\n  ✓ status"))
        #expect(text.contains("\nproxy\n  ✗ shared port  the proxy routes to port 3000\n      fix: exe-cli vm share port shop 8080   (--fix applies it)\n"))
        #expect(text.contains("      fix: a config line\n"))
        #expect(text.hasSuffix("3 checks: 1 failed, 1 warning, 0 skipped"))
    }

    @Test("escape sequences and other control characters from a container's logs are shown, not sent to the terminal")
    func controlCharacters() {
        let report = DoctorReport(
            app: nil, vm: "shop", pattern: nil,
            checks: [DoctorCheck("container.app", .containers, "app", .failed, "Exited (1)", details: ["\u{1B}]0;owned\u{07}\u{1B}[2Jgone\u{9B}31m\ttab"])])
        let text = DoctorReportText.render(report)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!text.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) })
        #expect(text.contains("| ^[]0;owned^G^[[2Jgone\\u{9B}31m tab"))
    }
}
