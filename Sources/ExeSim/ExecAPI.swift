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

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard request.method == "POST" else { return .error(405, "method not allowed", headers: [("Allow", "POST")]) }
        guard let header = request.header("Authorization"), let space = header.firstIndex(of: " "),
            header[..<space].lowercased() == "bearer"
        else {
            return .error(401, "missing or invalid Authorization header", headers: [("WWW-Authenticate", "Bearer")])
        }
        let token = header[header.index(after: space)...].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return .error(401, "missing or invalid Authorization header", headers: [("WWW-Authenticate", "Bearer")]) }
        guard APIToken.isWellFormed(token) else { return .error(401, "invalid token") }
        let hash = APIToken.hash(token)
        guard let state = try? store.snapshot() else { return .error(500, "internal error") }
        guard let key = state.keys.first(where: { $0.tokenHash == hash }), key.vm == nil else { return .error(401, "invalid token") }
        if let expiry = key.expiresAt, expiry <= clock.now() { return .error(403, "SSH key has expired") }
        guard limiter.take(key.fingerprint) else { return .error(429, "rate limit exceeded") }
        if request.bodyTooLarge || request.body.count > Self.bodyLimit { return .error(413, "request body exceeds 64KB limit") }
        // Go reads any bytes: invalid UTF-8 reaches the lexer and the
        // command (here as U+FFFD, which is how Go's JSON shows it).
        if request.body.contains(0) { return .error(400, "request body must not contain null bytes") }
        let body = String(decoding: request.body, as: UTF8.self)
        let line = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty else { return .error(400, "missing command in request body") }
        let words: [String]
        do { words = try ShellWords.commandWords(line) } catch { return .error(400, "invalid command syntax") }
        guard let resolved = tree.resolve(words) else { return .error(404, "unknown command") }
        let allowed = key.cmds ?? APIToken.defaultCommands
        guard allowed.contains(resolved.canonicalName) else { return .error(403, "command not allowed by token permissions") }
        let invocation = ProcessInvocation(
            configuration.executable, ["control", "--state", configuration.stateDirectory, "--https", "--fingerprint", key.fingerprint],
            environment: ["EXE_SIM_COMMAND": line], timeout: commandTimeout)
        let output: ProcessOutput
        do {
            output = try runner.run(invocation)
        } catch ProcessRunnerError.timedOut {
            return .error(504, "command timed out")
        } catch {
            return .error(500, "internal error")
        }
        let text = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let bodyText = text.isEmpty ? "" : text + "\n"
        return .json(output.status == 0 ? 200 : 422, bodyText)
    }
}
