import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension VMProxy {
    /// What the proxy does before forwarding a connection to `vm`.
    enum Gate {
        /// Forward it.
        case forward
        /// Answer with this status and text.
        case refuse(Int, String)
        /// The VM is paused: its processes are frozen, so nothing answers;
        /// the connection is held unanswered until the client gives up.
        case hold
    }

    /// A paused VM does not answer (`pause`); a `Host` naming a domain the
    /// VM has not added is refused (cli-domain.md).
    func gate(client: Int32, vm: VMRecord) -> Gate {
        if vm.status == "paused" { return .hold }
        switch DomainRouting.decision(host: Self.peekHost(client), for: vm) {
        case .serve: return .forward
        case .refuse(let text): return .refuse(421, text)
        }
    }

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

    /// The `Host` header of the request waiting on `client`, read with
    /// `MSG_PEEK` so the bytes are still forwarded; `nil` when the head does
    /// not arrive within a second or names no host.
    static func peekHost(_ client: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 16384)
        let deadline = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) >= 0 else { return nil }
            let count = recv(client, &buffer, buffer.count, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            if count == 0 { return nil }
            if count > 0 {
                let text = String(decoding: buffer[0..<count], as: UTF8.self)
                if let end = text.range(of: "\r\n\r\n") {
                    for line in text[..<end.lowerBound].split(separator: "\r\n").dropFirst() {
                        guard let colon = line.firstIndex(of: ":") else { continue }
                        if line[..<colon].lowercased() == "host" {
                            return String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                        }
                    }
                    return nil
                }
                if count == buffer.count { return nil }
            }
            usleep(10_000)
        }
        return nil
    }
}
