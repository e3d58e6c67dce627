import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Deploy configuration: file, variables, flags, sources")
struct ConfigurationTests {
    func resolve(
        _ yaml: String?, environment: [String: String] = [:], overrides: DeployOverrides = DeployOverrides(), validating: Bool = true
    ) throws -> SettingsResolution<DeployConfiguration> {
        let directory = try TemporaryDirectory(prefix: "exe-deploy-config")
        defer { directory.remove() }
        if let yaml { try directory.write("exe.deploy.yaml", yaml) }
        return try DeployConfiguration.resolve(
            overrides: overrides, repositoryRoot: directory.path, environment: environment, hostName: "buildbox", validating: validating)
    }

    static let sample = """
        version: 1
        app: shop
        pattern: compose
        vm: shop-vm
        port: 3000
        image:
          repository: ghcr.io/acme/shop
          builder: buildah
        health:
          path: /healthz
          status: 204
          timeout: 2m
        compose:
          service: web
        lock:
          staleAfter: 5m
        """

    @Test("flags beat EXE_DEPLOY_* variables, which beat the file, which beats defaults; each value knows its source")
    func precedence() throws {
        var overrides = DeployOverrides()
        overrides.port = 4000
        let configuration = try resolve(
            Self.sample, environment: ["EXE_DEPLOY_PORT": "3500", "EXE_DEPLOY_VM": "shop-env", "GHCR_TOKEN": "tok-123456"],
            overrides: overrides)
        #expect(configuration.value.port == 4000 && configuration.source(of: "port") == .flag)
        #expect(configuration.value.vm == "shop-env" && configuration.source(of: "vm") == .environment(variable: "EXE_DEPLOY_VM"))
        #expect(configuration.value.app == "shop" && configuration.rows.first { $0.name == "app" }?.sourceText == "config file")
        #expect(configuration.value.pattern == .compose)
        #expect(configuration.value.builder == .buildah)
        #expect(configuration.value.healthPath == "/healthz" && configuration.value.healthStatus == 204)
        #expect(configuration.value.healthTimeout == .seconds(120))
        #expect(configuration.value.compose.service == "web")
        #expect(configuration.value.lockStaleAfter == .seconds(300))
        #expect(configuration.value.platform == "linux/amd64" && configuration.source(of: "image.platform") == .defaults)
        #expect(configuration.value.replace.strategy == .blueGreen)
        // ghcr.io: the owner is the user, GHCR_TOKEN the token's variable.
        #expect(configuration.value.registryUser == "acme" && configuration.source(of: "registry.user") == .derived)
        #expect(configuration.value.registryPasswordEnv == "GHCR_TOKEN")
        #expect(configuration.value.registryPassword?.reveal() == "tok-123456")
        #expect(configuration.value.containerName == "shop" && configuration.source(of: "compose.containerName") == .derived)
        #expect(configuration.value.actor.hasSuffix("@buildbox"))
    }

    @Test("deploy config rows show every setting and redact the token")
    func rows() throws {
        let configuration = try resolve(Self.sample, environment: ["GHCR_TOKEN": "tok-123456"])
        let rows = configuration.rows
        let text = rows.map { "\($0.name)=\($0.value) (\($0.sourceText))" }.joined(separator: "\n")
        #expect(!text.contains("tok-123456"))
        #expect(rows.first { $0.name == "registry.password" }?.value == "[REDACTED]")
        #expect(rows.first { $0.name == "health.path" }?.sourceText == "config file")
        #expect(rows.first { $0.name == "vm" }?.value == "shop-vm")
        let unset = try resolve(Self.sample)
        #expect(unset.rows.first { $0.name == "registry.password" }?.value == "(not set)")
    }

    @Test("without a file the app is named after the directory and a repository is required")
    func defaultsAndValidation() throws {
        let bare = try resolve(nil, validating: false)
        #expect(bare.source(of: "app") == .derived && bare.source(of: "vm") == .derived)
        #expect(bare.value.pattern == .replace)
        #expect(throws: DeployError.self) { try bare.validate() }
        var overrides = DeployOverrides()
        overrides.image = "ghcr.io/acme/site:v1"
        overrides.app = "site-app"
        let prebuilt = try resolve(nil, overrides: overrides)
        #expect(prebuilt.value.builder == .prebuilt && prebuilt.source(of: "image.builder") == .derived)
        #expect(prebuilt.value.prebuiltImage?.tag == "v1")
        #expect(DeployConfiguration.appName(fromDirectory: "/src/My_Cool.App") == "my-cool-app")
    }

    @Test("registry: exe and registry.vm name an exe-hosted registry: no repository needed; another scalar is refused; deploy init offers it")
    func exeHostedRegistry() throws {
        let scalar = try resolve("version: 1\napp: site-app\nregistry: exe\n")
        #expect(scalar.value.exeRegistryVM == "" && scalar.value.repository == nil)
        let named = try resolve("version: 1\napp: site-app\nregistry:\n  vm: my-registry\n")
        #expect(named.value.exeRegistryVM == "my-registry")
        #expect(throws: DeployError.self) { try resolve("version: 1\napp: site-app\nregistry: ghcr\n") }
        #expect(throws: DeployError.self) { try resolve("version: 1\napp: site-app\n") }
        // deploy init writes the choice, commented out, when no repository was found; it reads back as unset.
        let text = DeployConfigurationWriter.render(DeployConfigurationFile())
        #expect(text.contains("  # vm: \"reg-NAME\"  # no outside registry: a private one on your VM (exe-cli registry up"))
        #expect(try DeployConfigurationFile.parse(text, file: "exe.deploy.yaml").exeRegistry == nil)
    }

    @Test("mistakes are reported with the key and the file: unknown keys, wrong types, versions, bad values")
    func mistakes() throws {
        func message(_ yaml: String, environment: [String: String] = [:]) -> String {
            do {
                _ = try resolve(yaml, environment: environment)
                return "no error"
            } catch let error as DeployError {
                #expect(error.kind == .configuration)
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(message("version: 1\napp: shop\nimage:\n  repo: x\n").contains("unknown setting image.repo"))
        #expect(message("version: 2\n").contains("version 2"))
        let missing = message("app: shop-app\nimage:\n  repository: ghcr.io/a/b\n")
        #expect(missing.contains("exe.deploy.yaml has no version") && missing.contains("add `version: 1`"), "\(missing)")
        #expect(message("").contains("has no version"))
        #expect(message("version: 1\napp: shop\nport: eighty\n").contains("port must be a whole number"))
        #expect(message("version: 1\napp: shop\npattern: kubernetes\n").contains("not one of replace, compose"))
        #expect(message("version: 1\napp: Shop_1\nimage:\n  repository: ghcr.io/a/b\n").contains("app \"Shop_1\""))
        #expect(message("version: 1\napp: shop-app\nimage:\n  repository: ghcr.io/a/b:v1\n").contains("must not have a tag"))
        #expect(message("version: 1\napp: shop-app\nhealth:\n  timeout: soon\nimage:\n  repository: ghcr.io/a/b\n").contains("invalid duration"))
        #expect(
            message("version: 1\napp: shop-app\nimage:\n  repository: ghcr.io/a/b\n", environment: ["EXE_DEPLOY_STRATEGY": "canary"])
                .contains("EXE_DEPLOY_STRATEGY"))
        #expect(message("version: 1\napp: shop\n").contains("5-45"))
    }

    @Test("image references: registry, path, tag, digest, loopback")
    func imageReferences() throws {
        let ghcr = try #require(ImageReference("ghcr.io/acme/shop:v1"))
        #expect(ghcr.registry == "ghcr.io" && ghcr.path == "acme/shop" && ghcr.tag == "v1" && ghcr.repository == "ghcr.io/acme/shop")
        let local = try #require(ImageReference("127.0.0.1:5000/hello"))
        #expect(local.registry == "127.0.0.1:5000" && local.tag == nil && local.isLoopbackRegistry)
        #expect(local.tagged("abc-1").description == "127.0.0.1:5000/hello:abc-1")
        // Only loopback turns TLS verification off for a push: not a name that starts like an address.
        #expect(try #require(ImageReference("[::1]:5000/hello")).isLoopbackRegistry)
        #expect(try #require(ImageReference("localhost:5000/hello")).isLoopbackRegistry)
        #expect(try !#require(ImageReference("127.example.com:5000/hello")).isLoopbackRegistry)
        #expect(try !#require(ImageReference("127.0.0.1.example.com/hello")).isLoopbackRegistry)
        let hub = try #require(ImageReference("nginx:1.27"))
        #expect(hub.registry == "docker.io" && hub.repository == "nginx")
        let pinned = try #require(ImageReference("ghcr.io/a/b:v1@sha256:abcd"))
        #expect(pinned.digest == "sha256:abcd" && pinned.description == "ghcr.io/a/b:v1@sha256:abcd")
        #expect(ImageReference("https://ghcr.io/a") == nil)
        #expect(ImageReference("ghcr.io/Acme/b") == nil)
    }
}

extension ConfigurationTests {
    static let keeping = "version: 1\napp: shop-app\nimage:\n  repository: ghcr.io/a/b\nreplace:\n  strategy: blue-green\n  keepReleases: 3\n"

    @Test("replace.keepReleases: the file's value, beaten by EXE_DEPLOY_KEEP_RELEASES, beaten by --keep-releases; each with its source")
    func keepReleasesPrecedence() throws {
        let fromFile = try resolve(Self.keeping)
        #expect(fromFile.value.replace.keepReleases == 3 && fromFile.rows.first { $0.name == "replace.keepReleases" }?.sourceText == "config file")
        let row = try #require(fromFile.rows.first { $0.name == "replace.keepReleases" })
        #expect(row.value == "3" && row.sourceText == "config file", "\(row)")
        let fromEnvironment = try resolve(Self.keeping, environment: ["EXE_DEPLOY_KEEP_RELEASES": "0"])
        #expect(fromEnvironment.value.replace.keepReleases == 0 && fromEnvironment.source(of: "replace.keepReleases") == .environment(variable: "EXE_DEPLOY_KEEP_RELEASES"))
        var overrides = DeployOverrides()
        overrides.keepReleases = 2
        let fromFlag = try resolve(Self.keeping, environment: ["EXE_DEPLOY_KEEP_RELEASES": "0"], overrides: overrides)
        #expect(fromFlag.value.replace.keepReleases == 2 && fromFlag.source(of: "replace.keepReleases") == .flag)
        let byDefault = try resolve("version: 1\napp: shop-app\nimage:\n  repository: ghcr.io/a/b\n")
        #expect(byDefault.value.replace.keepReleases == 1 && byDefault.source(of: "replace.keepReleases") == .defaults)
    }

    @Test("replace.keepReleases must be a whole number, 0 or more: the error names the file and the line")
    func keepReleasesValidation() throws {
        func message(_ value: String) -> String {
            do {
                _ = try resolve("version: 1\napp: shop-app\n# releases\nimage:\n  repository: ghcr.io/a/b\nreplace:\n  strategy: blue-green\n  keepReleases: \(value)\n")
                return "no error"
            } catch let error as DeployError {
                #expect(error.kind == .configuration)
                return error.message
            } catch {
                return "\(error)"
            }
        }
        for bad in ["-1", "two", "1.5", "true", "[1]"] {
            let text = message(bad)
            #expect(text.contains("exe.deploy.yaml:8: replace.keepReleases must be a whole number, 0 or more"), "\(bad): \(text)")
        }
        #expect(message("0") == "no error")
        #expect(message("\"4\"") == "no error", "a quoted number is a number, as for every other whole-number setting")
        // A bad variable or flag names itself.
        var overrides = DeployOverrides()
        overrides.keepReleases = -2
        #expect(throws: DeployError.self) { try resolve(Self.keeping, overrides: overrides) }
        do {
            _ = try resolve(Self.keeping, environment: ["EXE_DEPLOY_KEEP_RELEASES": "-1"])
            Issue.record("EXE_DEPLOY_KEEP_RELEASES=-1 was accepted")
        } catch let error as DeployError {
            #expect(error.message.contains("EXE_DEPLOY_KEEP_RELEASES"), "\(error.message)")
        }
        // Another block-style setting gets its line too.
        do {
            _ = try resolve("version: 1\napp: shop\nport: eighty\n")
        } catch let error as DeployError {
            #expect(error.message.hasSuffix("/exe.deploy.yaml:3: port must be a whole number"), "\(error.message)")
        }
    }
}

extension ConfigurationTests {
    @Test("a configuration made in code has the defaults a resolved one has; its suggested commands name the app with flags")
    func madeInCode() throws {
        let yaml = "version: 1\napp: shop\npattern: compose\nimage:\n  repository: ghcr.io/acme/shop\ncompose:\n  service: web\n"
        let resolved = try resolve(yaml, environment: ["EXE_DEPLOY_ACTOR": "me@here"]).value
        let made = DeployConfiguration(
            app: "shop", pattern: .compose, repositoryRoot: resolved.repositoryRoot, repository: ImageReference("ghcr.io/acme/shop"),
            compose: ComposeSettings(service: "web"), actor: "me@here", hostName: "buildbox")
        try made.validate()
        #expect(made.app == resolved.app && made.vm == resolved.vm && made.pattern == resolved.pattern && made.port == resolved.port)
        #expect(made.repository == resolved.repository && made.prebuiltImage == resolved.prebuiltImage && made.builder == resolved.builder)
        #expect(made.platform == resolved.platform && made.context == resolved.context && made.dockerfile == resolved.dockerfile)
        // ghcr.io: the owner is the user and GHCR_TOKEN the token's variable, in code as in the file.
        #expect(made.registryUser == "acme" && made.registryUser == resolved.registryUser)
        #expect(made.registryPasswordEnv == "GHCR_TOKEN" && made.registryPasswordEnv == resolved.registryPasswordEnv)
        #expect(made.healthPath == resolved.healthPath && made.healthStatus == resolved.healthStatus)
        #expect(made.healthTimeout == resolved.healthTimeout && made.healthInterval == resolved.healthInterval)
        #expect(made.replace == resolved.replace)
        #expect(made.compose.service == resolved.compose.service && made.compose.file == resolved.compose.file)
        #expect(made.compose.docker == resolved.compose.docker && made.compose.envFile == resolved.compose.envFile)
        #expect(made.containerName == "shop" && made.containerName == resolved.containerName)
        #expect(made.lockStaleAfter == resolved.lockStaleAfter && made.actor == resolved.actor && made.hostName == resolved.hostName)
        // The file names the app, so the resolved configuration's commands need no flags; one made in code has no file.
        #expect(resolved.command("unlock") == "exe-cli deploy unlock")
        #expect(made.command("unlock") == "exe-cli deploy unlock --app shop --vm shop --pattern compose")
        // A prebuilt image makes the builder prebuilt unless one is chosen.
        let prebuilt = DeployConfiguration(app: "shop-app", repositoryRoot: "/src/shop", prebuiltImage: ImageReference("ghcr.io/acme/shop:v1"))
        #expect(prebuilt.builder == .prebuilt && prebuilt.vm == "shop-app")
        try prebuilt.validate()
    }

    @Test("validation of a configuration made in code names the setting; a resolved one also says where the value came from")
    func validationSources() throws {
        let made = DeployConfiguration(app: "Shop_1", repositoryRoot: "/src/shop", repository: ImageReference("ghcr.io/a/b"))
        let plain = #expect(throws: DeployError.self) { try made.validate() }
        #expect(plain?.message.hasPrefix("app \"Shop_1\": use 1-45 lowercase letters") == true, "\(String(describing: plain))")
        let resolution = try resolve("version: 1\napp: Shop_1\nimage:\n  repository: ghcr.io/a/b\n", validating: false)
        let sourced = #expect(throws: DeployError.self) { try resolution.validate() }
        #expect(sourced?.message.hasPrefix("app \"Shop_1\" (config file): use") == true, "\(String(describing: sourced))")
        var overrides = DeployOverrides()
        overrides.vm = "ab"
        let shortVM = try resolve("version: 1\napp: shop\nimage:\n  repository: ghcr.io/a/b\n", overrides: overrides, validating: false)
        let target = #expect(throws: DeployError.self) { try shortVM.validateTarget() }
        #expect(target?.message.hasPrefix("vm \"ab\" (flag): a VM name has 5-45") == true, "\(String(describing: target))")
    }

    @Test("deploy config rows encode as name, value and the printed source")
    func rowEncoding() throws {
        let resolution = try resolve(Self.sample)
        let row = try #require(resolution.rows.first { $0.name == "health.path" })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(row), as: UTF8.self)
        #expect(json == #"{"name":"health.path","source":"config file","value":"\/healthz"}"#, "\(json)")
        #expect(resolution.files.count == 1 && resolution.files.first == resolution.value.filePath)
    }
}
