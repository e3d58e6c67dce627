public import ExeSystem
public import Foundation

/// One `/exec` response with its headers, as `curl` received it.
public struct SimulatorExecResponse: Sendable {
    /// The HTTP status.
    public let status: Int
    /// The response headers in order, names as sent.
    public let headers: [(name: String, value: String)]
    /// The body exactly as sent.
    public let body: String

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

extension SimulatorHarness {
    /// POSTs raw `body` bytes (any bytes: invalid UTF-8, NUL) to `/exec`
    /// with `curl --data-binary` and returns status, headers and body.
    /// The token goes through a 0600 header file, never argv.
    public func execResponse(_ body: Data, token: Secret?, method: String = "POST") async throws -> SimulatorExecResponse {
        let id = UUID().uuidString
        let bodyFile = directory.file("raw-body-\(id)")
        try body.write(to: URL(fileURLWithPath: bodyFile))
        chmod(bodyFile, 0o600)
        let headerFile = try directory.write(
            "raw-header-\(id)", token.map { "Authorization: Bearer \($0.reveal())\n" } ?? "X-None: 1\n", mode: 0o600)
        let dumpFile = directory.file("raw-dump-\(id)")
        defer {
            unlink(bodyFile)
            unlink(headerFile)
            unlink(dumpFile)
        }
        let output = try await LocalProcessRunner().run(ProcessInvocation(
            "curl",
            ["-s", "-X", method, "-H", "@\(headerFile)", "--data-binary", "@\(bodyFile)", "-D", dumpFile, "-w", "\n%{http_code}", apiURL],
            timeout: .seconds(60)))
        let dump = (try? String(contentsOfFile: dumpFile, encoding: .utf8)) ?? ""
        var headers: [(name: String, value: String)] = []
        // The last header block (a `100 Continue` may come first).
        let block = dump.components(separatedBy: "\r\n\r\n").last { $0.hasPrefix("HTTP/") } ?? ""
        for line in block.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        guard let cut = output.stdout.lastIndex(of: "\n") else { return SimulatorExecResponse(status: 0, headers: headers, body: output.stdout) }
        return SimulatorExecResponse(
            status: Int(output.stdout[output.stdout.index(after: cut)...]) ?? 0, headers: headers,
            body: String(output.stdout[..<cut]))
    }
}
