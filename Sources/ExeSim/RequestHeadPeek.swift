import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Looks at the head of the request waiting on a socket without consuming
/// it (`MSG_PEEK`), so the daemon can pick a handler by the `Host` header
/// and leave every byte for that handler to read.
enum RequestHeadPeek {
    /// The largest head looked at.
    static let limit = 64 * 1024
    /// Linux's `POLLRDHUP` (the peer shut down writing); Glibc declares it
    /// only under `_GNU_SOURCE`, which Swift does not define.
    static let pollReadHangUp: Int16 = 0x2000

    /// The request head (up to and excluding the blank line) and its length
    /// including the blank line; `nil` when the peer closes, sends more than
    /// ``limit`` bytes without ending the head, or `deadline` passes first.
    static func head(_ fd: Int32, deadline: Duration = .seconds(30)) -> (text: String, length: Int)? {
        let end = ContinuousClock.now.advanced(by: deadline)
        var buffer = [UInt8](repeating: 0, count: limit)
        var first = true
        while ContinuousClock.now < end {
            // The first peek blocks (up to the socket's receive timeout) for
            // the first bytes; later ones poll, because a socket with unread
            // bytes is always readable and poll cannot wait for more.
            let count = recv(fd, &buffer, buffer.count, first ? Int32(MSG_PEEK) : Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            first = false
            if count < 0, errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK {
                usleep(5000)
                continue
            }
            guard count > 0 else { return nil }
            let data = Data(buffer[0..<count])
            // Go's header reader also ends a head at a bare-LF blank line.
            if let separator = data.range(of: Data("\r\n\r\n".utf8)) ?? data.range(of: Data("\n\n".utf8)) {
                return (String(decoding: data[..<separator.lowerBound], as: UTF8.self), separator.upperBound)
            }
            guard count < limit else { return nil }
            // The peer has stopped sending (shutdown or close): no head end
            // will come, so the handler answers what is there now.
            var descriptor = pollfd(fd: fd, events: pollReadHangUp, revents: 0)
            if poll(&descriptor, 1, 0) > 0, descriptor.revents & (pollReadHangUp | Int16(POLLHUP) | Int16(POLLERR)) != 0 { return nil }
            usleep(5000)
        }
        return nil
    }
}
