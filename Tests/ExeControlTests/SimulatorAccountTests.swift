import ExeControl
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorEndToEnd {
    /// whoami, help, set-region, ssh-key and integrations against a real
    /// `exe-sim`, over SSH and over HTTPS.
    @Suite(.timeLimit(.minutes(3)))
    struct AccountTests {
        var sim: ControlSimulator { get throws { try ControlSimulatorScope.simulator } }

        static let commands = [
            "whoami", "help", "set-region", "new", "rm", "ssh-key list", "ssh-key add", "ssh-key remove", "ssh-key rename",
            "ssh-key generate-api-key", "integrations list", "integrations add", "integrations attach", "integrations detach",
            "integrations remove", "integrations rename",
        ]

        @Test("whoami, help, help for one command, set-region", arguments: Via.allCases)
        func accountAndHelp(_ via: Via) async throws {
            let sim = try sim
            try await sim.withClient(via, commands: Self.commands) { client in
                let account = try await client.whoami()
                #expect(account.email == "\(sim.harness.user)@exe-sim.localhost")
                let mine = try #require(account.sshKeys.first { $0.publicKey == sim.key.publicKey.split(separator: " ").prefix(2).joined(separator: " ") })
                #expect(mine.fingerprint?.hasPrefix("SHA256:") == true)
                // Over SSH the key of the session is the current one; HTTPS has no session key.
                #expect(mine.isCurrent == (via == .ssh))

                let index = try await client.help()
                let names = index.commands.map(\.name)
                #expect(Set(names).isSuperset(of: ["ls", "new", "rm", "share", "ssh-key", "integrations", "whoami"]))
                #expect(index.commands.first { $0.name == "share" }?.subcommands.count == 9)
                let ls = try await client.help(for: ["ls"])
                #expect(ls.command == "ls" && ls.usage?.hasPrefix("ls") == true)
                #expect(ls.flags.map(\.name).contains("a"))
                let shareShow = try await client.help(for: ["share", "show"])
                #expect(shareShow.command.contains("show"))
                await #expect { try await client.help(for: ["frobnicate"]) } throws: {
                    isControlError($0, .unknownCommand, message: "no help available for unrecognized command: frobnicate")
                }

                let region = try await client.setRegion("fra")
                #expect(region.region == "fra" && region.regionDisplay == "Frankfurt, Germany")
                #expect(try await client.whoami().region == "fra")
                await #expect { try await client.setRegion("mars") } throws: { isControlError($0, .invalidArgument) }
                // pdx exists but is gated (execore/ssh_set_region_command.go,
                // region.AvailableFor): a bad argument, not a taken name.
                await #expect { try await client.setRegion("pdx") } throws: {
                    isControlError($0, .invalidArgument, message: "region \"pdx\" is not available; choose from: lax, nyc, dal, fra, tyo, syd, sgp, lon")
                }
                #expect(try await client.whoami().region == "fra")
                #expect(try await client.setRegion("lax").region == "lax")
            }
        }

        @Test("ssh-key add, list, rename, remove; an added key logs in at once and a removed one stops working", arguments: Via.allCases)
        func sshKeys(_ via: Via) async throws {
            let sim = try sim
            let extra = try await SSHKeyPair.generate(type: "ed25519", at: sim.keys.file("extra-\(via.rawValue)"), comment: "extra-\(via.rawValue)")
            try await sim.withClient(via, commands: Self.commands) { client in
                let added = try await client.sshKeys.add(extra.publicKey)
                #expect(added.status == "added" && added.name == "extra-\(via.rawValue)")
                #expect(try await client.sshKeys.list().contains { $0.name == "extra-\(via.rawValue)" })
                await #expect { try await client.sshKeys.add(extra.publicKey) } throws: {
                    isControlError($0, .conflict, message: "this SSH key is already associated with your account")
                }

                let other = sim.sshClient(identity: extra.privatePath)
                #expect(try await other.whoami().sshKeys.first?.isCurrent == true)

                let renamed = try await client.sshKeys.rename("extra-\(via.rawValue)", to: "renamed-\(via.rawValue)")
                #expect(renamed.status == "renamed" && renamed.name == "renamed-\(via.rawValue)")
                #expect(renamed.oldName == "extra-\(via.rawValue)")
                let removed = try await client.sshKeys.remove("renamed-\(via.rawValue)")
                #expect(removed.status == "deleted" && removed.fingerprint?.hasPrefix("SHA256:") == true)
                #expect(try await client.sshKeys.list().allSatisfy { $0.name != "renamed-\(via.rawValue)" })

                // The key was removed: the next command on a new connection is refused.
                await other.close()
                await #expect { try await other.whoami() } throws: { isControlError($0, .authenticationFailed) }
                await other.close()

                await #expect { try await client.sshKeys.remove("renamed-\(via.rawValue)") } throws: {
                    isControlError($0, .notFound, message: "no matching SSH key found for \"renamed-\(via.rawValue)\"")
                }
                await #expect { try await client.sshKeys.add("ssh-ed25519 not-base64") } throws: { isControlError($0, .invalidArgument) }
            }
        }

        @Test("generate-api-key: a scoped, expiring token that works over HTTPS until its key is removed", arguments: Via.allCases)
        func apiKeys(_ via: Via) async throws {
            let sim = try sim
            try await sim.withClient(via, commands: Self.commands) { client in
                let label = sim.uniqueLabel("scoped-\(via.rawValue)")
                let key = try await client.sshKeys.generateAPIKey(APIKeyOptions(label: label, commands: ["whoami", "ssh-key list"], expiry: "7d"))
                #expect(key.label == label)
                #expect(key.token.reveal().hasPrefix("exe1."))
                #expect(key.namespace == "v0@exe.dev")
                #expect(key.fingerprint?.hasPrefix("SHA256:") == true)
                let expiry = try #require(key.expiresAt)
                #expect(abs(expiry.timeIntervalSinceNow - 7 * 86400) < 600)
                #expect(try await client.sshKeys.list().contains { $0.name == label })

                let scoped = try ControlClient(configuration: .https(.init(endpoint: try #require(URL(string: sim.harness.apiURL)), token: key.token)))
                #expect(try await scoped.whoami().email == "\(sim.harness.user)@exe-sim.localhost")
                #expect(try await scoped.sshKeys.list().contains { $0.name == label })
                await #expect { try await scoped.list() } throws: {
                    guard let error = $0 as? ControlError else { return false }
                    return error.kind == .permissionDenied && error.httpStatus == 403
                        && error.message == "command not allowed by token permissions"
                }

                _ = try await client.sshKeys.remove(label)
                await #expect { try await scoped.whoami() } throws: {
                    guard let error = $0 as? ControlError else { return false }
                    return error.kind == .authenticationFailed && error.httpStatus == 401
                }
                await scoped.close()

                // Like exe.dev, --cmds names are stored as given, unknown ones included.
                let odd = try await client.sshKeys.generateAPIKey(APIKeyOptions(label: label + "-odd", commands: ["frobnicate"]))
                #expect(odd.label == label + "-odd")
                _ = try await client.sshKeys.remove(label + "-odd")
            }
        }

        @Test("integrations list, add (http-proxy with a secret header, reflection), attach, detach, rename, remove", arguments: Via.allCases)
        func integrations(_ via: Via) async throws {
            let sim = try sim
            try await sim.withClient(via, commands: Self.commands) { client in
                // installDefaultReflectionIntegration: an ordinary integration
                // (not `builtin`) with its comment, attached to auto:all.
                let preinstalled = try #require(try await client.integrations.list().first { $0.name == "reflection" })
                #expect(preinstalled.type == "reflection" && !preinstalled.isBuiltin && preinstalled.attachments == ["auto:all"])
                #expect(preinstalled.comment?.hasPrefix("Installed by default for new users.") == true)
                // A type this client has no case for is listed as the server names it, not dropped.
                let llm = try #require(try await client.integrations.list().first { $0.name == "llm" })
                #expect(llm.type == "llm" && llm.attachments == ["auto:all"])

                let proxy = "\(via.rawValue)-proxy"
                let headerSecret = Secret("hdr-s3cret value")
                try await client.integrations.add(NewIntegration(
                    name: proxy, configuration: .httpProxy(target: "https://api.example.com", headers: [(name: "X-Api-Key", value: headerSecret)]),
                    attachments: ["tag:\(via.rawValue)-web"], comment: "the proxy"))
                let listed = try #require(try await client.integrations.list().first { $0.name == proxy })
                #expect(listed.type == "http-proxy")
                #expect(listed.attachments == ["tag:\(via.rawValue)-web"])
                #expect(listed.comment == "the proxy")
                let config = String(describing: listed.config)
                #expect(!config.contains(headerSecret.reveal()))
                #expect(config.contains("api.example.com") && config.contains("X-Api-Key:***"), "\(config)")

                let vm = via.name("int-box")
                _ = try await client.create(NewVMOptions(name: vm))
                try await client.integrations.attach(proxy, to: "vm:\(vm)")
                try await client.integrations.attach(proxy, to: "auto:all")
                #expect(try await client.integrations.list().first { $0.name == proxy }?.attachments
                    == ["tag:\(via.rawValue)-web", "vm:\(vm)", "auto:all"])
                await #expect { try await client.integrations.attach(proxy, to: "vm:\(vm)") } throws: {
                    isControlError($0, .conflict, message: "\(proxy) is already attached via vm:\(vm)")
                }
                try await client.integrations.detach(proxy, from: "auto:all")
                try await client.integrations.detach(proxy, from: "tag:\(via.rawValue)-web")
                #expect(try await client.integrations.list().first { $0.name == proxy }?.attachments == ["vm:\(vm)"])
                await #expect { try await client.integrations.detach(proxy, from: "auto:all") } throws: {
                    isControlError($0, .conflict, message: "\(proxy) is not attached via auto:all")
                }

                let reflection = "\(via.rawValue)-mirror"
                try await client.integrations.add(NewIntegration(name: reflection, configuration: .reflection(fields: ["email", "tags"])))
                await #expect { try await client.integrations.add(NewIntegration(name: reflection, configuration: .reflection())) } throws: {
                    isControlError($0, .conflict, message: "name \"\(reflection)\" is already in use")
                }

                let renamed = "\(via.rawValue)-renamed"
                try await client.integrations.rename(proxy, to: renamed)
                let names = try await client.integrations.list().map(\.name)
                #expect(names.contains(renamed) && !names.contains(proxy))
                try await client.integrations.remove(renamed)
                try await client.integrations.remove(reflection)
                let remaining = try await client.integrations.list().map(\.name)
                #expect(!remaining.contains(renamed) && !remaining.contains(reflection))
                await #expect { try await client.integrations.remove(renamed) } throws: {
                    isControlError($0, .notFound, message: "integration \"\(renamed)\" not found")
                }
                await #expect { try await client.integrations.attach("reflection", to: "vm:\(via.name("int-ghost"))") } throws: {
                    isControlError($0, .notFound)
                }
                try await client.remove(vm)
            }
        }
    }
}
