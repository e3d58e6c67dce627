import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A connected socket whose blocking reads and writes run on serial queues
/// of their own; closing it wakes a blocked read and makes later reads end.
final class RelayedSocket: @unchecked Sendable {
    private let fd: Int32
    private let reads = DispatchQueue(label: "exe.forward.read")
    private let writes = DispatchQueue(label: "exe.forward.write")
    private let state = Mutex(false)

    init(_ fd: Int32) { self.fd = fd }

    /// The next bytes from the local peer, `nil` at its EOF or after close.
    func read() async -> Data? {
        await withCheckedContinuation { continuation in
            reads.async {
                if self.state.withLock({ $0 }) { return continuation.resume(returning: nil) }
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = Glibc.read(self.fd, &buffer, buffer.count)
                continuation.resume(returning: count > 0 ? Data(buffer[0..<count]) : nil)
            }
        }
    }

    /// Writes all of `data`; `false` when the peer is gone. Cancelling the
    /// task shuts the socket down, so a write blocked on a peer that stopped
    /// reading returns (`false`) instead of holding up a Ctrl-C.
    func write(_ data: Data) async -> Bool {
        let fd = fd
        return await withTaskCancellationHandler {
            await send(data)
        } onCancel: {
            shutdown(fd, Int32(SHUT_RDWR))
        }
    }

    private func send(_ data: Data) async -> Bool {
        await withCheckedContinuation { continuation in
            writes.async {
                var offset = 0
                let ok = data.withUnsafeBytes { bytes -> Bool in
                    while offset < bytes.count {
                        let written = Glibc.send(self.fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                        if written <= 0 { return false }
                        offset += written
                    }
                    return true
                }
                continuation.resume(returning: ok)
            }
        }
    }

    /// Shuts the socket down (waking a blocked read), then closes it once no
    /// read or write can still use the descriptor.
    func close() async {
        shutdown(fd, Int32(SHUT_RDWR))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            writes.async {
                self.reads.async {
                    self.state.withLock { $0 = true }
                    Glibc.close(self.fd)
                    continuation.resume()
                }
            }
        }
    }
}
