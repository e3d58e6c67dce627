public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Hands bytes to a reader of a socket: a stream socket pair, `data`
/// written to one end by a thread of its own (so more than a socket buffer
/// can be sent) and then shut down, and `body` run on the other end; `nil`
/// when no socket pair could be made.
public enum SocketPairFeed {
    public static func feed<T>(_ data: Data, _ body: (Int32) -> T) -> T? {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else { return nil }
        let writer = fds[1]
        let reader = fds[0]
        let bytes = [UInt8](data)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { send(writer, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { break }
                offset += sent
            }
            shutdown(writer, Int32(SHUT_WR))
            finished.signal()
        }
        thread.start()
        let result = body(reader)
        // Closing the reader makes a writer blocked on a full buffer fail.
        close(reader)
        finished.wait()
        close(writer)
        return result
    }
}
