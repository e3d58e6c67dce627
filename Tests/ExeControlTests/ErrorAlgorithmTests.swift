@testable import ExeControl
import ExeSystem
import ExeTesting
import Foundation
import Testing

@Suite("The reference's error algorithm")
struct ErrorAlgorithmTests {
    /// The error `body` throws, or a recorded issue.
    func error(_ body: () async throws -> Void) async -> ControlError? {
        do {
            try await body()
            Issue.record("expected a ControlError")
            return nil
        } catch let error as ControlError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("an error object with exit 1 (or 255) is a failure with the server's message and the command")
    func errorObject() async throws {
        for status: Int32 in [1, 255] {
            let (client, _) = ControlClient.scripted(#"{"error":"VM \"nope\" not found"}"# + "\n", status: status)
            let failure = await error { try await client.restart("nope") }
            #expect(failure?.kind == .notFound)
            #expect(failure?.message == #"VM "nope" not found"#)
            #expect(failure?.command == "restart nope --json")
            #expect(failure?.exitStatus == status)
        }
    }

    @Test("{\"error\":…} with exit 0 is a failure (libssh2 1.10 reports a missing status as 0)")
    func errorWithExitZero() async throws {
        let (client, _) = ControlClient.scripted(#"{"error":"VM name \"taken-vm\" is not available"}"#, status: 0)
        let failure = await error { _ = try await client.create(.init(name: "taken-vm")) }
        #expect(failure?.kind == .nameNotAvailable)
    }

    @Test("plain-text flag errors, with exit 1 or a lost status")
    func plainTextFlagError() async throws {
        for status: Int32 in [1, 0] {
            let (client, _) = ControlClient.scripted("flag parsing error: flag provided but not defined: -frobnicate\n", status: status)
            let failure = await error { _ = try await client.list() }
            #expect(failure?.kind == .invalidArgument)
            #expect(failure?.message == "flag parsing error: flag provided but not defined: -frobnicate")
        }
        let (client, _) = ControlClient.scripted(#"exe.dev repl: command not found: "frob""#, status: 0)
        #expect(await error { _ = try await client.whoami() }?.kind == .unknownCommand)
        let (garbage, _) = ControlClient.scripted("Welcome to exe.dev!\n", status: 0)
        let failure = await error { _ = try await garbage.whoami() }
        #expect(failure?.kind == .unexpectedResponse)
        #expect(failure?.rawOutput == "Welcome to exe.dev!")
    }

    @Test("exit 255 with no output at all")
    func silentFailure() async throws {
        let (client, _) = ControlClient.scripted("", status: 255)
        let failure = await error { _ = try await client.whoami() }
        #expect(failure?.kind == .commandFailed)
        #expect(failure?.exitStatus == 255)
    }

    @Test("rm exits 0 with an error per failed VM, then the summary: a per-VM result")
    func removeStream() async throws {
        let output = """
            {"error":"VM \\"nope\\" not found"}
            {"error":"VM \\"held\\" is locked: \\"prod\\" (unlock it first with: unlock held)"}
            {"deleted":["gone-vm"],"failed":["nope","held"]}

            """
        let (client, transport) = ControlClient.scripted(output)
        let result = try await client.remove(["gone-vm", "nope", "held"])
        #expect(transport.commandLines == ["rm gone-vm nope held --json"])
        #expect(result.deleted == ["gone-vm"])
        #expect(result.failed == ["nope", "held"])
        #expect(!result.isComplete)
        #expect(result.failures.map(\.name) == ["nope", "held"])
        #expect(result.failures.map(\.kind) == [.notFound, .conflict])
        #expect(result.failures[1].message.contains("is locked"))

        let single = await error { try await client.remove("nope") }
        #expect(single?.kind == .notFound)

        let (clean, _) = ControlClient.scripted(#"{"deleted":["a-vm1"],"failed":[]}"#)
        #expect(try await clean.remove(["a-vm1"]).isComplete)
    }

    @Test("text commands over SSH succeed on their confirmation line only; empty output is not a confirmation")
    func emptySuccess() async throws {
        let (client, transport) = ControlClient.scripted("")
        #expect(await error { try await client.integrations.attach("proxy", to: "vm:my-vm") }?.kind == .unexpectedResponse)
        #expect(transport.commandLines == ["integrations attach proxy vm:my-vm"])
        let (texty, _) = ControlClient.scripted("Attached proxy to vm:my-vm\n")
        try await texty.integrations.attach("proxy", to: "vm:my-vm")
        let (removed, _) = ControlClient.scripted("Removed integration proxy\n")
        try await removed.integrations.remove("proxy")
        let (failing, _) = ControlClient.scripted("integration \"proxy\" not found\n", status: 0)
        #expect(await error { try await failing.integrations.remove("proxy") }?.kind == .notFound)
        let (emptyJSON, _) = ControlClient.scripted("")
        #expect(await error { _ = try await emptyJSON.whoami() }?.kind == .unexpectedResponse)
    }

    // execore/ssh_rename_command.go: the same name is answered with Writeln,
    // which prints nothing in JSON mode (exemenu/command_system.go).
    @Test("rename to the same name: empty output is success; any text or error object is a failure")
    func renameSame() async throws {
        let (client, transport) = ControlClient.scripted("")
        let result = try await client.rename("a-box", to: "a-box")
        #expect(result.status == "unchanged")
        #expect(transport.commandLines == ["rename a-box a-box --json"])
        let (texty, _) = ControlClient.scripted("flag parsing error: flag provided but not defined: -x\n")
        #expect(await error { try await texty.rename("a-box", to: "a-box") }?.kind == .invalidArgument)
        let (missing, _) = ControlClient.scripted(#"{"error":"vm \"a-box\" not found"}"#, status: 1)
        #expect(await error { try await missing.rename("a-box", to: "a-box") }?.kind == .notFound)
    }

    @Test("server messages map to kinds")
    func classification() {
        let cases: [(String, ControlError.Kind)] = [
            (#"vm "x" not found"#, .notFound), ("VM not found: x", .notFound),
            (#"VM "x" not found or access denied"#, .notFound), (#"no matching SSH key found for "k""#, .notFound),
            (#"name "b" is not available"#, .nameNotAvailable), ("invalid VM name: this VM name is not available", .nameNotAvailable),
            (#"VM name "b" is not available"#, .nameNotAvailable),
            // Only the VM-name messages are "name taken"; a closed region is a bad argument.
            ("region \"pdx\" is not available; choose from: lax, nyc", .invalidArgument),
            ("disk resize is not available on your current plan", .planLimit),
            ("You need an active plan to create VMs.\nManage your plan at https://exe.dev/user", .noActivePlan),
            ("You have reached the maximum number of VMs allowed on your plan.", .planLimit),
            ("resize is not available on your current plan", .planLimit),
            ("--memory cannot exceed 16 GB — run `billing update` to upgrade", .planLimit),
            ("command not allowed by SSH key permissions", .permissionDenied), ("SSH key has expired", .permissionDenied),
            // exemenu/command_system.go: a command whose Available check fails (share access outside a team).
            (#"exe.dev repl: command not available: "share access allow x --json""#, .permissionDenied),
            ("You're not in a team", .permissionDenied),
            ("Please complete registration by running: ssh exe.dev", .authenticationFailed),
            ("rate limit exceeded", .rateLimited), ("VM creation timed out, please try again.", .timeout),
            ("The server is temporarily unreachable, please try again.", .serverError),
            (#""new" command has no subcommands and does not take positional arguments"#, .invalidArgument),
            (#""share" subcommand "x" not found, valid "share" subcommands are: show, port"#, .unknownCommand),
            (#"tag "a" already exists on x"#, .conflict), ("vm rename not supported when vm is not running!", .conflict),
            (#"invalid tag name "X": must match [a-z][a-z0-9_-]*"#, .invalidArgument),
            ("unknown command", .unknownCommand), (#"unknown command in --cmds: "frobnicate""#, .invalidArgument),
        ]
        for (message, kind) in cases {
            #expect(ServerMessageClassifier.kind(for: message) == kind, "\(message)")
        }
        #expect(ServerMessageClassifier.kind(for: "failed to delete \"x\": boom") == nil)
    }

    @Test("secrets never reach an error: not in the command, not in the echoed message, not in raw output")
    func redaction() async throws {
        let secret = "p4ss\nw0rd-very-secret"
        let (client, _) = ControlClient.scripted(
            #"{"error":"invalid environment variable format \"TOKEN=p4ss\nw0rd-very-secret\": must be KEY=VALUE"}"#, status: 1)
        let failure = await error {
            _ = try await client.create(.init(environment: [EnvironmentVariable(name: "TOKEN", secret: Secret(secret))]))
        }
        let shown = "\(failure.map { "\($0) \($0.message) \($0.rawOutput ?? "")" } ?? "")"
        #expect(!shown.contains("w0rd-very-secret"))
        #expect(shown.contains("[REDACTED]"))

        let (text, _) = ControlClient.scripted("unexpected: me:hunter2222 leaked\n", status: 0)
        let raw = await error {
            _ = try await text.create(.init(registryAuth: RegistryCredentials(username: "me", password: Secret("hunter2222"))))
        }
        #expect(raw?.rawOutput?.contains("hunter2222") == false)
        #expect(raw?.message.contains("hunter2222") == false)
    }

    @Test("HTTP statuses map to kinds, 422 by the body's message")
    func httpStatuses() throws {
        let request = ControlRequest(["whoami"])
        let cases: [(Int, String, ControlError.Kind)] = [
            (400, #"{"error":"invalid command syntax"}"#, .invalidArgument),
            (401, #"{"error":"invalid token"}"#, .authenticationFailed),
            (403, #"{"error":"command not allowed by token permissions"}"#, .permissionDenied),
            (404, #"{"error":"unknown command"}"#, .unknownCommand),
            (413, #"{"error":"request body exceeds 64KB limit"}"#, .requestTooLarge),
            (422, #"{"error":"VM \"x\" not found"}"#, .notFound),
            (422, #"{"error":"something odd"}"#, .commandFailed),
            (429, #"{"error":"rate limit exceeded"}"#, .rateLimited),
            (500, #"{"error":"internal error"}"#, .serverError),
            (504, #"{"error":"command timed out"}"#, .timeout),
            (502, "<html>bad gateway</html>", .serverError),
        ]
        for (status, body, kind) in cases {
            let response = ControlResponse(output: Data(body.utf8), completion: .http(status: status, retryAfter: nil))
            #expect(throws: ControlError.self) {
                try ResponseInterpreter.interpret(response, for: request, appendedJSONFlag: false)
            }
            do {
                _ = try ResponseInterpreter.interpret(response, for: request, appendedJSONFlag: false)
            } catch {
                #expect(error.kind == kind, "HTTP \(status)")
                #expect(error.httpStatus == status)
            }
        }
        let ok = ControlResponse(output: Data(), completion: .http(status: 200, retryAfter: nil))
        let empty = try ResponseInterpreter.interpret(
            ok, for: ControlRequest(["integrations", "remove"], expectedOutput: .confirmation(linePrefixes: ["Removed integration "])),
            appendedJSONFlag: false)
        #expect(empty.isEmpty)
    }

    // execore/ssh_server.go handleExec: a failed command's channel closes with
    // no exit status, which libssh2 1.10 reads as 0. A text-mode command is a
    // success only when it prints its handler's confirmation line.
    @Test("over SSH a text command without its confirmation line fails, whatever the status")
    func textCommandsNeedTheirConfirmation() throws {
        let request = ControlRequest(
            ["integrations", "attach"], definesJSONFlag: false, expectedOutput: .confirmation(linePrefixes: ["Attached "]))
        for message in ["invalid attachment spec \"bogus\"", "target must not be empty", "something new the client has never seen"] {
            let response = ControlResponse(output: Data((message + "\n").utf8), completion: .exitStatus(0))
            #expect(throws: ControlError.self, "\(message)") {
                _ = try ResponseInterpreter.interpret(response, for: request, appendedJSONFlag: true)
            }
            do {
                _ = try ResponseInterpreter.interpret(response, for: request, appendedJSONFlag: true)
            } catch {
                #expect(error.message == message)
            }
        }
        let silent = ControlResponse(output: Data(), completion: .exitStatus(0))
        #expect(throws: ControlError.self) { _ = try ResponseInterpreter.interpret(silent, for: request, appendedJSONFlag: true) }
        let attached = ControlResponse(output: Data("Attached hook to vm:box\n".utf8), completion: .exitStatus(0))
        let output = try ResponseInterpreter.interpret(attached, for: request, appendedJSONFlag: true)
        #expect(output.text == "Attached hook to vm:box\n")
    }

    @Test("the JSON stream splitter handles several values, strings with braces, and rejects text")
    func splitter() {
        let data = Data(#"{"a":"}{\"x"} [1,2] "s" 12 true null"#.utf8)
        #expect(JSONValueStream.split(data)?.map { String(decoding: $0, as: UTF8.self) } == [#"{"a":"}{\"x"}"#, "[1,2]", #""s""#, "12", "true", "null"])
        #expect(JSONValueStream.split(Data("not json".utf8)) == nil)
        #expect(JSONValueStream.split(Data(#"{"a":1"#.utf8)) == nil)
        #expect(JSONValueStream.split(Data("  \n".utf8)) == [])
    }
}
