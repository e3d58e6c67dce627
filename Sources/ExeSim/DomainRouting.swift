import Foundation

/// Which VM a custom domain reaches: the lookup the proxy does for a
/// request's `Host` header (cli-domain.md: since May 2026 a custom domain
/// must be added with `domain add` before traffic flows).
enum DomainRouting {
    /// A `Host` header value without its port, lower-cased.
    static func hostName(_ header: String) -> String {
        var host = header.trimmingCharacters(in: .whitespaces).lowercased()
        if host.hasPrefix("[") {
            if let close = host.firstIndex(of: "]") { host = String(host[...close]) }
        } else if let colon = host.lastIndex(of: ":"), host[host.index(after: colon)...].allSatisfy(\.isNumber) {
            host = String(host[..<colon])
        }
        if host.hasSuffix(".") { host.removeLast() }
        return host
    }

    /// Whether `domain` (as added: `app.example.com` or `*.app.example.com`)
    /// covers `host`. A `*.` domain covers every name below it, not the
    /// name itself.
    static func matches(_ domain: String, host: String) -> Bool {
        if domain.hasPrefix("*.") { return host.hasSuffix(String(domain.dropFirst(1))) && host.count > domain.count - 1 }
        return host == domain
    }

    /// The VM `host` reaches: `<vm>.exe.xyz`, or a VM that added a domain
    /// covering it (an exact domain wins over a `*.` one).
    static func vm(forHost header: String, in state: SimState) -> VMRecord? {
        let host = hostName(header)
        if host.hasSuffix(".exe.xyz") {
            let name = String(host.dropLast(".exe.xyz".count))
            if !name.contains("."), let vm = state.vm(named: name) { return vm }
        }
        if let exact = state.vms.first(where: { ($0.domains ?? []).contains { $0.domain == host } }) { return exact }
        return state.vms.first { ($0.domains ?? []).contains { matches($0.domain, host: host) } }
    }

    /// Whether `header` names a domain (not a loopback name or an IP
    /// address): such a request is for a VM, never for the API.
    static func isDomainName(_ header: String) -> Bool {
        let host = hostName(header)
        if host.isEmpty || host == "localhost" || host.hasPrefix("[") { return false }
        if host.split(separator: ".").allSatisfy({ $0.allSatisfy(\.isNumber) }) { return false }
        return host.contains(".")
    }
}
