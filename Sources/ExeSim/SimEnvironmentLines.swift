import ExeSystem

/// The `export` lines `up` prints for a shell to `eval`.
struct SimEnvironmentLines {
    let configuration: SimConfiguration
    let paths: SimPaths
    let registryPassword: Secret

    var text: String {
        let pairs: [(String, String)] = [
            ("EXE_CONTROL_HOST", "127.0.0.1:\(configuration.controlPort)"),
            ("EXE_KNOWN_HOSTS", paths.knownHosts),
            ("EXE_API_URL", "http://127.0.0.1:\(configuration.apiPort)/exec"),
            ("EXE_VM_PROXY", "127.0.0.1:\(configuration.apiPort)"),
            ("EXE_REGISTRY", configuration.registryAddress),
            ("EXE_REGISTRY_USER", configuration.registryUser),
            ("EXE_REGISTRY_PASSWORD", registryPassword.reveal()),
            ("EXE_SIM_STATE", paths.root),
        ]
        return pairs.map { "export \($0.0)=\(ShellQuote.word($0.1))" }.joined(separator: "\n") + "\n"
    }
}
