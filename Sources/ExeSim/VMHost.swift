import Foundation

/// The host names of VM URLs. exe.dev serves `https://<vm>.exe.xyz/` (and
/// `https://<vm>.exe.xyz:PORT/` for ports 3000–9999, `docs/content/proxy.md`);
/// the simulator serves the same shape under `exe-sim.localhost`, a name
/// that never leaves the machine (RFC 6761), on its one daemon port. A
/// client reaches every VM URL by connecting to that port
/// (`curl --connect-to ::127.0.0.1:PORT`, or `EXE_VM_PROXY` for exe-cli),
/// and the daemon routes by the `Host` header, as exeprox does
/// (`exeweb/proxy.go` `HandleProxyRequest`).
struct VMHost: Equatable, Sendable {
    /// The domain under which every VM has its host name.
    static let domain = "exe-sim.localhost"

    /// The VM's name (the label before ``domain``).
    let vmName: String
    /// The port in the `Host` header, `nil` when it names none (the
    /// scheme's default port).
    let port: Int?
    /// The `Host` header as sent.
    let header: String

    /// The URL of `vm`: the same for every instance that carries the name,
    /// without a trailing slash or a path, as `boxProxyAddress`
    /// (`execore/exe.go`) writes it: `SCHEME://HOST` plus `:PORT` only when
    /// the port is not the scheme's default (here it never is named: a
    /// client connects to the daemon's port with `--connect-to`). The scheme
    /// is `bestScheme`'s: `https` when TLS is served (`up --tls`), else `http`.
    static func url(vmName: String, tls: Bool) -> String { "\(scheme(tls: tls))://\(vmName).\(domain)" }

    /// `schemeForTLS` (`execore/exe.go`).
    static func scheme(tls: Bool) -> String { tls ? "https" : "http" }

    /// A VM reached under another name (a custom domain, `domain add`).
    init(vmName: String, header: String) {
        self.vmName = vmName
        self.header = header.trimmingCharacters(in: .whitespaces)
        let host = DomainRouting.hostName(header)
        let rest = self.header.lowercased().dropFirst(host.count)
        port = rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil
    }

    /// Parses a `Host` header; `nil` when it is not a VM host name.
    init?(header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        var name = Substring(trimmed)
        var port: Int?
        if let colon = trimmed.lastIndex(of: ":") {
            guard let number = Int(trimmed[trimmed.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
            name = trimmed[..<colon]
        }
        let lowered = name.lowercased()
        let suffix = "." + Self.domain
        guard lowered.hasSuffix(suffix) else { return nil }
        let label = String(lowered.dropLast(suffix.count))
        guard !label.isEmpty, !label.contains(".") else { return nil }
        vmName = label
        self.port = port
        self.header = trimmed
    }
}
