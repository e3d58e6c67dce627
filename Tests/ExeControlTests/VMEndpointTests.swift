import ExeControl
import ExeSSH
import Testing

@Suite("VM endpoints")
struct VMEndpointTests {
    @Test("ssh_host and ssh_user win")
    func hostAndUser() {
        let destination = VMEndpoint.destination(
            name: "legacy", sshHost: "vm.exe.xyz", sshUser: "vm+legacy", sshDestination: "vm+legacy@vm.exe.xyz", sshPort: nil,
            defaultUser: "me")
        #expect(destination == SSHDestination(host: "vm.exe.xyz", port: 22, user: "vm+legacy"))
    }

    @Test("ssh_dest is split at the last @")
    func splitDestination() {
        let destination = VMEndpoint.destination(
            name: "legacy", sshHost: nil, sshUser: nil, sshDestination: "vm+le@gacy@vm.exe.xyz", sshPort: 2222, defaultUser: "me")
        #expect(destination == SSHDestination(host: "vm.exe.xyz", port: 2222, user: "vm+le@gacy"))
        let plain = VMEndpoint.destination(name: "bloggy", sshHost: nil, sshUser: nil, sshDestination: "bloggy.exe.xyz", sshPort: nil, defaultUser: "me")
        #expect(plain == SSHDestination(host: "bloggy.exe.xyz", port: 22, user: "me"))
    }

    @Test("falls back to <name>.exe.xyz (or another box domain), port 22")
    func fallback() {
        #expect(
            VMEndpoint.destination(name: "bloggy", sshHost: nil, sshUser: nil, sshDestination: nil, sshPort: nil, defaultUser: "me")
                == SSHDestination(host: "bloggy.exe.xyz", port: 22, user: "me"))
        #expect(
            VMEndpoint.destination(name: "bloggy", sshHost: "", sshUser: "", sshDestination: "", sshPort: 0, defaultUser: "me", boxDomain: "exe-staging.xyz")
                == SSHDestination(host: "bloggy.exe-staging.xyz", port: 22, user: "me"))
    }

    @Test("the simulator's loopback VMs")
    func simulator() {
        var vm = VM(name: "sim-box", sshDestination: "tester@127.0.0.1", sshHost: "127.0.0.1", sshUser: "tester", sshPort: 40222)
        #expect(vm.sshDestination(defaultUser: "me") == SSHDestination(host: "127.0.0.1", port: 40222, user: "tester"))
        vm.sshHost = nil
        vm.sshUser = nil
        #expect(vm.sshDestination(defaultUser: "me") == SSHDestination(host: "127.0.0.1", port: 40222, user: "tester"))
    }
}
