public import Foundation
import ExeControl
import ExeDeploy
import ExeLease
import ExeSSH
import ExeSim
import ExeSystem
import ExeYAML

#if canImport(Glibc)
    import Glibc
#endif

/// One parser of input that exe does not control, as a function of bytes
/// that must return (with a value or a typed error) for any input: a trap
/// is a bug. Used by the libFuzzer entry (`Fuzz/build.sh`) and by the
/// seeded random-and-mutation run in the test suite.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// exe-sim's HTTP/1.1 request reader (`POST /exec`), over a socket pair.
    case httpRequest = "http-request"
    /// exe-sim's HTTP/1.1 response reader (its loopback client).
    case httpResponse = "http-response"
    /// The client's HTTP/1.1 response reader (`ExeSystem.HTTPExchange`:
    /// `/exec`, health checks), body and trailers read to the end.
    case clientHTTPResponse = "client-http-response"
    /// exe-sim's control command-line splitter (the SSH exec line).
    case controlCommandLine = "control-command-line"
    /// exe-sim's Go `flag` parser, after the splitter.
    case goFlags = "go-flags"
    /// The client's `known_hosts` parser and host matcher.
    case knownHosts = "known-hosts"
    /// The client's `ssh_config` parser.
    case sshConfig = "ssh-config"
    /// The JSON value stream splitter and the response interpreter.
    case controlResponse = "control-response"
    /// The response models (`ls --json`, `whoami --json`, ...).
    case responseModels = "response-models"
    /// Durations (`--ttl`, `EXE_LEASE_IDLE_TIMEOUT`, `health.timeout`) and sizes (`--memory`).
    case durationAndSize = "duration-and-size"
    /// `exe.deploy.yaml`.
    case deployConfiguration = "deploy-configuration"
    /// `.exe.yaml` and `~/.config/exe/config.yaml` (`lease:`).
    case leaseConfiguration = "lease-configuration"
    /// Compose files, as exe-sim's docker shim and exe-cli read them.
    case composeFile = "compose-file"
    /// The bounded YAML loader under all of the above.
    case yaml
    /// The sync manifest a VM sends back.
    case syncManifest = "sync-manifest"
    /// Tar headers for work-tree file names, sizes and modes.
    case tarHeader = "tar-header"
    /// `ssh-key generate-api-key --exp` in exe-sim.
    case apiKeyExpiry = "api-key-expiry"

    /// Runs the parser on `data`. Returns normally for every input.
    public func run(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        switch self {
        case .httpRequest:
            _ = SocketPairFeed.feed(data) { fd in
                try? HTTPReader(fd: fd, deadline: .now + .seconds(2)).readRequest(bodyLimit: 64 * 1024)
            }
        case .httpResponse:
            _ = SocketPairFeed.feed(data) { fd in
                try? HTTPReader(fd: fd, deadline: .now + .seconds(2)).readResponse(limit: 64 * 1024)
            }
        case .clientHTTPResponse:
            _ = SocketPairFeed.feed(data) { fd in
                let stream = TCPStream.adopting(dup(fd), address: NetworkAddress(host: "fuzz", port: 1))
                let deadline = ContinuousClock.now + .seconds(2)
                guard let exchange = try? HTTPExchange.reading(from: stream, method: "POST", peer: "fuzz", deadline: deadline) else { return }
                var total = 0
                while total < 1 << 20, let piece = try? exchange.nextBodyPiece(deadline: deadline) { total += piece.count }
                _ = exchange.trailers.value(named: "X-Exe-Exit")
                exchange.close()
            }
        case .controlCommandLine:
            _ = try? ShellWords.split(text)
            _ = GoFlagParser.reorder(text.split(separator: " ").map(String.init))
        case .goFlags:
            let words = (try? ShellWords.split(text)) ?? text.split(separator: " ").map(String.init)
            let flags = [
                GoFlag("json", .bool(default: false), ""), GoFlag("name", .string(default: ""), ""), GoFlag("exp", .string(default: ""), ""),
                GoFlag("env", .list, ""), GoFlag("count", .int(default: 0), ""), GoFlag("disk", .uint(default: 0), ""),
            ]
            if let parsed = try? GoFlagParser.parse(GoFlagParser.reorder(words), flags: flags), let exp = parsed.string("exp") {
                _ = APIToken.expiry(exp)
            }
            _ = SizeArgument.parseSize(text)
        case .knownHosts:
            let file = KnownHostsFile.parse(text, path: "fuzz")
            _ = file.entries(for: "exe.dev")
            _ = file.entries(for: "[127.0.0.1]:2222")
        case .sshConfig:
            let settings = SSHConfigFile.parse(text, environment: Self.sshEnvironment).settings(for: "exe.dev")
            _ = settings.destination(for: "exe.dev", environment: Self.sshEnvironment)
        case .controlResponse:
            _ = JSONValueStream.split(data)
            let request = ExeControl.ControlRequest(["ls"])
            for completion: ExeControl.ControlResponse.Completion in [.exitStatus(0), .exitStatus(1), .http(status: 422, retryAfter: nil)] {
                _ = try? ResponseInterpreter.interpret(ExeControl.ControlResponse(output: data, completion: completion), for: request, appendedJSONFlag: true)
            }
        case .responseModels:
            let decoder = JSONDecoder()
            _ = try? decoder.decode(VMList.self, from: data)
            _ = try? decoder.decode(VM.self, from: data)
            _ = try? decoder.decode(Account.self, from: data)
            _ = try? decoder.decode(SSHKey.self, from: data)
            _ = try? decoder.decode(APIKey.self, from: data)
            _ = try? decoder.decode(VMStats.self, from: data)
            _ = try? decoder.decode(ShareSettings.self, from: data)
        case .durationAndSize:
            if let duration = DurationText.parse(text) { _ = DurationText.format(duration) }
            _ = try? LeaseDuration.parse(text, setting: "fuzz")
            _ = try? ExeControl.ByteSize(text)
            _ = ExeSim.SizeArgument.parseSize(text)
        case .deployConfiguration:
            _ = try? DeployConfigurationFile.parse(text, file: "exe.deploy.yaml")
        case .leaseConfiguration:
            _ = try? LeaseFile.parse(text, path: ".exe.yaml")
        case .composeFile:
            _ = try? ComposeFile.parse(text)
            _ = try? ComposeFileRenderer.containers(in: text, project: "fuzz")
            _ = ComposeFileRenderer.projectName(in: text)
        case .yaml:
            _ = try? BoundedYAML.load(text)
        case .syncManifest:
            if let manifest = try? SyncManifest.decode(data) { _ = manifest.encoded() }
        case .tarHeader:
            // Name, link target, size and mode from the bytes, as a work
            // tree in a repository can choose them.
            let parts = data.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            let name = parts.first ?? ""
            let link = parts.count > 1 ? parts[1] : ""
            let size = parts.count > 2 ? Int64(parts[2]) ?? 0 : 0
            let mode = parts.count > 3 ? UInt32(parts[3], radix: 8) ?? 0o644 : 0o644
            _ = TarHeader.header(name: name, size: max(0, size), mode: mode, mtime: 0, type: link.isEmpty ? "0" : "2", link: link)
        case .apiKeyExpiry:
            _ = APIToken.expiry(text)
        }
    }

    private static let sshEnvironment = SSHEnvironment(homeDirectory: "/nonexistent-fuzz-home", userName: "fuzz", agentSocket: nil)
}
