import Foundation

/// A loopback OpenSSH sshd whose forced command is a shell script standing
/// in for exe.dev's control plane: it splits the command line the way a POSIX
/// shell does and prints canned output per command. For transport and CLI
/// tests that need a real SSH server but not the simulator.
///
/// Commands: `echo` prints its argv (NUL-separated, base64) as
/// `{"argv":"..."}`; `ls` one VM (or what ``setListOutput(_:)`` wrote); `sleepy` sleeps two seconds; `ssh-key` reads
/// stdin to EOF; `restart X` and `rm X` fail with `VM "X" not found` (rm with
/// exit 0 and a summary, like the real one); `whoami` fails with a plain-text
/// flag error; anything else is `command not found`.
public final class ScriptedControlPlane: @unchecked Sendable {
    /// The sshd.
    public let server: LoopbackSSHServer
    private let scratch: TemporaryDirectory

    static let script = #"""
        #!/bin/sh
        eval "set -- $SSH_ORIGINAL_COMMAND"
        case "$1" in
          echo) printf '{"argv":"%s"}\n' "$(printf '%s\0' "$@" | base64 -w0)" ;;
          ls) if [ -f "$(dirname "$0")/vms.json" ]; then cat "$(dirname "$0")/vms.json"; else
                echo '{"vms":[{"vm_name":"a-box","ssh_dest":"a-box.exe.xyz","status":"running","region":"lax","tags":["prod"],"new_key":1}]}'; fi ;;
          sleepy) sleep 2; echo '{"vms":[]}' ;;
          ssh-key) cat >/dev/null; echo '{"public_key":"ssh-ed25519 AAAA","status":"added","name":"key-2"}' ;;
          restart) printf '{"error":"VM \\"%s\\" not found"}\n' "$2"; exit 1 ;;
          rm) printf '{"error":"VM \\"%s\\" not found"}\n{"deleted":[],"failed":["%s"]}\n' "$2" "$2" ;;
          whoami) echo 'flag parsing error: flag provided but not defined: -bogus'; exit 1 ;;
          *) printf 'exe.dev repl: command not found: "%s"\n' "$1"; exit 1 ;;
        esac
        """#

    private init(server: LoopbackSSHServer, scratch: TemporaryDirectory) {
        self.server = server
        self.scratch = scratch
    }

    /// Writes the script and starts sshd with it as the forced command.
    public static func start() async throws -> ScriptedControlPlane {
        let scratch = try TemporaryDirectory(prefix: "exe-control-plane")
        do {
            let path = try scratch.write("control.sh", script, mode: 0o755)
            // Run through /bin/sh rather than exec'ing the script: a process
            // spawned elsewhere in the test run while the script was being
            // written may still hold it open, and exec would fail with ETXTBSY.
            let server = try await LoopbackSSHServer.start(.init(maxSessions: 10, extraConfig: ["ForceCommand /bin/sh \(path)"]))
            return ScriptedControlPlane(server: server, scratch: scratch)
        } catch {
            scratch.remove()
            throw error
        }
    }

    /// Makes `ls` print `json` from now on.
    public func setListOutput(_ json: String) throws {
        try scratch.write("vms.json", json + "\n")
    }

    /// `127.0.0.1:<port>`.
    public var hostAndPort: String { "127.0.0.1:\(server.port)" }

    /// Stops sshd and removes every file.
    public func stop() {
        ConnectionHolderProcesses.stop(under: server.directory.path)
        server.cleanUp()
        scratch.remove()
    }
}
