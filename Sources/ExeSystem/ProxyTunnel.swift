import Foundation

/// A TCP connection to a host through an ``HTTPProxy``'s `CONNECT` tunnel.
enum ProxyTunnel {
    /// The most bytes the proxy's answer to `CONNECT` may take.
    static let maximumHeadBytes = 16 * 1024

    /// Connects to `proxy`, asks it for a tunnel to `target`, and returns
    /// the connection once the proxy answers 2xx: from then on its bytes are
    /// the target's.
    static func open(through proxy: HTTPProxy, to target: NetworkAddress, deadline: ContinuousClock.Instant) throws(NetworkError) -> TCPStream {
        let tcp: TCPStream
        do {
            tcp = try TCPStream.connect(to: proxy.address, deadline: deadline)
        } catch {
            throw NetworkError(error.kind, "cannot reach the proxy \(proxy): \(error.message)")
        }
        var request = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
        if let credentials = proxy.credentials {
            request += "Proxy-Authorization: Basic \(Data(credentials.reveal().utf8).base64EncodedString())\r\n"
        }
        request += "\r\n"
        do throws(NetworkError) {
            try tcp.write(Array(request.utf8), deadline: deadline)
            let head = try readHead(from: tcp, proxy: proxy, deadline: deadline)
            let statusLine = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
            let words = statusLine.split(separator: " ", maxSplits: 2)
            guard words.count >= 2, words[0].hasPrefix("HTTP/1."), let status = Int(words[1]) else {
                throw NetworkError(.malformedResponse, "the proxy \(proxy) did not answer CONNECT with HTTP")
            }
            guard (200..<300).contains(status) else {
                let reason = words.count > 2 ? " " + String(words[2].prefix(100)).filter { !$0.isNewline && $0.isASCII } : ""
                throw NetworkError(.connectFailed, "the proxy \(proxy) refused a tunnel to \(target): \(status)\(reason)")
            }
            return tcp
        } catch {
            tcp.close()
            throw error
        }
    }

    /// Reads up to the blank line, one byte at a time, so that nothing the
    /// target sends after the tunnel opens is consumed here.
    private static func readHead(from tcp: TCPStream, proxy: HTTPProxy, deadline: ContinuousClock.Instant) throws(NetworkError) -> String {
        var bytes: [UInt8] = []
        let end: [UInt8] = [13, 10, 13, 10]
        while bytes.count < 4 || Array(bytes.suffix(4)) != end {
            guard bytes.count < maximumHeadBytes else {
                throw NetworkError(.tooLarge, "the proxy \(proxy)'s answer to CONNECT is longer than \(maximumHeadBytes) bytes")
            }
            let byte = try tcp.read(maximum: 1, deadline: deadline)
            guard !byte.isEmpty else { throw NetworkError(.connectionClosed, "the proxy \(proxy) closed the connection instead of opening a tunnel") }
            bytes += byte
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
