import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites.ControlPlaneTests {
    /// execore/ssh_share.go at 7524fcac, handler by handler: usage texts
    /// first, then the VM (`BoxWithOwnerNamed`), then the subcommand's checks
    /// (`share port` checks the port before the VM); `team` in any case;
    /// addresses trimmed and lowercased before `isValidEmail`; deleting a
    /// share or link that does not exist succeeds (`:exec` queries);
    /// `share port` on a public VM keeps it public and says the old port is
    /// now private; the texts are the handlers' `Writeln` lines, the JSON
    /// objects Go maps (sorted keys); `share access` is `Available:
    /// ss.isInTeam` (exemenu/command_system.go: "command not available").
    @Test func shareHandlersCheckInTheServersOrderWithItsWording() async throws {
        let sim = try sim
        /// The output with every `humanize.Time` age replaced by `AGE`, as
        /// the server's e1e goldens do.
        func succeed(_ command: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
            let output = try await sim.control(command)
            #expect(output.status == 0, "\(command): \(output.stdout)", sourceLocation: sourceLocation)
            return output.stdout.replacingOccurrences(
                of: #"(invited|created) (now|[0-9]+ seconds? ago|1 minute ago)"#, with: "$1 AGE", options: .regularExpression)
        }
        let vm = "share-order"
        let url = "http://\(vm).exe-sim.localhost"
        let notFound = #"VM "ghost-vm" not found or access denied"#
        _ = try await sim.newVM(vm)

        // Usage texts: the handlers count arguments before anything else.
        try await expectTextRefusal("share show", "usage: share show <vm>")
        try await expectTextRefusal("share port", "usage: share port <vm> [port]")
        try await expectTextRefusal("share set-public", "usage: share set-public <vm>")
        try await expectTextRefusal("share set-private \(vm) extra", "usage: share set-private <vm>")
        try await expectTextRefusal("share add \(vm)", "usage: share add <vm> <email|team> [--message='...']")
        try await expectTextRefusal("share remove \(vm)", "usage: share remove <vm> <email|team>")
        try await expectTextRefusal("share add-link", "usage: share add-link <vm>")
        try await expectTextRefusal("share remove-link \(vm)", "usage: share remove-link <vm> <token>")
        try await expectTextRefusal("share receive-email", "usage: share receive-email <vm> [on|off]")
        // share port reads the port first; every other check follows the VM lookup.
        try await expectTextRefusal("share port ghost-vm 80", #"port must be between 3000 and 9999, got "80""#)
        try await expectTextRefusal("share port ghost-vm 8080", notFound)
        try await expectTextRefusal("share add ghost-vm not-an-email", notFound)
        try await expectTextRefusal("share add ghost-vm team", notFound)
        try await expectTextRefusal("share remove ghost-vm team", notFound)
        try await expectTextRefusal("share receive-email ghost-vm maybe", notFound)
        try await expectTextRefusal("share remove-link ghost-vm tok", #"VM "ghost-vm" not found or share link 'tok' not found"#)
        try await expectTextRefusal("share add \(vm) TEAM", "You're not in a team")
        try await expectTextRefusal("share remove \(vm) Team", "You're not in a team")
        try await expectTextRefusal("share add \(vm) Not-An-Email", #"invalid email address: "not-an-email""#)
        try await expectTextRefusal("share add \(vm) friend@example.c0", #"invalid email address: "friend@example.c0""#)
        try await expectTextRefusal("share receive-email \(vm) maybe", #"invalid value "maybe": use on or off"#)
        try await expectTextRefusal("share access allow \(vm) --json", #"exe.dev repl: command not available: "share access allow share-order --json""#)
        try await expectTextRefusal(
            "share bogus \(vm)",
            #""share" subcommand "bogus" not found, valid "share" subcommands are: show, port, set-public, set-private, add, remove, add-link, remove-link, receive-email, access"#)

        #expect(try await succeed("share show \(vm)") == """

            Sharing for VM 'share-order'
            URL: \(url)/
            Port: 8000
            Mode: Private

            No shares configured.

            To share with someone, use:
              share add share-order user@example.com
              share add-link share-order


            """)
        #expect(try await succeed("share port \(vm)") == "\nRoute configuration for VM 'share-order':\n  Port: 8000\n  Share: private\n\n")
        #expect(try await succeed("share port \(vm) --json") == #"{"port":8000,"share":"private","vm_name":"share-order"}"# + "\n")
        #expect(try await succeed("share set-public \(vm)") == "\(url)/ is now public (port 8000).\n")
        // The public route follows the default port; the old port becomes owner-only.
        #expect(try await succeed("share port \(vm) 8081") == """
            \(url)/ now points to port 8081 (public).
            Port 8000 is now private. Only the default port can be public.

            """)
        #expect(try await succeed("share add \(vm) ' Friend@Example.com' --message=hi") == """

            ✓ Invitation sent to friend@example.com

            friend@example.com will receive an email with access instructions.
            You can also share this URL directly: \(url)
            (They'll need to log in with friend@example.com to access it)

            Note: This VM is currently PUBLIC. The share will only take effect if you make it private.
            To make it private: share set-private share-order


            """)
        try await expectTextRefusal("share add \(vm) FRIEND@example.com", "share-order is already shared with friend@example.com")
        let link = try await sim.json("share add-link \(vm) --json")
        let token = try #require(link["token"] as? String)
        #expect(token.count == 26 && token.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) }, "crypto/rand.Text: \(token)")
        #expect(try await succeed("share remove-link \(vm) \(token) --json") == #"{"message":"Share link removed","status":"success","vm_name":"share-order"}"# + "\n")
        let linkText = try await succeed("share add-link \(vm)")
        let second = try #require(linkText.split(separator: "?share=").last?.prefix(26)).description
        #expect(linkText == """

            ✓ Share link created

            Note: This VM is currently PUBLIC (no authentication required).
            The share link will only matter if you make the VM private.

            Anyone with this link can access your VM after logging in:
            \(url)/?share=\(second)

            To revoke this link, use:
              share remove-link share-order \(second)


            """)
        // The account's own address is an existing user: an active share.
        let email = try #require(try await sim.json("whoami --json")["email"] as? String)
        _ = try await sim.json("share add \(vm) \(email) --json")
        #expect(try await succeed("share show \(vm)") == """

            Sharing for VM 'share-order'
            URL: \(url)/
            Port: 8081
            Mode: PUBLIC - Anyone can access this VM without authentication

            Note: This VM is publicly accessible. Individual shares are not needed.
            To make it private, use: share set-private share-order

            Existing shares (will take effect if VM becomes private):

            Shared with users:
              friend@example.com (invited AGE)
              \(email.lowercased()) (active, invited AGE)

            Share links:
              \(second) (created AGE, used 0 times)


            """)
        let shown = try await sim.control("share show \(vm) --json")
        let object = try JSONLines.object(shown.stdout)
        let users = try #require(object["users"] as? [[String: Any]])
        let links = try #require(object["links"] as? [[String: Any]])
        let invited = try users.map { try #require($0["invited_at"] as? String) }
        let created = try #require(links.first?["created_at"] as? String)
        #expect(shown.stdout == """
            {"links":[{"token":"\(second)","created_at":"\(created)","use_count":0,"last_used_at":null}],"port":8081,"status":"public",\
            "team_access":false,"team_shelley":false,"team_ssh":false,"teams":[],"url":"\(url)",\
            "users":[{"email":"friend@example.com","status":"pending","invited_at":"\(invited.first ?? "")"},\
            {"email":"\(email.lowercased())","status":"active","invited_at":"\(invited.last ?? "")"}],"vm_name":"share-order"}

            """)
        #expect(try await succeed("share set-private \(vm)") == "\(url)/ is now private (port 8081).\n")
        #expect(try await succeed("share port \(vm) 8000 --json") == """
            {"port":8000,"share":"private","status":"updated","team_access":false,"team_shelley":false,"team_ssh":false,"vm_name":"share-order"}

            """)
        // Nothing to delete is no error.
        #expect(try await succeed("share remove \(vm) nobody@example.com") == "\n✓ Removed nobody@example.com's access to 'share-order'\n\n")
        #expect(try await succeed("share remove-link \(vm) NOSUCHTOKEN") == "\n✓ Removed share link NOSUCHTOKEN\n\n")
        #expect(try await succeed("share remove-link \(vm) \(second)") == "\n✓ Removed share link \(second)\n\n")
        #expect(try await succeed("share remove \(vm) \(email) --json") == """
            {"message":"Removed \(email.lowercased())'s access","status":"success","vm_name":"share-order"}

            """)
        // The last share gone: a message only, the route is unchanged.
        #expect(try await succeed("share remove \(vm) FRIEND@example.com") == """

            ✓ Removed friend@example.com's access to 'share-order'
            ✓ VM 'share-order' is now private (no shares remaining)


            """)

        #expect(try await succeed("share receive-email \(vm)") == """

            Inbound email for VM "share-order" is disabled
            To enable: share receive-email share-order on


            """)
        #expect(try await succeed("share receive-email \(vm) ON --json") == """
            {"email_address":"anything@share-order.exe.xyz","email_enabled":true,"status":"success","vm_name":"share-order"}

            """)
        #expect(try await succeed("share receive-email \(vm) --json") == """
            {"email_address":"anything@share-order.exe.xyz","email_enabled":true,"vm_name":"share-order"}

            """)
        #expect(try await succeed("share receive-email \(vm) off") == "\n✓ Inbound email disabled for VM \"share-order\"\n\n")
        _ = try await sim.json("rm \(vm) --json")
    }
}
