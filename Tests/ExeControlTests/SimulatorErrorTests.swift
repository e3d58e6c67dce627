@testable import ExeControl
import ExeSSH
import ExeSystem
import ExeTestSupport
import ExeTesting
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension SimulatorEndToEnd {
    /// Failures against a real `exe-sim`: each with its kind, the server's
    /// message, and the command it came from.
    @Suite(.timeLimit(.minutes(3)))
    struct ErrorTests {
        var sim: ControlSimulator { get throws { try ControlSimulatorScope.simulator } }

        static let commands = [
            "ls", "new", "rm", "restart", "rename", "tag", "comment", "stat", "cp", "resize", "whoami", "share show",
            "share set-public",
        ]

        @Test("a missing VM is notFound for every command that names one", arguments: Via.allCases)
        func notFound(_ via: Via) async throws {
            let sim = try sim
            try await sim.withClient(via, commands: Self.commands) { client in
                let ghost = via.name("no-such-vm")
                let quoted = "\"\(ghost)\""
                let cases: [(String, String, () async throws -> Void)] = [
                    ("restart", "VM \(quoted) not found", { try await client.restart(ghost) }),
                    ("rename", "vm \(quoted) not found", { try await client.rename(ghost, to: via.name("other-name")) }),
                    ("tag", "vm \(quoted) not found", { try await client.tag(ghost, ["x"]) }),
                    ("tag", "vm \(quoted) not found", { try await client.untag(ghost, ["x"]) }),
                    ("comment", "vm \(quoted) not found", { try await client.setComment(ghost, "hi") }),
                    ("stat", "VM not found: \(ghost)", { _ = try await client.stat(ghost) }),
                    ("cp", "vm \(quoted) not found", { _ = try await client.copy(ghost) }),
                    ("resize", "VM \(quoted) not found", { try await client.resize(ghost, ResizeOptions(cpus: 2)) }),
                    ("rm", "VM \(quoted) not found", { try await client.remove(ghost) }),
                    ("share show", "VM \(quoted) not found or access denied", { _ = try await client.share.show(ghost) }),
                    ("share set-public", "VM \(quoted) not found or access denied", { try await client.share.setPublic(ghost) }),
                ]
                for (command, message, body) in cases {
                    await #expect("\(command)") { try await body() } throws: { error in
                        guard let error = error as? ControlError else { return false }
                        #expect(error.kind == .notFound, "\(command): \(error.kind)")
                        #expect(error.message == message, "\(command)")
                        #expect(error.command.hasPrefix(command + " "), "\(command): \(error.command)")
                        if command == "rm" {
                            // rm itself succeeds and reports the VM it could not delete.
                        } else if via == .ssh {
                            // No exit status to check: exe.dev sends none for a failure
                            // (execore/ssh_server.go handleExec); the output decides.
                            #expect(error.httpStatus == nil, "\(command)")
                        } else {
                            #expect(error.httpStatus == 422 && error.exitStatus == nil, "\(command)")
                        }
                        return true
                    }
                }
            }
        }

        @Test("a taken name is nameNotAvailable for new, rename and cp", arguments: Via.allCases)
        func nameTaken(_ via: Via) async throws {
            let sim = try sim
            try await sim.withClient(via, commands: Self.commands) { client in
                let first = via.name("taken-one")
                let second = via.name("taken-two")
                _ = try await client.create(NewVMOptions(name: first))
                _ = try await client.create(NewVMOptions(name: second))
                await #expect { try await client.create(NewVMOptions(name: first)) } throws: {
                    isControlError($0, .nameNotAvailable, message: "VM name \"\(first)\" is not available")
                }
                await #expect { try await client.rename(second, to: first) } throws: {
                    isControlError($0, .nameNotAvailable, message: "name \"\(first)\" is not available")
                }
                await #expect { try await client.copy(second, as: first) } throws: {
                    isControlError($0, .nameNotAvailable, message: "name \"\(first)\" is not available")
                }
                // Reserved on the server only (its list is longer than the client's).
                #expect(!VMName.isReserved("sandbox"))
                await #expect { try await client.create(NewVMOptions(name: "sandbox")) } throws: {
                    isControlError($0, .nameNotAvailable, message: VMName.notAvailableMessage)
                }
                let removal = try await client.remove([first, second])
                #expect(removal.isComplete)
            }
        }

        @Test("comments: the local check and the server accept and refuse the same inputs, in the same words", arguments: Via.allCases)
        func commentMessages(_ via: Via) async throws {
            let sim = try sim
            let inputs = [
                "plain", "  padded  ", "a\tb", "a\nb", "a\rb", "a\u{7}b", "a\u{7F}b", "a\u{85}b", "x\u{202E}evol", "a\u{200B}b",
                "a\u{2067}b", "a\u{FEFF}b", "a<b", "a>b", "a&b", "a\"b", "a'b", "a`b", "a<b\tc", "a\tb<c", "a\u{7}b<c",
                String(repeating: "é", count: 101), String(repeating: "x", count: 200), "soft\u{AD}hyphen", "a\u{2060}b",
                "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}", "$(id) ; \\ | ü 中文 🚀",
            ]
            try await sim.withClient(via, commands: Self.commands) { client in
                let vm = via.name("comment-rules")
                _ = try await client.create(NewVMOptions(name: vm))
                for input in inputs {
                    let local: String?
                    do throws(ControlError) {
                        try VMComment.validate(input)
                        local = nil
                    } catch {
                        local = error.message
                    }
                    // Sent as is, past the local check.
                    let raw = ControlRequest(["comment"], arguments: [ControlWord(vm), ControlWord(input)])
                    let server: String?
                    do throws(ControlError) {
                        _ = try await client.execute(raw)
                        server = nil
                    } catch {
                        #expect(error.kind == .invalidArgument, "\(String(reflecting: input)): \(error.kind)")
                        server = error.message
                    }
                    #expect(local == server, "\(String(reflecting: input)): local \(String(describing: local)), server \(String(describing: server))")
                }
                try await client.remove(vm)
            }
        }

        @Test("invalid names are refused locally with the server's wording, and by the server", arguments: Via.allCases)
        func invalidNames(_ via: Via) async throws {
            let sim = try sim
            // Locally: nothing is sent.
            let (offline, recorder) = ControlClient.scripted("{}")
            for name in ["abc", "Bad_Name", "trailing-", "double--hyphen", "9starts-with-digit"] {
                await #expect { try await offline.create(NewVMOptions(name: name)) } throws: {
                    isControlError($0, .invalidArgument, message: VMName.invalidMessage)
                }
            }
            for name in ["hello-world", "admin", "web-p8080", "na123"] {
                await #expect { try await offline.create(NewVMOptions(name: name)) } throws: {
                    isControlError($0, .nameNotAvailable, message: VMName.notAvailableMessage)
                }
            }
            await #expect { try await offline.rename("some-vm", to: "Bad_Name") } throws: { isControlError($0, .invalidArgument) }
            await #expect { try await offline.copy("some-vm", as: "x") } throws: { isControlError($0, .invalidArgument) }
            #expect(recorder.commandLines.isEmpty)

            // The server says the same, in the same words.
            try await sim.withClient(via, commands: Self.commands) { client in
                for (name, kind, message) in [
                    ("Bad_Name", ControlError.Kind.invalidArgument, VMName.invalidMessage),
                    ("abc", .invalidArgument, VMName.invalidMessage),
                    ("hello-world", .nameNotAvailable, VMName.notAvailableMessage),
                    ("web-p8080", .nameNotAvailable, VMName.notAvailableMessage),
                ] {
                    let raw = ControlRequest(["new"], flags: [ControlFlag("name", ControlWord(name))])
                    await #expect { _ = try await client.execute(raw) } throws: { isControlError($0, kind, message: message) }
                }
                let existing = via.name("valid-name")
                _ = try await client.create(NewVMOptions(name: existing))
                let rename = ControlRequest(["rename"], arguments: [ControlWord(existing), "Bad_Name"])
                await #expect { _ = try await client.execute(rename) } throws: {
                    isControlError($0, .invalidArgument, message: "invalid new name: " + VMName.invalidMessage)
                }
                try await client.remove(existing)
            }
        }

        @Test("new --image with --registry-auth: the server's pull errors, the password redacted everywhere", arguments: Via.allCases)
        func registryAuth(_ via: Via) async throws {
            let sim = try sim
            let harness = sim.harness
            try await sim.withClient(via, commands: Self.commands) { client in
                let image = "\(harness.registry)/e2e/missing:1"
                let right = RegistryCredentials(username: harness.registryUser, password: harness.registryPassword)
                await #expect { try await client.create(NewVMOptions(name: via.name("image-missing"), image: image, registryAuth: right)) } throws: { error in
                    guard let error = error as? ControlError else { return false }
                    #expect(error.kind == .notFound)
                    #expect(error.message == "failed to pull image \"\(image)\": manifest unknown: image not found")
                    #expect(error.command.contains("--registry-auth=[REDACTED]"))
                    #expect(!"\(error) \(error.rawOutput ?? "")".contains(harness.registryPassword.reveal()))
                    return true
                }
                let wrongPassword = Secret("wr0ng 'pass' $(id)")
                let wrong = RegistryCredentials(username: harness.registryUser, password: wrongPassword)
                await #expect { try await client.create(NewVMOptions(name: via.name("image-denied"), image: image, registryAuth: wrong)) } throws: { error in
                    guard let error = error as? ControlError else { return false }
                    #expect(error.message.contains("authentication failed: check --registry-auth"), "\(error.message)")
                    #expect(!"\(error) \(error.rawOutput ?? "")".contains("wr0ng"))
                    return true
                }
                let leftovers = try await client.list(["\(via.rawValue)-image-*"])
                #expect(leftovers.vms.isEmpty)
            }
        }

        @Test("an unknown flag or command sent raw through execute", arguments: Via.allCases)
        func unknownFlagAndCommand(_ via: Via) async throws {
            let sim = try sim
            try await sim.withClient(via, commands: Self.commands) { client in
                let flag = ControlRequest(["whoami"], flags: [ControlFlag(set: "bogus")])
                await #expect { _ = try await client.execute(flag) } throws: { error in
                    guard let error = error as? ControlError else { return false }
                    #expect(error.kind == .invalidArgument)
                    #expect(error.message == "flag parsing error: flag provided but not defined: -bogus")
                    #expect(via == .ssh ? error.httpStatus == nil : error.httpStatus == 422)
                    return true
                }
                let longFlag = ControlRequest(["ls"], flags: [ControlFlag("sort", "name")])
                await #expect { _ = try await client.execute(longFlag) } throws: {
                    isControlError($0, .invalidArgument, message: "flag parsing error: flag provided but not defined: -sort")
                }
                let command = ControlRequest(["frobnicate"], arguments: ["now"])
                await #expect { _ = try await client.execute(command) } throws: { error in
                    guard let error = error as? ControlError else { return false }
                    #expect(error.kind == .unknownCommand)
                    #expect(via == .ssh ? error.httpStatus == nil : error.httpStatus == 404)
                    return true
                }
                // A local check the server makes too: new takes no positionals.
                let positional = ControlRequest(["new"], arguments: ["some-name"])
                await #expect { _ = try await client.execute(positional) } throws: {
                    isControlError($0, .invalidArgument, message: "\"new\" command has no subcommands and does not take positional arguments")
                }
            }
        }

        @Test("a token that may not run a command: permissionDenied (403)")
        func tokenNotAllowed() async throws {
            let sim = try sim
            let client = try await sim.httpsClient(commands: ["ls"])
            _ = try await client.list()
            for (name, body) in [
                ("whoami", { _ = try await client.whoami() }),
                ("new", { _ = try await client.create(NewVMOptions(name: "https-not-allowed")) }),
                ("share show", { _ = try await client.share.show("https-not-allowed") }),
            ] as [(String, () async throws -> Void)] {
                await #expect("\(name)") { try await body() } throws: { error in
                    guard let error = error as? ControlError else { return false }
                    #expect(error.kind == .permissionDenied, "\(name)")
                    #expect(error.httpStatus == 403)
                    #expect(error.message == "command not allowed by token permissions")
                    return true
                }
            }
            await client.close()
            #expect(try await sim.ssh.vm(named: "https-not-allowed") == nil)
        }

        @Test("authentication and host keys: unregistered key, invalid token, unknown host key")
        func authentication() async throws {
            let sim = try sim
            let stranger = try await SSHKeyPair.generate(type: "ed25519", at: sim.keys.file("stranger"))
            let unregistered = sim.sshClient(identity: stranger.privatePath)
            await #expect { try await unregistered.list() } throws: {
                isControlError($0, .authenticationFailed, message: "Please complete registration by running: ssh exe.dev")
            }
            await unregistered.close()

            let badToken = try ControlClient(configuration: .https(.init(
                endpoint: try #require(URL(string: sim.harness.apiURL)), token: Secret("exe1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))))
            await #expect { try await badToken.list() } throws: { error in
                guard let error = error as? ControlError else { return false }
                return error.kind == .authenticationFailed && error.httpStatus == 401 && error.message == "invalid token"
                    && !error.description.contains("AAAAAAAA")
            }
            await badToken.close()

            let emptyKnownHosts = try sim.keys.write("empty_known_hosts", "")
            var configuration = sim.harness.clientConfiguration(identity: sim.key.privatePath)
            configuration.knownHostsFiles = [emptyKnownHosts]
            let strict = ControlClient(transport: SSHControlTransport(configuration: .init(
                destination: sim.harness.controlDestination, ssh: configuration)))
            await #expect { try await strict.list() } throws: { isControlError($0, .hostKeyRejected) }
            await strict.close()
        }

        @Test("a body over 64 KiB: requestTooLarge before sending; the server's own 413")
        func requestTooLarge() async throws {
            let sim = try sim
            let huge = ControlRequest(["ls"], arguments: [ControlWord(String(repeating: "a", count: 70_000))])

            // Checked before sending: against a port nothing listens on, the
            // failure is still requestTooLarge, not a connection error.
            let nowhere = try ControlClient(configuration: .https(.init(
                endpoint: try #require(URL(string: "http://127.0.0.1:\(ExeTestPort.unused())/exec")), token: Secret("exe1.unused"))))
            await #expect { _ = try await nowhere.execute(huge) } throws: { error in
                guard let error = error as? ControlError else { return false }
                return error.kind == .requestTooLarge && error.httpStatus == nil && error.message.contains("64KB")
            }
            await nowhere.close()

            let client = try await sim.httpsClient(commands: ["ls"])
            await #expect { _ = try await client.execute(huge) } throws: { isControlError($0, .requestTooLarge) }
            // Exactly at the limit is sent (and then the server answers).
            let atLimit = ControlRequest(["ls"], arguments: [ControlWord(String(repeating: "a", count: HTTPSControlTransport.maximumBodyBytes - 3))])
            #expect(try await client.execute(atLimit).decodeLast(VMList.self).vms.isEmpty)
            await client.close()

            // The server's 413, with the local check bypassed.
            let token = try await sim.ssh.sshKeys.generateAPIKey(APIKeyOptions(label: sim.uniqueLabel("raw"), commands: ["ls"]))
            let raw = ControlClient(transport: UncheckedHTTPTransport(endpoint: try #require(URL(string: sim.harness.apiURL)), token: token.token))
            await #expect { _ = try await raw.execute(huge) } throws: { error in
                guard let error = error as? ControlError else { return false }
                return error.kind == .requestTooLarge && error.httpStatus == 413 && error.message == "request body exceeds 64KB limit"
            }
            let curl = try await sim.harness.exec(String(repeating: "a", count: HTTPSControlTransport.maximumBodyBytes + 1), token: token.token)
            #expect(curl.status == 413)
            #expect(curl.body == #"{"error":"request body exceeds 64KB limit"}"# + "\n")
        }
    }
}

/// POSTs a command to `/exec` without the client's size check, so a test
/// can see what the server answers to a body over the limit.
struct UncheckedHTTPTransport: ControlTransport {
    let endpoint: URL
    let token: Secret
    var appendsJSONFlag: Bool { false }

    func send(_ request: ControlRequest) async throws(ControlError) -> ControlResponse {
        var urlRequest = URLRequest(url: endpoint)
        urlRequest.httpMethod = "POST"
        urlRequest.httpBody = Data(request.commandLine(appendingJSONFlag: false).utf8)
        urlRequest.setValue("Bearer " + token.reveal(), forHTTPHeaderField: "Authorization")
        do {
            let (data, response) = try await URLSession.shared.data(for: urlRequest)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return ControlResponse(output: data, completion: .http(status: status, retryAfter: nil))
        } catch {
            throw ControlError(.transport, "\(error)")
        }
    }

    func close() async {}
}
