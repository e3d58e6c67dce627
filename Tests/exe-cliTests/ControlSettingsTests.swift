import ArgumentParser
import ExeControl
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing
@testable import exe_cli

@Suite("Global options and environment variables")
struct ControlSettingsTests {
    func settings(_ arguments: [String], _ variables: [String: String] = [:], home: String = "/nonexistent-home") throws -> ControlSettings {
        let options = try GlobalOptions.parse(arguments)
        return try ControlSettings(options, environment: .test(variables, home: home, console: CapturedConsole()))
    }

    @Test("defaults: ssh to exe.dev, strict host keys, https://exe.dev/exec")
    func defaults() throws {
        let settings = try settings([])
        #expect(settings.transport == .ssh)
        #expect(settings.controlHost == "exe.dev")
        #expect(settings.hostKeyPolicy == nil)
        #expect(settings.apiURL.absoluteString == "https://exe.dev/exec")
        #expect(settings.token == nil)
        #expect(!settings.json)
    }

    @Test("each option has an environment variable; the option wins")
    func environmentVariables() throws {
        let variables = [
            "EXE_CONTROL_HOST": "127.0.0.1:2222", "EXE_IDENTITY": "/keys/id", "EXE_KNOWN_HOSTS": "/kh", "EXE_HOST_KEY_POLICY": "accept-new",
            "EXE_TRANSPORT": "https", "EXE_API_URL": "http://127.0.0.1:9/exec", "EXE_API_TOKEN": "exe1.SECRETSECRET", "EXE_JSON": "1",
        ]
        let fromEnvironment = try settings([], variables)
        #expect(fromEnvironment.controlHost == "127.0.0.1:2222")
        #expect(fromEnvironment.identity == "/keys/id")
        #expect(fromEnvironment.knownHosts == "/kh")
        #expect(fromEnvironment.hostKeyPolicy == .acceptNew)
        #expect(fromEnvironment.transport == .https)
        #expect(fromEnvironment.apiURL.absoluteString == "http://127.0.0.1:9/exec")
        #expect(fromEnvironment.token?.reveal() == "exe1.SECRETSECRET")
        #expect(fromEnvironment.json)
        let overridden = try settings(["--control-host", "other.example", "--transport", "ssh", "--host-key-policy", "strict"], variables)
        #expect(overridden.controlHost == "other.example")
        #expect(overridden.transport == .ssh)
        #expect(overridden.hostKeyPolicy == .strict)
    }

    @Test("HTTPS retries a 429 by default (Retry-After, at most 10 s each, 30 s in all); --rate-limit-retries or the variable changes it, 0 turns it off")
    func rateLimitRetry() async throws {
        let standard = try #require(try settings([]).rateLimitRetry)
        #expect(standard.maxRetries == 3)
        #expect(standard.maxWait == .seconds(10))
        #expect(standard.maxTotalWait == .seconds(30))
        #expect(try settings([], ["EXE_RATE_LIMIT_RETRIES": "5"]).rateLimitRetry?.maxRetries == 5)
        #expect(try settings(["--rate-limit-retries", "1"], ["EXE_RATE_LIMIT_RETRIES": "5"]).rateLimitRetry?.maxRetries == 1)
        #expect(try settings(["--rate-limit-retries", "0"]).rateLimitRetry == nil)
        #expect(try settings([], ["EXE_RATE_LIMIT_RETRIES": "0"]).rateLimitRetry == nil)
        #expect(throws: CLIUsageError.self) { try settings([], ["EXE_RATE_LIMIT_RETRIES": "lots"]) }
        #expect(throws: CLIUsageError.self) { try settings([], ["EXE_RATE_LIMIT_RETRIES": "-1"]) }

        // The HTTPS client the CLI builds carries the policy.
        let https = try settings(["--transport", "https", "--api-url", "http://127.0.0.1:9/exec"], ["EXE_API_TOKEN": "exe1.SECRETSECRET"])
        let client = try https.makeClient(environment: .test(console: CapturedConsole()))
        let transport = try #require(client.transport as? HTTPSControlTransport)
        #expect(transport.configuration.rateLimitRetry?.maxRetries == 3)
        #expect(transport.configuration.rateLimitRetry?.maxTotalWait == .seconds(30))
        await client.close()
    }

    @Test("bad values in variables are usage errors")
    func badVariables() {
        #expect(throws: CLIUsageError.self) { try settings([], ["EXE_TRANSPORT": "carrier-pigeon"]) }
        #expect(throws: CLIUsageError.self) { try settings([], ["EXE_HOST_KEY_POLICY": "yolo"]) }
        #expect(throws: CLIUsageError.self) { try settings([], ["EXE_API_URL": "not a url"]) }
    }

    @Test("the control host honours ~/.ssh/config; an explicit port wins")
    func sshConfig() throws {
        let home = try TemporaryDirectory(prefix: "exe-cli-home")
        defer { home.remove() }
        try home.write(".ssh/config", "Host exe.dev\n  HostName 127.0.0.1\n  Port 2200\n  User bob\n  IdentityFile ~/.ssh/exe_key\n")
        let environment = CLIEnvironment.test(home: home.path, console: CapturedConsole())
        let plain = try settings([], home: home.path)
        let (destination, configuration) = try plain.controlPlaneSSH(environment: environment)
        #expect(destination == SSHDestination(host: "127.0.0.1", port: 2200, user: "bob"))
        #expect(configuration.identityFiles.first == home.path + "/.ssh/exe_key")
        #expect(configuration.knownHostsWriteFile == home.path + "/.local/state/exe/known_hosts")

        let explicit = try settings(["--control-host", "exe.dev:2300", "--identity", "~/id", "--known-hosts", "/tmp/kh"], home: home.path)
        let (other, otherConfiguration) = try explicit.controlPlaneSSH(environment: environment)
        #expect(other.port == 2300 && other.host == "127.0.0.1")
        #expect(otherConfiguration.identityFiles.first == home.path + "/id")
        #expect(otherConfiguration.knownHostsFiles.first == "/tmp/kh")
        #expect(otherConfiguration.knownHostsWriteFile == "/tmp/kh")
    }

    // exe.dev's VMs present exe.dev's own host key (bin/exe-ssh-config-generator
    // writes `HostKeyAlias exe.dev` for them): a VM is checked under the control
    // host's known_hosts name unless ~/.ssh/config names another alias.
    @Test("VM connections check the host key under the control host's name, or ssh_config's HostKeyAlias")
    func vmHostKeyAlias() throws {
        let home = try TemporaryDirectory(prefix: "exe-cli-home")
        defer { home.remove() }
        try home.write(".ssh/config", "Host special.exe.xyz\n  HostKeyAlias my-alias\n")
        let environment = CLIEnvironment.test(home: home.path, console: CapturedConsole())
        let production = try settings([], home: home.path)
        #expect(production.vmSSHConfiguration(host: "maple-dune.exe.xyz", environment: environment).hostKeyAlias == "exe.dev")
        #expect(production.vmSSHConfiguration(host: "special.exe.xyz", environment: environment).hostKeyAlias == "my-alias")
        let local = try settings(["--control-host", "127.0.0.1:2300"], home: home.path)
        #expect(local.vmSSHConfiguration(host: "127.0.0.1", environment: environment).hostKeyAlias == "[127.0.0.1]:2300")
    }

    @Test("https without a token is an authentication error, exit 4")
    func httpsNeedsToken() async throws {
        let console = CapturedConsole()
        let options = try GlobalOptions.parse(["--transport", "https"])
        await #expect(throws: CLIExit.self) {
            try await CommandSession.run(options, environment: .test(console: console)) { _ in }
        }
        do {
            try await CommandSession.run(options, environment: .test(console: console)) { _ in }
        } catch let exit as CLIExit {
            #expect(exit.status == 4)
        }
        #expect(console.stderr.hasPrefix("error: the https transport needs a token"))
    }
}
