public import ExeSystem
import Foundation

/// What a request to a VM URL got back.
public struct VMURLResponse: Sendable {
    /// The HTTP status (0: no answer).
    public var status: Int
    /// The response headers, names lowercased (the last value of each).
    public var headers: [String: String]
    /// The body.
    public var body: String
}

extension SimulatorHarness {
    /// Mints a VM-scoped API token (`ssh-key generate-api-key --vm`): it
    /// authenticates to that VM's URL only.
    public func mintVMToken(key: String, vm: String, label: String, exp: String? = nil) async throws -> Secret {
        var command = "ssh-key generate-api-key --json --label=\(ShellQuote.word(label)) --vm=\(ShellQuote.word(vm))"
        if let exp { command += " --exp=\(ShellQuote.word(exp))" }
        let output = try await ssh(command, key: key)
        guard output.status == 0,
            let object = try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any],
            let token = object["token"] as? String
        else { throw SimulatorHarnessError(message: "generate-api-key --vm failed: \(output.stdout)") }
        return Secret(token)
    }

    /// GETs (or `method`s) a VM URL with `curl --connect-to` through
    /// ``vmProxy``, not following redirects. `headers` are written to a
    /// 0600 header file (tokens never reach argv); `basicPassword` is sent
    /// as HTTP Basic with user `x`, through a 0600 netrc-style config file.
    public func fetch(
        _ url: String, headers: [String] = [], basicPassword: Secret? = nil, method: String = "GET", body: String? = nil
    ) async throws -> VMURLResponse {
        let id = UUID().uuidString
        var files: [String] = []
        defer { for file in files { unlink(file) } }
        var arguments = ["-s", "--max-time", "20", "-X", method, "-D", "-", "-w", "\n%{http_code}"] + curlConnectTo
        let headerFile = try directory.write("vmurl-headers-\(id)", headers.map { $0 + "\n" }.joined() + "X-Test-Request: 1\n", mode: 0o600)
        files.append(headerFile)
        arguments += ["-H", "@\(headerFile)"]
        if let basicPassword {
            let config = try directory.write("vmurl-config-\(id)", "user = \"x:\(basicPassword.reveal())\"\n", mode: 0o600)
            files.append(config)
            arguments += ["-K", config]
        }
        if let body {
            let bodyFile = try directory.write("vmurl-body-\(id)", body, mode: 0o600)
            files.append(bodyFile)
            arguments += ["--data-binary", "@\(bodyFile)"]
        }
        let output = try await LocalProcessRunner().run(ProcessInvocation("curl", arguments + [url], timeout: .seconds(30)))
        var text = output.stdout
        guard let cut = text.lastIndex(of: "\n") else { return VMURLResponse(status: 0, headers: [:], body: text) }
        let status = Int(text[text.index(after: cut)...]) ?? 0
        text = String(text[..<cut])
        var parsed: [String: String] = [:]
        var responseBody = text
        if let end = text.range(of: "\r\n\r\n") {
            for line in text[..<end.lowerBound].components(separatedBy: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                parsed[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            responseBody = String(text[end.upperBound...])
        }
        return VMURLResponse(status: status, headers: parsed, body: responseBody)
    }
}
