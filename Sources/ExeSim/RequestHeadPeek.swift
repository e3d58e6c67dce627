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
            if let separator = data.range(of: Data("\r\n\r\n".utf8)) {
                return (String(decoding: data[..<separator.lowerBound], as: UTF8.self), separator.upperBound)
            }
            guard count < limit else { return nil }
            usleep(5000)
        }
        return nil
    }
}
