import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// A DNS server that never answers holds `getaddrinfo` for as long as the
/// resolver configuration says (here 2 tries of 5 s: 10 s), and OpenSSH's
/// `ConnectTimeout` does not bound it. exe-cli's connect deadline covers the
/// lookup too. The test runs exe-cli in a network and mount namespace of its
/// own, whose only DNS server is a UDP socket on its loopback that reads
/// queries and never answers; no packet leaves the namespace.
@Suite("A name lookup under the connect deadline", .enabled(if: getuid() == 0, "needs root for unshare --net --mount"))
struct NameLookupDeadlineTests {
    @Test("exe-cli gives up on an unanswered DNS lookup at ssh_config's ConnectTimeout, with the host in the error and exit 5")
    func lookupEndsAtTheConnectDeadline() async throws {
        let binary = try #require(CLIProcessTests.binary, "exe-cli is not built")
        let directory = try TemporaryDirectory(prefix: "exe-dns")
        defer { directory.remove() }
        try directory.write("resolv.conf", "nameserver 127.0.0.1\noptions timeout:5 attempts:2\n")
        try FileManager.default.createDirectory(atPath: directory.file("home/.ssh"), withIntermediateDirectories: true)
        try directory.write("home/.ssh/config", "Host *.unanswered.test\n  ConnectTimeout 2\n")
        let silentServer = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 53))
            print("ready", flush=True)
            while True:
                s.recvfrom(4096)
                print("query", flush=True)
            """
        try directory.write("silent-dns.py", silentServer)
        // $1: the directory; the rest: exe-cli and its arguments.
        let script = """
            set -e
            d=$1; shift
            ip link set lo up
            mount --bind "$d/resolv.conf" /etc/resolv.conf
            python3 "$d/silent-dns.py" > "$d/dns.log" &
            dns=$!
            trap 'kill $dns' EXIT
            i=0
            until grep -q ready "$d/dns.log"; do i=$((i+1)); [ $i -lt 600 ] || exit 90; sleep 0.05; done
            set +e
            "$@"
            echo "exe-cli exit $?" >&2
            """
        let environment = [
            "HOME": directory.file("home"), "USER": "tester", "SSH_AUTH_SOCK": "", "EXE_PERSIST": "0",
            "EXE_CONTROL_HOST": "control.unanswered.test", "EXE_KNOWN_HOSTS": directory.file("known_hosts"),
            "EXE_TRANSPORT": "", "EXE_API_TOKEN": "", "XDG_RUNTIME_DIR": directory.file("run"),
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        let started = ContinuousClock.now
        let output = try await LocalProcessRunner().run(ProcessInvocation(
            "unshare", ["--net", "--mount", "sh", "-c", script, "sh", directory.path, binary, "vm", "ls"],
            environment: environment, timeout: .seconds(60)))
        let elapsed = ContinuousClock.now - started

        #expect(output.stderr.contains("exe-cli exit 5"), "\(output.stderr)")
        #expect(output.stderr.contains("looking up control.unanswered.test took longer than 2 s"), "\(output.stderr)")
        // The lookup really went to the silent server (it is not a fast failure).
        let log = try String(contentsOfFile: directory.file("dns.log"), encoding: .utf8)
        #expect(log.contains("query"), "\(log)")
        // The resolver alone would take 10 s; the deadline is 2 s (plus starting the namespace, python and exe-cli).
        #expect(elapsed >= .seconds(2))
        #expect(elapsed < .seconds(8), "took \(elapsed)")
    }
}
