/// What to do with a server's host key.
public enum HostKeyPolicy: String, Sendable, CaseIterable {
    /// Accept only keys already recorded in a known-hosts file. The default.
    case strict
    /// Accept and record keys of hosts never seen before (trust on first
    /// use); a changed key is still an error.
    case acceptNew = "accept-new"
    /// Accept any key without checking. Only for throwaway test hosts: it
    /// offers no protection against a man in the middle.
    case insecureAcceptAny = "insecure-accept-any"
}
