import ExeSystem
import Foundation

/// How `docker` inside a simulated VM reaches a registry named in an image
/// reference or a `docker login`.
///
/// - The simulator's own registry (`127.0.0.1:<registry port>`), with the
///   credentials `docker login` stored.
/// - Any other registry on the loopback network (`127.0.0.0/8`,
///   `localhost`): Docker treats `127.0.0.0/8` as an insecure registry by
///   default (dockerd's `--insecure-registry` list starts with it), so it
///   speaks plain HTTP there; for example a port an SSH remote forward
///   (`ssh -R`, `AllowTcpForwarding yes` in exe.dev's VM `sshd_config`)
///   opened on the VM's loopback. In the simulator a VM's loopback is the
///   machine's, so this reaches anything on it.
/// - A VM's address (`<vm>.exe.xyz`, `<vm>.exe-sim.localhost`): through the
///   VM proxy, as dockerd on a VM reaches it over HTTPS. dockerd pings
///   `/v2/` without credentials and sends them only after a `401` challenge;
///   exe.dev's proxy answers a private VM's request that carries no
///   `Authorization` with a redirect to the login (`exeweb/proxy.go`
///   `HandleProxyRequest`, `RedirectToAuth`), so docker never gets in. A
///   public VM's registry answers and is pulled anonymously.
/// - Anything else: no outside network (the simulator's rule).
enum DockerRegistryRoute: Equatable {
    /// The simulator's registry.
    case simulatorRegistry
    /// A plain-HTTP registry on the loopback network.
    case loopback
    /// A registry served by the VM of this host, through the VM proxy.
    case vmProxy(host: String)
    /// Not reachable from a simulated VM.
    case unreachable

    init(registry: String, configuration: SimConfiguration) {
        if registry == configuration.registryAddress {
            self = .simulatorRegistry
        } else if Self.isLoopback(registry) {
            self = .loopback
        } else if VMRegistryPull.vmName(registryHost: registry) != nil {
            self = .vmProxy(host: registry)
        } else {
            self = .unreachable
        }
    }

    /// Whether the registry's host (`HOST`, `HOST:PORT` or `[V6]:PORT`) is loopback.
    static func isLoopback(_ registry: String) -> Bool {
        var host = registry
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = String(host[...close])
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            host = String(host[..<colon])
        }
        return LoopbackHost.contains(host)
    }

    /// What dockerd's anonymous ping of a VM's registry meets: `nil` when
    /// the registry answers (a public VM), else the error docker shows.
    static func anonymousPing(host: String, daemonPort: Int) -> String? {
        let response: HTTPResponse
        do {
            response = try LoopbackHTTPClient.send("GET", port: daemonPort, path: "/v2/", headers: [], timeout: .seconds(60), host: host)
        } catch {
            return "Error response from daemon: Get \"https://\(host)/v2/\": \(error)"
        }
        switch response.status {
        case 200:
            return nil
        case 300..<400:
            let location = response.header("Location") ?? "the login page"
            return "Error response from daemon: Get \"https://\(host)/v2/\": the exe.dev proxy answered \(response.status) (redirect to \(location)), not a 401 challenge, so docker never sends credentials to this private VM (exe-sim's wording; real docker fails on the login page it is sent to)"
        default:
            return "Error response from daemon: Get \"https://\(host)/v2/\": HTTP \(response.status)"
        }
    }
}
