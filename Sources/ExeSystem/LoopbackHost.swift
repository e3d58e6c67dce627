#if canImport(Glibc)
    import Glibc
#endif

/// Whether a host names this machine's loopback: `localhost`, an IPv4
/// address in 127.0.0.0/8, `::1` in any spelling, or an IPv4-mapped
/// 127.0.0.0/8 (`::ffff:127.0.0.1`). A URL host's brackets and case do not
/// matter; a name that only starts like one (`127.0.0.1.example.com`) is
/// not loopback. The one check for where a plain-HTTP API token may go and
/// which hosts never use a proxy.
public enum LoopbackHost {
    /// Whether `host` (an IP literal, bracketed or not, or a name) is loopback.
    public static func contains(_ host: String) -> Bool {
        var bare = host.lowercased()
        if bare.hasPrefix("[") && bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        if bare == "localhost" || bare == "localhost." { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    }
}
