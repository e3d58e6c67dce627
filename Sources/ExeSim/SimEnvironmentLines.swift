import ExeSystem

/// The `export` lines `up` prints for a shell to `eval`. With TLS (`up
/// --tls`) also the CA file to trust and the `https://` addresses:
/// `EXE_API_URL_TLS` for `EXE_API_URL`, and `EXE_VM_PROXY` (also
/// `EXE_VM_PROXY_TLS`) is then the TLS terminator, since VM URLs are
/// written `https://<vm>.exe-sim.localhost`. `EXE_VM_PROXY_HTTP` is always
/// the daemon's plain-HTTP port.
struct SimEnvironmentLines {
    let configuration: SimConfiguration
    let paths: SimPaths
    let registryPassword: Secret

    var text: String {
        let pairs: [(String, String)] = [
            ("EXE_CONTROL_HOST", "127.0.0.1:\(configuration.controlPort)"),
            ("EXE_KNOWN_HOSTS", paths.knownHosts),
            ("EXE_API_URL", "http://127.0.0.1:\(configuration.apiPort)/exec"),
            ("EXE_VM_PROXY", "127.0.0.1:\(configuration.tlsPort ?? configuration.apiPort)"),
            ("EXE_VM_PROXY_HTTP", "127.0.0.1:\(configuration.apiPort)"),
            ("EXE_REGISTRY", configuration.registryAddress),
            ("EXE_REGISTRY_USER", configuration.registryUser),
            ("EXE_REGISTRY_PASSWORD", registryPassword.reveal()),
            ("EXE_SIM_STATE", paths.root),
        ]
        let tls: [(String, String)] = configuration.tlsPort.map { port in
            [
                ("EXE_CA_FILE", paths.tlsCACertificate),
                ("EXE_API_URL_TLS", "https://127.0.0.1:\(port)/exec"),
                ("EXE_VM_PROXY_TLS", "127.0.0.1:\(port)"),
            ]
        } ?? []
        return (pairs + tls).map { "export \($0.0)=\(ShellQuote.word($0.1))" }.joined(separator: "\n") + "\n"
    }
}
