public import Foundation
public import ExeControl
public import ExeSSH
public import ExeSystem

/// Short-lived access to an exe-hosted registry: a VM-scoped exe0 token
/// minted locally with the user's SSH key (namespace `v0@VM.exe.xyz`,
/// `TokenMinter`; nothing is sent to exe.dev to make it, and it expires by
/// itself, so there is nothing to revoke), held in memory, and a loopback
/// ``ExeRegistryRelay`` that presents it. The token is never printed and
/// never in any argv.
public struct ExeRegistryAccess: Sendable {
    /// How long a minted token lives.
    public static let lifetime: TimeInterval = 30 * 60

    /// The registry VM's name.
    public let vm: VMName
    /// The registry's address (`VM.exe.xyz`; the simulator's host live).
    public let address: String
    /// The minted token (for `new --registry-auth` with user `exe`).
    public let token: Secret

    /// Mints a token for `vm` with `signer`, valid for ``lifetime``.
    public init(vm: VMName, address: String, signer: any SSHDataSigner, now: Date = Date()) throws(ControlError) {
        self.vm = vm
        self.address = address
        let permissions = TokenPermissions(expires: Int64(now.timeIntervalSince1970 + Self.lifetime))
        token = try TokenMinter(signer: signer).mint(permissions, namespace: TokenMinter.vmNamespace(vm))
    }

    /// The credentials exe.dev's host-side pull gets (`new --registry-auth`):
    /// the proxy ignores the user name.
    public var pullCredentials: RegistryCredentials { RegistryCredentials(username: "exe", password: token) }

    /// Starts a relay to the registry: with no `vmProxy` over TLS to
    /// ``address``:443 (exe.dev); through `vmProxy` (`EXE_VM_PROXY`) over
    /// TLS when `trust` names a CA file (a TLS-terminating proxy such as
    /// `exe-sim up --tls`'s `EXE_VM_PROXY_TLS`), else plain HTTP to that
    /// loopback proxy (exe-sim without TLS).
    public func relay(vmProxy: String?, trust: TLSTrust = .systemStore) throws(ExeRegistryRelayError) -> ExeRegistryRelay {
        guard let vmProxy else { return try ExeRegistryRelay(registryHost: address, upstream: .tls(connectTo: nil, trust: trust), token: token) }
        if case .certificateFile = trust {
            guard let proxy = NetworkAddress(parsing: vmProxy) else { throw .notLoopback(vmProxy) }
            return try ExeRegistryRelay(registryHost: address, upstream: .tls(connectTo: proxy, trust: trust), token: token)
        }
        return try ExeRegistryRelay(registryHost: address, upstream: vmProxy, token: token)
    }

    /// The host of a VM's `https_url` (`NAME.exe.xyz`), the registry's address.
    public static func address(httpsURL: String?, name: String) -> String {
        if let httpsURL, let host = URL(string: httpsURL)?.host, !host.isEmpty { return host }
        return "\(name).exe.xyz"
    }
}

extension BuiltImage {
    /// The same image under the repository VMs pull it from: an image
    /// pushed to an exe-hosted registry through its loopback relay is
    /// pulled as `ADDRESS/REPO:TAG` (same digest). `nil` keeps it as is.
    func pulled(from repository: ImageReference?) -> BuiltImage {
        guard let repository, let tag = reference.tag else { return self }
        return BuiltImage(reference: repository.tagged(tag), digest: digest)
    }
}
