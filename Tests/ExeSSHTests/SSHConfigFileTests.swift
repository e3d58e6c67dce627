@testable import ExeSSH
import Testing

@Suite("ssh_config parsing")
struct SSHConfigFileTests {
    let environment = SSHEnvironment(homeDirectory: "/home/ada", userName: "ada", agentSocket: nil)

    @Test("Host patterns, first value wins, identity files accumulate")
    func basics() {
        let config = SSHConfigFile.parse(
            """
            # exe.dev
            Host exe.dev
                User ada-exe
                IdentityFile ~/.ssh/exe_ed25519
                StrictHostKeyChecking yes

            Host *.exe.xyz !secret.exe.xyz
                HostKeyAlias exe.dev
                User exedev
                Port 2222
                IdentityFile %d/.ssh/vm_%h
                UserKnownHostsFile ~/.ssh/exe_known_hosts
                StrictHostKeyChecking accept-new

            Host *
                User fallback
                Port=22
                IdentityFile "~/.ssh/id with space"
            """, environment: environment)

        let lobby = config.settings(for: "exe.dev")
        #expect(lobby.user == "ada-exe")
        #expect(lobby.port == 22)
        #expect(lobby.identityFiles == ["/home/ada/.ssh/exe_ed25519", "/home/ada/.ssh/id with space"])
        #expect(lobby.strictHostKeyChecking == .strict)

        let vm = config.settings(for: "maple-dune.exe.xyz")
        #expect(vm.user == "exedev")
        #expect(vm.port == 2222)
        #expect(vm.identityFiles.first == "/home/ada/.ssh/vm_maple-dune.exe.xyz")
        #expect(vm.userKnownHostsFiles == ["/home/ada/.ssh/exe_known_hosts"])
        #expect(vm.strictHostKeyChecking == .acceptNew)
        #expect(vm.hostKeyAlias == "exe.dev")
        #expect(lobby.hostKeyAlias == nil)
        var applied = SSHClientConfiguration()
        applied.apply(vm)
        #expect(applied.hostKeyAlias == "exe.dev")
        #expect(vm.destination(for: "maple-dune.exe.xyz", environment: environment) == SSHDestination(host: "maple-dune.exe.xyz", port: 2222, user: "exedev"))

        let negated = config.settings(for: "secret.exe.xyz")
        #expect(negated.user == "fallback")
        #expect(negated.port == 22)
    }

    @Test("HostName with %h, Match blocks skipped, StrictHostKeyChecking no maps to accept-new")
    func hostNameAndMatch() {
        let config = SSHConfigFile.parse(
            """
            Host box
              HostName %h.internal.example
            Match host box exec "true"
              User should-not-apply
            Host box
              User real
              StrictHostKeyChecking no
            """, environment: environment)
        let settings = config.settings(for: "box")
        #expect(settings.hostName == "box.internal.example")
        #expect(settings.user == "real")
        #expect(settings.strictHostKeyChecking == .acceptNew)
    }

    @Test("ConnectTimeout: whole seconds, first value wins; 0, none and junk leave the default")
    func connectTimeout() {
        let config = SSHConfigFile.parse(
            """
            Host slow
              ConnectTimeout 30
            Host zero
              ConnectTimeout 0
            Host none
              ConnectTimeout none
            Host junk
              ConnectTimeout 5s
            Host *
              ConnectTimeout 7
            """, environment: environment)
        #expect(config.settings(for: "slow").connectTimeout == .seconds(30))
        #expect(config.settings(for: "other").connectTimeout == .seconds(7))
        // An unusable first value still claims the keyword (ssh_config's first-wins), so the default stays.
        for host in ["zero", "none", "junk"] { #expect(config.settings(for: host).connectTimeout == nil, "\(host)") }
        var applied = SSHClientConfiguration()
        applied.apply(config.settings(for: "slow"))
        #expect(applied.connectTimeout == .seconds(30))
        applied.apply(config.settings(for: "zero"))
        #expect(applied.connectTimeout == .seconds(30))
    }

    @Test("tokenizer handles key=value, quotes and comments")
    func tokenizer() {
        #expect(SSHConfigFile.tokenize("Port=2222") == ["Port", "2222"])
        #expect(SSHConfigFile.tokenize("  IdentityFile \"a b\"  # comment") == ["IdentityFile", "a b"])
        #expect(SSHConfigFile.tokenize("# only a comment").isEmpty)
    }
}

@Suite("Destinations")
struct SSHDestinationTests {
    @Test("parses user, host, port and IPv6 forms", arguments: [
        ("exe.dev", SSHDestination(host: "exe.dev", port: 22, user: "me")),
        ("ada@exe.dev", SSHDestination(host: "exe.dev", port: 22, user: "ada")),
        ("127.0.0.1:2222", SSHDestination(host: "127.0.0.1", port: 2222, user: "me")),
        ("vm+bloggy@vm.exe.xyz", SSHDestination(host: "vm.exe.xyz", port: 22, user: "vm+bloggy")),
        ("[::1]:2200", SSHDestination(host: "::1", port: 2200, user: "me")),
        ("root@[fe80::1%eth0]:22", SSHDestination(host: "fe80::1%eth0", port: 22, user: "root")),
        ("::1", SSHDestination(host: "::1", port: 22, user: "me")),
    ])
    func parse(text: String, expected: SSHDestination) throws {
        #expect(try SSHDestination.parse(text, defaultUser: "me") == expected)
    }

    @Test("rejects option-looking hosts, bad ports and junk", arguments: ["-oProxyCommand=sh", "host:0", "host:70000", "host:abc", "", "a b", "ada@", "[::1"])
    func reject(text: String) {
        #expect(throws: SSHError.self) { try SSHDestination.parse(text, defaultUser: "me") }
    }

    @Test("known_hosts names")
    func knownHostsName() {
        #expect(SSHDestination(host: "exe.dev", user: "x").knownHostsName == "exe.dev")
        #expect(SSHDestination(host: "127.0.0.1", port: 2222, user: "x").knownHostsName == "[127.0.0.1]:2222")
    }
}

@Suite("known_hosts parsing")
struct KnownHostsFileTests {
    @Test("patterns, negation, wildcards and bad lines")
    func patterns() {
        let key = "AAAAC3NzaC1lZDI1NTE5AAAAIE7CQnRrHk6SVJdSKBRHEXAMPLEKEYEXAMPLEKEYEXAM"
        let file = KnownHostsFile.parse(
            """
            # comment
            exe.dev,*.exe.xyz,!evil.exe.xyz ssh-ed25519 \(key)
            [127.0.0.1]:2222 ecdsa-sha2-nistp256 \(key)
            not a valid line
            host-only-two-fields ssh-ed25519
            """, path: "test")
        #expect(file.entries.count == 2)
        #expect(file.skippedLines == [4, 5])
        #expect(file.entries(for: "exe.dev").count == 1)
        #expect(file.entries(for: "maple-dune.exe.xyz").count == 1)
        #expect(file.entries(for: "evil.exe.xyz").isEmpty)
        #expect(file.entries(for: "[127.0.0.1]:2222").first?.key.type == "ecdsa-sha2-nistp256")
        #expect(file.entries(for: "127.0.0.1").isEmpty)
    }

    @Test("wildcard matching")
    func wildcard() {
        #expect(WildcardPattern.matches("*.exe.xyz", "a.exe.xyz"))
        #expect(!WildcardPattern.matches("*.exe.xyz", "exe.xyz"))
        #expect(WildcardPattern.matches("h?st", "host"))
        #expect(WildcardPattern.matches("*", ""))
        #expect(!WildcardPattern.matches("a*b", "acbd"))
    }
}
