import Foundation
import ExeSystem

/// `POST /exec`: the HTTPS API with the real server's status codes and
/// error bodies, bearer exe1 tokens, command scoping, expiry, the 64 KiB
/// body limit, a 30 s command deadline and the per-key rate limit.
struct ExecAPI: Sendable {
    /// The largest body accepted.
    static let bodyLimit = 64 * 1024
    let configuration: SimConfiguration
    let store: StateStore
    let tree: CommandTree
    let limiter: TokenBucket
    let runner: SyncProcessRunner
    let clock: any SimClock
    let commandTimeout: Duration
    let authenticator: TokenAuthenticator

    /// What `/exec` answers: a whole response, or a command on a VM to stream.
    enum Answer: Sendable {
        case response(HTTPResponse)
        case vmCommand(VMCommandOverHTTP)
        /// `ssh VM CMD` on a paused VM: its sshd is frozen, so the request
        /// gets no answer (as SSH to the VM and its proxy get none).
        case unanswered
    }

    /// The caller a token stands for.
    private struct Caller {
        let key: AccountKey
        let cmds: [String]
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch answer(request) {
        case .response(let response): return response
        case .vmCommand, .unanswered: return .error(500, "internal error")
        }
    }

    func answer(_ request: HTTPRequest) -> Answer {
        guard request.method == "POST" else { return .response(.error(405, "method not allowed", headers: [("Allow", "POST")])) }
        guard let header = request.header("Authorization"), let space = header.firstIndex(of: " "),
            header[..<space].lowercased() == "bearer"
        else {
            return .response(.error(401, "missing or invalid Authorization header", headers: [("WWW-Authenticate", "Bearer")]))
        }
        let token = header[header.index(after: space)...].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else {
            return .response(.error(401, "missing or invalid Authorization header", headers: [("WWW-Authenticate", "Bearer")]))
        }
        guard let state = try? store.snapshot() else { return .response(.error(500, "internal error")) }
        let caller: Caller
        switch authenticate(token, state: state) {
        case .success(let found): caller = found
        case .failure(let response): return .response(response)
        }
        let key = caller.key
        if let expiry = key.expiresAt, expiry <= clock.now() { return .response(.error(403, "SSH key has expired")) }
        guard limiter.take(key.fingerprint) else { return .response(.error(429, "rate limit exceeded")) }
        if request.bodyTooLarge || request.body.count > Self.bodyLimit { return .response(.error(413, "request body exceeds 64KB limit")) }
        // Go reads any bytes: invalid UTF-8 reaches the lexer and the
        // command (here as U+FFFD, which is how Go's JSON shows it).
        if request.body.contains(0) { return .response(.error(400, "request body must not contain null bytes")) }
        let body = String(decoding: request.body, as: UTF8.self)
        let line = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty else { return .response(.error(400, "missing command in request body")) }
        let words: [String]
        do { words = try ShellWords.commandWords(line) } catch { return .response(.error(400, "invalid command syntax")) }
        // ResolveCommandName matches the words as typed (no lowercasing).
        guard let resolved = tree.resolve(words, matching: .exact) else { return .response(.error(404, "unknown command")) }
        guard caller.cmds.contains(resolved.canonicalName) else {
            return .response(.error(403, "command not allowed by token permissions"))
        }
        if let refusal = TagScope(key: key).refusal(forCommand: resolved.canonicalName) {
            return .response(.error(422, refusal))
        }
        if resolved.canonicalName == "ssh" { return vmCommand(resolved.arguments, key: key, state: state) }
        let invocation = ProcessInvocation(
            configuration.executable, ["control", "--state", configuration.stateDirectory, "--https", "--fingerprint", key.fingerprint],
            environment: ["EXE_SIM_COMMAND": line], timeout: commandTimeout)
        let output: ProcessOutput
        do {
            output = try runner.run(invocation)
        } catch ProcessRunnerError.timedOut {
            return .response(.error(504, "command timed out"))
        } catch {
            return .response(.error(500, "internal error"))
        }
        let text = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let bodyText = text.isEmpty ? "" : text + "\n"
        return .response(.json(output.status == 0 ? 200 : 422, bodyText))
    }

    /// The key and allowed commands for `token`: an exe1 token of
    /// `ssh-key generate-api-key` (looked up by hash), or an exe0 token (or
    /// an exe1 handle of one) validated like `validateToken`.
    private enum Authentication {
        case success(Caller)
        case failure(HTTPResponse)
    }

    private func authenticate(_ token: String, state: SimState) -> Authentication {
        let unauthorized = { (message: String) in HTTPResponse.error(401, message, headers: [("WWW-Authenticate", "Bearer")]) }
        if token.hasPrefix("exe1.") {
            guard APIToken.isWellFormed(token) else { return .failure(unauthorized("invalid token")) }
            let hash = APIToken.hash(token)
            if let key = state.keys.first(where: { $0.tokenHash == hash }) {
                // VM-scoped API keys sign for a VM's proxy, not for /exec.
                guard key.vm == nil else { return .failure(unauthorized("invalid token")) }
                return .success(Caller(key: key, cmds: key.cmds ?? APIToken.defaultCommands))
            }
        }
        do {
            let accepted = try authenticator.authenticate(token, namespace: TokenAuthenticator.apiNamespace, state: state, now: clock.now())
            return .success(Caller(key: accepted.key, cmds: accepted.cmds ?? APIToken.defaultCommands))
        } catch {
            return .failure(unauthorized(error.message))
        }
    }

    /// `ssh VM COMMAND`: checks the VM (and the key's tag scope), then streams.
    private func vmCommand(_ arguments: [String], key: AccountKey, state: SimState) -> Answer {
        switch VMCommandOverHTTP.parse(arguments) {
        case .failure(let failure):
            return .response(.json(422, JSONValue.object([("error", .string(failure.message))]).encoded() + "\n"))
        case .success(let target):
            let notFound = JSONValue.object([("error", .string("VM \(GoFlagParser.goQuote(target.vm)) not found"))]).encoded() + "\n"
            guard let vm = state.vm(named: target.vm), TagScope(key: key).allows(vm) else { return .response(.json(422, notFound)) }
            if vm.status == "paused" { return .unanswered }
            return .vmCommand(VMCommandOverHTTP(configuration: configuration, vmID: vm.id, commandLine: target.commandLine))
        }
    }
}
