import ExeSystem
public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a command on a VM through `POST /exec` with the body
/// `ssh VM COMMAND` (https-api-run-on-vm.md): the body streams the
/// command's stdout and stderr merged, and the exit status arrives in the
/// HTTP trailer `X-Exe-Exit`.
///
/// Foundation's `URLSession` on Linux does not expose HTTP trailers, so the
/// request is made by `curl` (a real HTTP client with TLS): the token and the
/// body reach it on stdin as a config file (never in argv), `--include`
/// puts the status and headers first on its stdout, the body follows as it
/// arrives, and the trailer block curl appends is cut off again using the
/// copy `--dump-header` writes.
///
/// The command is quoted for two lexers: the lobby splits the body like a
/// shell (go-shlex) and joins the words after the VM name with spaces; the
/// VM's shell then parses that line. So the body is `ssh 'VM' 'LINE'`, with
/// `LINE` the remote command line exactly as it would be sent over SSH.
public struct HTTPSVMCommand: Sendable {
    /// What the command produced.
    public enum Event: Sendable, Equatable {
        /// Output (stdout and stderr merged, as the server sends it).
        case output(Data)
        /// The command's exit status from `X-Exe-Exit`.
        case exit(Int32)
    }

    /// Where to send and with which token.
    public let configuration: HTTPSControlTransport.Configuration
    /// The `curl` executable (a path or a name on `PATH`).
    public var curl: String

    /// A runner for `configuration`.
    public init(configuration: HTTPSControlTransport.Configuration, curl: String = "curl") {
        self.configuration = configuration
        self.curl = curl
    }

    /// The `/exec` body for `commandLine` on `vm`.
    public static func body(vm: VMName, commandLine: String) -> String {
        "ssh " + ShellQuote.word(vm.rawValue) + " " + ShellQuote.word(commandLine)
    }

    /// Runs `commandLine` (a shell command line, as for SSH) on `vm`.
    ///
    /// - Throws (from the stream): ``ControlError/Kind/requestTooLarge`` before
    ///   anything is sent when the body would pass 64 KiB; the server's error
    ///   (401, 403, 404, 422...) classified as for other commands; and
    ///   ``ControlError/Kind/unexpectedResponse`` when no `X-Exe-Exit` arrives.
    public func run(vm: VMName, commandLine: String, timeout: Duration? = nil) -> AsyncThrowingStream<Event, any Error> {
        let body = Self.body(vm: vm, commandLine: commandLine)
        let command = "ssh \(vm.rawValue) ..."
        return AsyncThrowingStream { continuation in
            guard body.utf8.count <= HTTPSControlTransport.maximumBodyBytes else {
                continuation.finish(
                    throwing: ControlError(
                        .requestTooLarge,
                        "request body exceeds 64KB limit (\(body.utf8.count) bytes; the limit is \(HTTPSControlTransport.maximumBodyBytes))",
                        command: command))
                return
            }
            guard !body.utf8.contains(0) else {
                continuation.finish(throwing: ControlError(.invalidArgument, "request body must not contain null bytes", command: command))
                return
            }
            let token: Secret
            do { token = try configuration.token(forCommand: ["ssh"]) } catch {
                continuation.finish(throwing: error)
                return
            }
            let job = CurlJob(
                curl: curl, endpoint: configuration.endpoint, token: token, body: body,
                timeout: timeout ?? configuration.requestTimeout, command: command)
            let thread = Thread { job.run(continuation) }
            thread.stackSize = 512 << 10
            thread.start()
            continuation.onTermination = { _ in job.cancel() }
        }
    }
}

/// One `curl` run on its own thread.
private final class CurlJob: @unchecked Sendable {
    let curl: String
    let endpoint: URL
    let token: Secret
    let body: String
    let timeout: Duration
    let command: String
    private let lock = NSLock()
    private var process: ChildProcess?
    private var cancelled = false

    init(curl: String, endpoint: URL, token: Secret, body: String, timeout: Duration, command: String) {
        self.curl = curl
        self.endpoint = endpoint
        self.token = token
        self.body = body
        self.timeout = timeout
        self.command = command
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let process = self.process
        lock.unlock()
        process?.terminate(grace: .milliseconds(200))
    }

    /// Marks both ends of a pipe close-on-exec (children get them only through dup2).
    static func closeOnExec(_ ends: [Int32]) -> Bool {
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// A curl config value in double quotes (curl's escapes).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    func run(_ continuation: AsyncThrowingStream<HTTPSVMCommand.Event, any Error>.Continuation) {
        let headerFile = FileManager.default.temporaryDirectory.appendingPathComponent("exe-exec-\(UUID().uuidString).headers").path
        defer { unlink(headerFile) }
        let seconds = max(1, Int(timeout.components.seconds))
        let config = [
            "url = " + Self.quoted(endpoint.absoluteString),
            "request = \"POST\"",
            "header = " + Self.quoted("Authorization: Bearer " + token.reveal()),
            "header = \"Content-Type: text/plain; charset=utf-8\"",
            "data-binary = " + Self.quoted(body),
            "max-time = \(seconds)",
            "connect-timeout = 30",
        ].joined(separator: "\n") + "\n"
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        guard pipe(&input) == 0, Self.closeOnExec(input) else { return continuation.finish(throwing: failure(.transport, "cannot create a pipe")) }
        guard pipe(&output) == 0, Self.closeOnExec(output) else {
            close(input[0]); close(input[1])
            return continuation.finish(throwing: failure(.transport, "cannot create a pipe"))
        }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                curl,
                ["--config", "-", "--silent", "--show-error", "--no-buffer", "--include", "--dump-header", headerFile,
                 "--proto", "=https,http", "--max-redirs", "0"],
                stdin: .descriptor(input[0]), stdout: .descriptor(output[1]), stderr: .null)
        } catch {
            close(input[0]); close(input[1]); close(output[0]); close(output[1])
            return continuation.finish(throwing: failure(.transport, "cannot run curl (needed for commands on VMs over HTTPS): \(error)"))
        }
        close(input[0])
        close(output[1])
        lock.lock()
        process = child
        let alreadyCancelled = cancelled
        lock.unlock()
        if alreadyCancelled { child.terminate(grace: .milliseconds(200)) }
        let configBytes = Array(config.utf8)
        var offset = 0
        while offset < configBytes.count {
            let written = configBytes[offset...].withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { break }
            offset += written
        }
        close(input[1])

        var parser = ResponseStream()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = read(output[0], &buffer, buffer.count)
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { break }
            for data in parser.feed(buffer[0..<got]) { continuation.yield(.output(data)) }
        }
        close(output[0])
        let status = child.waitBlocking()
        if cancelled { return continuation.finish(throwing: failure(.cancelled, "cancelled")) }
        let dumped = (try? Data(contentsOf: URL(fileURLWithPath: headerFile))) ?? Data()
        let trailer = ResponseStream.trailerBlock(dumped)
        guard let statusCode = parser.statusCode else {
            let kind: ControlError.Kind = status == 28 ? .timeout : .transport
            return continuation.finish(throwing: failure(kind, "\(endpoint.absoluteString): curl exited \(status) without a response"))
        }
        let rest = parser.finish(removingSuffix: trailer)
        guard statusCode == 200 else {
            let message = ResponseInterpreter.errorMessage(in: parser.errorBody + rest)
                ?? "HTTP \(statusCode): " + String(decoding: (parser.errorBody + rest).prefix(300), as: UTF8.self)
            return continuation.finish(throwing: failure(ResponseInterpreter.kindForHTTPStatus(statusCode, message: message), message))
        }
        if !rest.isEmpty { continuation.yield(.output(rest)) }
        guard let exit = ResponseStream.exitStatus(inTrailer: trailer) else {
            let kind: ControlError.Kind = status == 28 ? .timeout : .unexpectedResponse
            return continuation.finish(
                throwing: failure(kind, "the response ended without an X-Exe-Exit trailer (curl exit \(status)): the command's status is unknown"))
        }
        continuation.yield(.exit(exit))
        continuation.finish()
    }

    private func failure(_ kind: ControlError.Kind, _ message: String) -> ControlError {
        ControlError(kind, Secret.redact(message, [token]), command: command)
    }
}

/// Splits curl's `--include` output: the status and header block (the
/// last one, after any `100 Continue`), then the body, holding back a tail
/// long enough to hold the trailer block curl appends at the end.
struct ResponseStream {
    static let heldBack = 8 * 1024
    private(set) var statusCode: Int?
    private var head: [UInt8] = []
    private var pending: [UInt8] = []
    /// The body of a non-200 answer, kept instead of streamed.
    private(set) var errorBody = Data()

    mutating func feed(_ bytes: ArraySlice<UInt8>) -> [Data] {
        if statusCode == nil {
            head.append(contentsOf: bytes)
            while let end = Self.find([13, 10, 13, 10], in: head) {
                let block = String(decoding: head[..<end], as: UTF8.self)
                let remainder = Array(head[(end + 4)...])
                let words = block.split(separator: " ", maxSplits: 2)
                guard words.count >= 2, let code = Int(words[1]) else { head = remainder; continue }
                if (100..<200).contains(code) {
                    head = remainder
                    continue
                }
                statusCode = code
                head = []
                pending = remainder
                break
            }
            if statusCode == nil { return [] }
        } else {
            pending.append(contentsOf: bytes)
        }
        guard pending.count > Self.heldBack else { return [] }
        let release = Data(pending[..<(pending.count - Self.heldBack)])
        pending.removeFirst(pending.count - Self.heldBack)
        if statusCode == 200 { return [release] }
        if errorBody.count < 64 * 1024 { errorBody.append(release) }
        return []
    }

    /// The held-back tail without `suffix` (the trailer block) when it ends with it.
    mutating func finish(removingSuffix suffix: Data) -> Data {
        let tail = Data(pending)
        pending = []
        if !suffix.isEmpty, tail.count >= suffix.count, tail.suffix(suffix.count) == suffix {
            return tail.prefix(tail.count - suffix.count)
        }
        return tail
    }

    /// What `--dump-header` wrote after the final header block: the trailers.
    static func trailerBlock(_ dumped: Data) -> Data {
        var bytes = Array(dumped)
        while let end = find([13, 10, 13, 10], in: bytes) {
            let block = String(decoding: bytes[..<end], as: UTF8.self)
            let code = block.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
            bytes = Array(bytes[(end + 4)...])
            if !(100..<200).contains(code) { return Data(bytes) }
        }
        return Data()
    }

    /// The value of `X-Exe-Exit` in a trailer block.
    static func exitStatus(inTrailer trailer: Data) -> Int32? {
        for line in String(decoding: trailer, as: UTF8.self).split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "x-exe-exit" else { continue }
            return Int32(parts[1].trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if Array(haystack[index..<(index + needle.count)]) == needle { return index }
        }
        return nil
    }
}
