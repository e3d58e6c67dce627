import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension VMProxy {
    /// Waits, answering nothing, until the client closes or `limit` passes.
    func holdUnanswered(_ client: Int32, limit: Duration = .seconds(30)) {
        let deadline = ContinuousClock.now + limit
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 200)
            if ready > 0 {
                if recv(client, &buffer, buffer.count, 0) <= 0 { return }
            } else if ready < 0, errno != EINTR {
                return
            }
        }
    }
}
