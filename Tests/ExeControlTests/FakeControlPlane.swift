import ExeControl
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation

/// A loopback OpenSSH sshd whose forced command is a shell script standing
/// in for exe.dev's control plane: it splits the command line the way a POSIX
/// shell does and prints canned output per command.
struct FakeControlPlane {
    let server: LoopbackSSHServer
    let scratch: TemporaryDirectory

    /// The script. `echo` prints its argv (NUL-separated, base64) so tests
    /// can compare what arrived with what was sent.
    static let script = #"""
        #!/bin/sh
        eval "set -- $SSH_ORIGINAL_COMMAND"
        case "$1" in
          echo) printf '{"argv":"%s"}\n' "$(printf '%s\0' "$@" | base64 -w0)" ;;
          ls) echo '{"vms":[{"vm_name":"a-box","ssh_dest":"a-box.exe.xyz","status":"running","new_key":1}]}' ;;
          sleepy) sleep 1; echo '{"vms":[]}' ;;
          ssh-key) cat >/dev/null; echo '{"public_key":"ssh-ed25519 AAAA","status":"added","name":"key-2"}' ;;
          restart) printf '{"error":"VM \\"%s\\" not found"}\n' "$2"; exit 1 ;;
          rm) printf '{"error":"VM \\"%s\\" not found"}\n{"deleted":[],"failed":["%s"]}\n' "$2" "$2" ;;
          whoami) echo 'flag parsing error: flag provided but not defined: -bogus'; exit 1 ;;
          *) printf 'exe.dev repl: command not found: "%s"\n' "$1"; exit 1 ;;
        esac
        """#

    static func start() async throws -> FakeControlPlane {
        let scratch = try TemporaryDirectory(prefix: "exe-control-plane")
        let path = try scratch.write("control.sh", script, mode: 0o755)
        let server: LoopbackSSHServer
        do {
            server = try await LoopbackSSHServer.start(.init(maxSessions: 10, extraConfig: ["ForceCommand \(path)"]))
        } catch {
            scratch.remove()
            throw error
        }
        return FakeControlPlane(server: server, scratch: scratch)
    }

    var destination: SSHDestination { SSHDestination(host: "127.0.0.1", port: server.port, user: server.user) }

    func sshConfiguration(knownHosts: [String]? = nil, identity: String? = nil) -> SSHClientConfiguration {
        var configuration = SSHClientConfiguration()
        configuration.environment = SSHEnvironment(homeDirectory: server.directory.path, userName: server.user, agentSocket: nil)
        configuration.identityFiles = [identity ?? server.clientKey.privatePath]
        configuration.useDefaultIdentities = false
        configuration.useAgent = false
        configuration.knownHostsFiles = knownHosts ?? [server.knownHostsPath]
        configuration.connectTimeout = .seconds(5)
        configuration.handshakeTimeout = .seconds(5)
        configuration.warningHandler = { _ in }
        return configuration
    }

    func client(knownHosts: [String]? = nil, identity: String? = nil) -> (ControlClient, SSHControlTransport) {
        let transport = SSHControlTransport(
            configuration: .init(destination: destination, ssh: sshConfiguration(knownHosts: knownHosts, identity: identity), commandTimeout: .seconds(20)))
        return (ControlClient(transport: transport), transport)
    }

    func stop() {
        server.cleanUp()
        scratch.remove()
    }
}

/// Runs `body` against a fresh fake control plane and always stops it.
func withControlPlane<T>(_ body: (FakeControlPlane) async throws -> T) async throws -> T {
    let plane = try await FakeControlPlane.start()
    do {
        let result = try await body(plane)
        plane.stop()
        return result
    } catch {
        plane.stop()
        throw error
    }
}
