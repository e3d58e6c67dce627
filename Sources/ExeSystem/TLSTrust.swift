/// Which certificate authorities a TLS client trusts.
public enum TLSTrust: Sendable, Equatable {
    /// The system's store (OpenSSL's default paths: `/etc/ssl/certs`).
    case systemStore
    /// Only the PEM certificates in this file (a private CA, such as the
    /// one `exe-sim up --tls` makes).
    case certificateFile(String)

    /// `EXE_CA_FILE` or `--cacert FILE` when given, else the system store.
    public init(caFile: String?) {
        if let caFile, !caFile.isEmpty { self = .certificateFile(caFile) } else { self = .systemStore }
    }
}
