// exe runs on Linux only: ExeSSH's connection loop uses eventfd(2) and
// poll(2) with POLLRDHUP, ExeSystem reads /proc, and exe-sim runs VMs in
// unshare(2) mount namespaces. Stop the build early with a clear message
// instead of a wall of missing-symbol errors.
#if !os(Linux)
#error("exe supports Linux only (it uses eventfd, POLLRDHUP, /proc and unshare)")
#endif
