import ExeControl
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorEndToEnd {
    /// `share` and all its subcommands against a real `exe-sim`, over SSH
    /// and over HTTPS.
    @Suite(.timeLimit(.minutes(3)))
    struct ShareTests {
        var sim: ControlSimulator { get throws { try ControlSimulatorScope.simulator } }

        static let commands = [
            "new", "rm", "share show", "share port", "share set-public", "share set-private", "share add", "share remove",
            "share add-link", "share remove-link", "share receive-email",
        ]

        @Test("show, port, set-public/set-private, add/remove, add-link/remove-link, receive-email", arguments: Via.allCases)
        func everySubcommand(_ via: Via) async throws {
            let sim = try sim
            try await sim.withClient(via, commands: Self.commands) { client in
                let name = via.name("shared-box")
                _ = try await client.create(NewVMOptions(name: name))

                let initial = try await client.share.show(name)
                #expect(initial.name == name)
                #expect(initial.visibility == .private)
                #expect(initial.port == 8000)
                #expect(initial.users.isEmpty && initial.links.isEmpty && initial.teams.isEmpty)

                let port = try await client.share.port(name)
                #expect(port.name == name && port.port == 8000 && port.visibility == .private)
                let moved = try await client.share.setPort(name, 8080)
                #expect(moved.port == 8080 && moved.status == "updated")
                #expect(try await client.share.setPublic(name).visibility == .public)
                #expect(try await client.share.show(name).visibility == .public)
                #expect(try await client.share.setPrivate(name).visibility == .private)
                #expect(try await client.share.port(name).port == 8080)

                let invited = try await client.share.add(name, email: "friend@example.com", message: "have a look; $(id) 'now'")
                #expect(invited.status == "success" && invited.sharedWith == "friend@example.com")
                #expect(try await client.share.show(name).users.map(\.email) == ["friend@example.com"])
                await #expect { try await client.share.add(name, email: "friend@example.com") } throws: {
                    isControlError($0, .conflict, message: "\(name) is already shared with friend@example.com")
                }
                let uninvited = try await client.share.remove(name, email: "friend@example.com")
                #expect(uninvited.status == "success")
                #expect(try await client.share.show(name).users.isEmpty)
                // execore/ssh_share.go handleShareRemoveCmd: deleting nothing is no error.
                #expect(try await client.share.remove(name, email: "friend@example.com").message == "Removed friend@example.com's access")

                let link = try await client.share.addLink(name)
                let token = try #require(link.token)
                #expect(link.status == "success")
                #expect(link.url?.contains("share=\(token)") == true)
                #expect(try await client.share.show(name).links.map(\.token) == [token])
                #expect(try await client.share.removeLink(name, token: token).status == "success")
                #expect(try await client.share.show(name).links.isEmpty)
                // handleShareRemoveLinkCmd: an unknown token deletes nothing and succeeds.
                #expect(try await client.share.removeLink(name, token: token).message == "Share link removed")

                #expect(try await client.share.receiveEmail(name).enabled == false)
                let on = try await client.share.setReceiveEmail(name, enabled: true)
                #expect(on.enabled && on.address == "anything@\(name).exe.xyz" && on.status == "success")
                #expect(try await client.share.receiveEmail(name).enabled)
                #expect(try await client.share.setReceiveEmail(name, enabled: false).enabled == false)

                // Checked before sending, with the server's wording.
                await #expect { try await client.share.setPort(name, 80) } throws: {
                    isControlError($0, .invalidArgument, message: "port must be between 3000 and 9999, got \"80\"")
                }
                await #expect { try await client.share.add(name, email: "not-an-address") } throws: { isControlError($0, .invalidArgument) }
                let ghost = via.name("share-ghost")
                await #expect { try await client.share.show(ghost) } throws: {
                    isControlError($0, .notFound, message: "VM \"\(ghost)\" not found or access denied")
                }
                await #expect { try await client.share.setPublic(ghost) } throws: { isControlError($0, .notFound) }

                try await client.remove(name)
            }
        }
    }
}
