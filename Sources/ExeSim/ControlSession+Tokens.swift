import Foundation

extension ControlSession {
    /// `exe0-to-exe1 [--vm=VM] TOKEN` (`execore/exe0_to_exe1_command.go`):
    /// validates an exe0 token of this account (signature in the API or the
    /// VM's namespace, `exp` but not `nbf`) and returns a short exe1 handle
    /// for it, the same one for the same exe0.
    func exe0ToExe1() throws {
        guard arguments.count == 1 else { throw CommandFailure("usage: exe0-to-exe1 [--vm=VMNAME] <exe0-token>") }
        let token = arguments[0]
        var namespace = TokenAuthenticator.apiNamespace
        let state = try store.snapshot()
        if let vmFlag = flags.string("vm"), !vmFlag.isEmpty {
            let vmName = normalizedVMName(vmFlag)
            guard state.vm(named: vmName) != nil else {
                throw CommandFailure("VM \(GoFlagParser.goQuote(vmName)) not found or access denied")
            }
            namespace = TokenAuthenticator.vmNamespace(vmName)
        }
        let parsed: ExeZeroToken
        do { parsed = try ExeZeroToken(token) } catch { throw CommandFailure("invalid token: \(error.message)") }
        guard let key = state.key(fingerprint: parsed.fingerprint) else { throw CommandFailure("invalid token") }
        let verifier = TokenSignatureVerifier(runner: SyncProcessRunner(), scratchDirectory: configuration.stateDirectory + "/tmp/tokens")
        guard verifier.verify(message: parsed.payloadBytes, signature: parsed.signature, publicKey: key.publicKey, namespace: namespace)
        else { throw CommandFailure("invalid token") }
        do { try parsed.checkClaims(now: now, trade: true) } catch { throw CommandFailure("token has expired") }
        let when = now
        let expiresAt = parsed.payload.exp.map { Date(timeIntervalSince1970: TimeInterval($0)) }
            ?? Date(timeIntervalSince1970: 43_874_208_000)  // 3333-03-03, as the server stores "never"
        let exe1: String = try store.update { state in
            if let existing = state.exe1Tokens?.first(where: { $0.exe0 == token && $0.expiresAt > when }) { return existing.token }
            let fresh = "exe1." + RandomToken.base32(count: 26)
            state.exe1Tokens = (state.exe1Tokens ?? []) + [Exe1Handle(token: fresh, exe0: token, expiresAt: expiresAt)]
            return fresh
        }
        output.json(.object([("token", .string(exe1))]))
        output.line(exe1)
    }
}
