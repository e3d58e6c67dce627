@testable import ExeLease
import Testing

@Suite("The command printed when a VM must be removed by hand")
struct ManualRemovalCommandTests {
    @Test("exe.dev needs no flags; another host gets --control-host and ssh -p")
    func forms() {
        #expect(Leases.manualRemovalCommand(vmName: "exe-a-b", controlHost: "exe.dev") == "exe-cli vm rm exe-a-b  (or: ssh exe.dev rm exe-a-b)")
        #expect(
            Leases.manualRemovalCommand(vmName: "exe-a-b", controlHost: "127.0.0.1:2222")
                == "exe-cli vm rm exe-a-b --control-host 127.0.0.1:2222  (or: ssh -p 2222 127.0.0.1 rm exe-a-b)")
    }

    @Test("control hosts compare without case or the default port")
    func sameHost() {
        #expect(Leases.normalizedControlHost("EXE.dev:22") == Leases.normalizedControlHost("exe.dev"))
        #expect(Leases.normalizedControlHost("127.0.0.1:2222") != Leases.normalizedControlHost("127.0.0.1"))
    }
}
