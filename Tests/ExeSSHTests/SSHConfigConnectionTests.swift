import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Connecting through an ssh_config file")
struct SSHConfigConnectionTests {
    @Test("HostName, Port, User, IdentityFile and UserKnownHostsFile from a file on disk")
    func connectsThroughConfigFile() async throws {
        try await withServer { server in
            let environment = SSHEnvironment(homeDirectory: server.directory.path, userName: "not-the-login-user", agentSocket: nil)
            try FileManager.default.createDirectory(atPath: server.directory.file("keys"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: server.clientKey.privatePath, toPath: server.directory.file("keys/vm_key"))
            try FileManager.default.copyItem(atPath: server.knownHostsPath, toPath: server.directory.file("keys/vm_known_hosts"))
            let path = try server.directory.write(
                "ssh_config",
                """
                Host other
                  Port 1
                Host my-vm
                  HostName 127.0.0.1
                  Port \(server.port)
                  User \(server.user)
                  IdentityFile ~/keys/vm_key
                  UserKnownHostsFile ~/keys/vm_known_hosts
                  StrictHostKeyChecking yes
                """)
            let settings = SSHConfigFile.load(path: path, environment: environment).settings(for: "my-vm")
            var configuration = SSHClientConfiguration()
            configuration.environment = environment
            configuration.useAgent = false
            configuration.useDefaultIdentities = false
            configuration.knownHostsFiles = []
            configuration.hostKeyPolicy = .insecureAcceptAny
            configuration.warningHandler = { _ in }
            configuration.apply(settings)
            #expect(configuration.hostKeyPolicy == .strict)
            let destination = settings.destination(for: "my-vm", environment: environment)
            #expect(destination == server.sshDestination)
            let connection = try await SSHConnection.connect(to: destination, configuration: configuration)
            #expect(try await connection.run("echo configured").stdout == "configured\n")
            await connection.close()
        }
    }
}
