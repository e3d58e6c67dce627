import ExeSystem
public import Foundation

/// Runs a command on a VM through `POST /exec` with the body
/// `ssh VM COMMAND` (https-api-run-on-vm.md): the body streams the
/// command's stdout and stderr merged, and the exit status arrives in the
/// HTTP trailer `X-Exe-Exit`.
///
/// The request is made with `ExeSystem.HTTPExchange` (OpenSSL; the
/// server's certificate checked against the configuration's
/// ``HTTPSControlTransport/Configuration/trust``) on a thread of its own:
/// the body is yielded as it arrives, and the trailer read at its end.
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

    /// Where to send, with which token, trusting which CAs.
    public let configuration: HTTPSControlTransport.Configuration

    /// A runner for `configuration`.
    public init(configuration: HTTPSControlTransport.Configuration) {
        self.configuration = configuration
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
            let job = VMCommandExchange(
                configuration: configuration, token: token, body: body, timeout: timeout ?? configuration.requestTimeout, command: command)
            let thread = Thread { job.run(continuation) }
            thread.name = "exe-vm-exec"
            thread.stackSize = 1 << 20
            thread.start()
            continuation.onTermination = { _ in job.cancel() }
        }
    }
}

/// One `/exec` exchange on its own thread.
private final class VMCommandExchange: @unchecked Sendable {
    let configuration: HTTPSControlTransport.Configuration
    let token: Secret
    let body: String
    let timeout: Duration
    let command: String
    private let lock = NSLock()
    private var exchange: HTTPExchange?
    private var cancelled = false

    init(configuration: HTTPSControlTransport.Configuration, token: Secret, body: String, timeout: Duration, command: String) {
        self.configuration = configuration
        self.token = token
        self.body = body
        self.timeout = timeout
        self.command = command
    }

    func cancel() {
        lock.lock()
        cancelled = true
        exchange?.interrupt()
        lock.unlock()
    }

    private var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    func run(_ continuation: AsyncThrowingStream<HTTPSVMCommand.Event, any Error>.Continuation) {
        let deadline = ContinuousClock.now + timeout
        let endpoint = configuration.endpoint.absoluteString
        let request = HTTPRequest(
            method: "POST", url: configuration.endpoint,
            fields: [
                HTTPField("Authorization", "Bearer " + token.reveal()),
                HTTPField("Content-Type", "text/plain; charset=utf-8"),
            ], body: Array(body.utf8))
        do throws(NetworkError) {
            let opened = try HTTPExchange.open(request, trust: configuration.trust, proxy: configuration.proxy, deadline: deadline)
            lock.lock()
            exchange = opened
            let stop = cancelled
            lock.unlock()
            defer {
                lock.lock()
                exchange = nil
                lock.unlock()
                opened.close()
            }
            if stop { return continuation.finish(throwing: failure(.cancelled, "cancelled")) }
            let status = opened.head.status
            guard status == 200 else {
                var answer: [UInt8] = []
                while answer.count < 64 * 1024, let piece = try opened.nextBodyPiece(deadline: deadline) { answer += piece }
                let text = Data(answer)
                let message = ResponseInterpreter.errorMessage(in: text)
                    ?? "HTTP \(status): " + String(decoding: text.prefix(300), as: UTF8.self)
                return continuation.finish(throwing: failure(ResponseInterpreter.kindForHTTPStatus(status, message: message), message))
            }
            while let piece = try opened.nextBodyPiece(deadline: deadline) {
                if !piece.isEmpty { continuation.yield(.output(Data(piece))) }
            }
            guard let value = opened.trailers.value(named: "X-Exe-Exit"), let exit = Int32(value.trimmingCharacters(in: .whitespaces)) else {
                return continuation.finish(
                    throwing: failure(.unexpectedResponse, "the response ended without an X-Exe-Exit trailer: the command's status is unknown"))
            }
            continuation.yield(.exit(exit))
            continuation.finish()
        } catch {
            if isCancelled { return continuation.finish(throwing: failure(.cancelled, "cancelled")) }
            continuation.finish(throwing: failure(HTTPSControlTransport.kind(of: error), "\(endpoint): \(error.message)"))
        }
    }

    private func failure(_ kind: ControlError.Kind, _ message: String) -> ControlError {
        ControlError(kind, Secret.redact(message, [token]), command: command)
    }
}
