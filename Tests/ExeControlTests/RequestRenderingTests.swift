@testable import ExeControl
import ExeSystem
import Testing

@Suite("Rendering requests into command lines")
struct RequestRenderingTests {
    @Test("positionals first, then --flag=value, then --json only over SSH")
    func order() throws {
        let request = try ControlRequest.stat("my-vm", range: .week)
        #expect(request.commandLine(appendingJSONFlag: true) == "stat my-vm --range=7d --json")
        #expect(request.commandLine(appendingJSONFlag: false) == "stat my-vm --range=7d")
    }

    @Test("commands without a --json flag never get one")
    func noJSONFlag() throws {
        let request = try ControlRequest.attachIntegration("proxy", "vm:my-vm")
        #expect(request.commandLine(appendingJSONFlag: true) == "integrations attach proxy vm:my-vm")
        #expect(ControlRequest.listIntegrations.commandLine(appendingJSONFlag: true) == "integrations list --json")
    }

    @Test("every word is single-quoted when it needs to be, ' written as '\\''")
    func quoting() throws {
        let request = try ControlRequest.comment("my-vm", "$(rm -rf /); echo \\ ok")
        #expect(request.commandLine(appendingJSONFlag: true) == #"comment my-vm '$(rm -rf /); echo \ ok' --json"#)
        let apostrophe = ControlRequest(["share", "add"], arguments: ["my-vm", "a@b.co"], flags: [ControlFlag("message", "it's me")])
        #expect(apostrophe.commandLine(appendingJSONFlag: false) == #"share add my-vm a@b.co '--message=it'\''s me'"#)
        // go-shlex drops an empty word ('' would make `comment my-vm` a usage
        // error on exe.dev); the server trims the text, so a space clears it.
        let empty = try ControlRequest.comment("my-vm", "")
        #expect(empty.commandLine(appendingJSONFlag: false) == "comment my-vm ' '")
    }

    @Test("flag values with spaces are quoted as one word")
    func flagValues() throws {
        let request = try ControlRequest.create(
            NewVMOptions(name: "my-app", image: "ghcr.io/me/app:1", comment: "blog server", tags: ["prod", "web"]))
        #expect(
            request.commandLine(appendingJSONFlag: true)
                == "new --name=my-app --image=ghcr.io/me/app:1 --no-email '--comment=blog server' --tag=prod --tag=web --json")
    }

    @Test("a positional that starts with - goes after -- so it is not read as a flag")
    func dashPositional() throws {
        let request = try ControlRequest.comment("my-vm", "-- draft")
        #expect(request.commandLine(appendingJSONFlag: true) == "comment --json -- my-vm '-- draft'")
    }

    @Test("ls filters and -a; rm several; tag -d")
    func listRemoveTag() throws {
        #expect(ControlRequest.list(filters: ["prod", "web-*"], includeTeam: true).commandLine(appendingJSONFlag: true) == "ls prod 'web-*' --a --json")
        #expect(try ControlRequest.remove(["a-vm1", "b-vm2"]).commandLine(appendingJSONFlag: true) == "rm a-vm1 b-vm2 --json")
        #expect(try ControlRequest.tag("my-vm", ["a", "b"], remove: true).commandLine(appendingJSONFlag: false) == "tag my-vm a b --d")
    }

    @Test("share, ssh-key and integrations subcommands")
    func subcommands() throws {
        #expect(try ControlRequest.share(["set-public"], "my-vm").commandLine(appendingJSONFlag: true) == "share set-public my-vm --json")
        #expect(try ControlRequest.share(["access", "allow"], "my-vm").commandLine(appendingJSONFlag: false) == "share access allow my-vm")
        #expect(try ControlRequest.sharePort("my-vm", 8080).commandLine(appendingJSONFlag: false) == "share port my-vm 8080")
        #expect(
            try ControlRequest.shareAdd("my-vm", email: "a@b.co", message: "hi there").commandLine(appendingJSONFlag: true)
                == "share add my-vm a@b.co '--message=hi there' --json")
        #expect(
            try ControlRequest.addSSHKey("ssh-ed25519 AAAAC3 me@laptop\n").commandLine(appendingJSONFlag: true)
                == "ssh-key add 'ssh-ed25519 AAAAC3 me@laptop' --json")
        #expect(
            try ControlRequest.generateAPIKey(.init(label: "ci", commands: ["ls", "ssh-key list"], expiry: "30d"))
                .commandLine(appendingJSONFlag: false) == "ssh-key generate-api-key --label=ci '--cmds=ls,ssh-key list' --exp=30d")
        #expect(
            try ControlRequest.copy("src-vm", as: "dst-vm", options: .init(copyTags: false)).commandLine(appendingJSONFlag: true)
                == "cp src-vm dst-vm --copy-tags=false --json")
        #expect(
            try ControlRequest.resize("my-vm", .init(memory: ByteSize("4GB"), cpus: 4, disk: ByteSize("50")))
                .commandLine(appendingJSONFlag: false) == "resize my-vm --memory=4GB --cpu=4 --disk=50")
    }

    @Test("secrets are sent, but redacted in the command line for messages")
    func secrets() throws {
        let token = Secret("s3cr3t-t0ken")
        let request = try ControlRequest.create(
            NewVMOptions(
                name: "my-app", environment: [EnvironmentVariable(name: "TOKEN", secret: token), EnvironmentVariable(name: "MODE", value: "a b")],
                registryAuth: RegistryCredentials(username: "me", password: Secret("hunter22"))))
        let sent = request.commandLine(appendingJSONFlag: false)
        #expect(sent.contains("--env=TOKEN=s3cr3t-t0ken"))
        #expect(sent.contains("--registry-auth=me:hunter22"))
        let shown = request.redactedCommandLine()
        #expect(!shown.contains("s3cr3t"))
        #expect(!shown.contains("hunter22"))
        #expect(shown.contains("'--env=TOKEN=[REDACTED]'"))
        #expect(shown.contains("'--env=MODE=a b'"))
        #expect(shown.contains("'--registry-auth=[REDACTED]'"))
        #expect(request.redact("invalid \"TOKEN=s3cr3t-t0ken\"") == "invalid \"TOKEN=[REDACTED]\"")
    }

    @Test("secrets are redacted where the server echoes them JSON-escaped (\\u0026 \\u003c \\u003e \\u00XX) or %q-quoted, once or twice")
    func escapedSecrets() throws {
        let request = try ControlRequest.create(
            NewVMOptions(environment: [EnvironmentVariable(name: "TOKEN", secret: Secret("p&ss<w>rd\u{1}\u{8}x\u{2028}"))]))
        let echoes = [
            // encoding/json (HTML-safe, Go 1.22+ and older)
            #"TOKEN=p\u0026ss\u003cw\u003erd\u0001\bx\u2028"#,
            #"TOKEN=p\u0026ss\u003cw\u003erd\u0001\u0008x\u2028"#,
            // %q, then that inside a JSON string
            #"TOKEN=p&ss<w>rd\x01\bx\u2028"#,
            #"TOKEN=p\u0026ss\u003cw\u003erd\\x01\\bx\\u2028"#,
            // JSON inside JSON
            #"TOKEN=p\\u0026ss\\u003cw\\u003erd\\u0001\\bx\\u2028"#,
            // raw
            "TOKEN=p&ss<w>rd\u{1}\u{8}x\u{2028}",
        ]
        for echo in echoes {
            let redacted = request.redact(#"{"error":"invalid environment variable \"\#(echo)\""}"#)
            #expect(redacted == #"{"error":"invalid environment variable \"TOKEN=[REDACTED]\""}"#, "\(echo)")
        }
        let escaping = ControlRequest.EchoEscaping.self
        #expect(escaping.json.escape("<&>\u{1F}é") == #"\u003c\u0026\u003e\u001fé"#)
        #expect(escaping.goQuote.escape("\u{7}\u{7F}\u{85}\u{202E}é") == #"\a\x7f\u0085\u202eé"#)
    }

    @Test("HTTP proxy header values and bearer tokens are secret")
    func integrationSecrets() throws {
        let request = try ControlRequest.addIntegration(
            NewIntegration(
                name: "api", configuration: .httpProxy(target: "https://api.example.com", headers: [("X-Key", Secret("abcdef123"))]),
                attachments: ["tag:prod"]))
        #expect(
            request.commandLine(appendingJSONFlag: true)
                == "integrations add http-proxy --name=api --attach=tag:prod --target=https://api.example.com --header=X-Key:abcdef123")
        #expect(request.redactedCommandLine() == "integrations add http-proxy --name=api --attach=tag:prod --target=https://api.example.com '--header=X-Key:[REDACTED]'")
        let bearer = try ControlRequest.addIntegration(
            NewIntegration(name: "api", configuration: .httpProxy(target: "https://api.example.com", bearer: Secret("bearer-xyz"))))
        #expect(bearer.redactedCommandLine() == "integrations add http-proxy --name=api --target=https://api.example.com '--bearer=[REDACTED]'")
    }

    /// execore/ssh_integrations_command.go: `--header` is a `flag.String` (a
    /// second one silently replaces the first) and handleAddHTTPProxy
    /// refuses a header together with a bearer.
    @Test("an http-proxy integration takes one header, or a bearer, not more: refused before anything is sent")
    func oneHeader() {
        let two = NewIntegration(
            name: "api", configuration: .httpProxy(target: "https://api.example.com", headers: [("X-A", Secret("1")), ("X-B", Secret("2"))]))
        #expect(throws: ControlError.self) { try ControlRequest.addIntegration(two) }
        let both = NewIntegration(
            name: "api", configuration: .httpProxy(target: "https://api.example.com", headers: [("X-A", Secret("1"))], bearer: Secret("b")))
        #expect { try ControlRequest.addIntegration(both) } throws: { ($0 as? ControlError)?.message == "--header and --bearer are mutually exclusive" }
    }

    @Test("setup scripts double their backslashes so the server's unescaping restores them")
    func setupScript() throws {
        let script = "#!/bin/sh\nprintf 'a\\nb' > /tmp/x\n"
        let request = try ControlRequest.create(NewVMOptions(setupScript: script))
        let flag = request.flags.first { $0.name == "setup-script" }!
        #expect(flag.value?.revealed == "#!/bin/sh\nprintf 'a\\\\nb' > /tmp/x\n")
    }
}
