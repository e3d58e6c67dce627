import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Deploy configuration: file, variables, flags, sources")
struct ConfigurationTests {
    func resolve(
        _ yaml: String?, environment: [String: String] = [:], overrides: DeployOverrides = DeployOverrides(), validating: Bool = true
    ) throws -> DeployConfiguration {
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
        #expect(configuration.port.value == 4000 && configuration.port.source == .flag)
        #expect(configuration.vm.value == "shop-env" && configuration.vm.source == .environment)
        #expect(configuration.app.value == "shop" && configuration.app.source == .file)
        #expect(configuration.pattern.value == .compose)
        #expect(configuration.builder.value == .buildah)
        #expect(configuration.healthPath.value == "/healthz" && configuration.healthStatus.value == 204)
        #expect(configuration.healthTimeout.value == .seconds(120))
        #expect(configuration.composeService.value == "web")
        #expect(configuration.lockStaleAfter.value == .seconds(300))
        #expect(configuration.platform.value == "linux/amd64" && configuration.platform.source == .defaults)
        #expect(configuration.strategy.value == .blueGreen)
        // ghcr.io: the owner is the user, GHCR_TOKEN the token's variable.
        #expect(configuration.registryUser.value == "acme" && configuration.registryUser.source == .derived)
        #expect(configuration.registryPasswordEnv.value == "GHCR_TOKEN")
        #expect(configuration.registryPassword?.reveal() == "tok-123456")
        #expect(configuration.containerName.value == "shop" && configuration.containerName.source == .derived)
        #expect(configuration.actor.value.hasSuffix("@buildbox"))
    }

    @Test("deploy config rows show every setting and redact the token")
    func rows() throws {
        let configuration = try resolve(Self.sample, environment: ["GHCR_TOKEN": "tok-123456"])
        let rows = configuration.rows
        let text = rows.map { "\($0.name)=\($0.value) (\($0.source))" }.joined(separator: "\n")
        #expect(!text.contains("tok-123456"))
        #expect(rows.first { $0.name == "registry.password" }?.value == "[REDACTED]")
        #expect(rows.first { $0.name == "health.path" }?.source == "config file")
        #expect(rows.first { $0.name == "vm" }?.value == "shop-vm")
        let unset = try resolve(Self.sample)
        #expect(unset.rows.first { $0.name == "registry.password" }?.value == "(not set)")
    }

    @Test("without a file the app is named after the directory and a repository is required")
    func defaultsAndValidation() throws {
        let bare = try resolve(nil, validating: false)
        #expect(bare.app.source == .derived && bare.vm.source == .derived)
        #expect(bare.pattern.value == .replace)
        #expect(throws: DeployError.self) { try bare.validate() }
        var overrides = DeployOverrides()
        overrides.image = "ghcr.io/acme/site:v1"
        overrides.app = "site-app"
        let prebuilt = try resolve(nil, overrides: overrides)
        #expect(prebuilt.builder.value == .prebuilt && prebuilt.builder.source == .derived)
        #expect(prebuilt.prebuiltImage.value?.tag == "v1")
        #expect(DeployConfiguration.appName(fromDirectory: "/src/My_Cool.App") == "my-cool-app")
    }

    @Test("registry: exe and registry.vm name an exe-hosted registry: no repository needed; another scalar is refused; deploy init offers it")
    func exeHostedRegistry() throws {
        let scalar = try resolve("version: 1\napp: site-app\nregistry: exe\n")
        #expect(scalar.exeRegistryVM == "" && scalar.repository.value == nil)
        let named = try resolve("version: 1\napp: site-app\nregistry:\n  vm: my-registry\n")
        #expect(named.exeRegistryVM == "my-registry")
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
        #expect(fromFile.keepReleases.value == 3 && fromFile.keepReleases.source == .file)
        let row = try #require(fromFile.rows.first { $0.name == "replace.keepReleases" })
        #expect(row.value == "3" && row.source == "config file", "\(row)")
        let fromEnvironment = try resolve(Self.keeping, environment: ["EXE_DEPLOY_KEEP_RELEASES": "0"])
        #expect(fromEnvironment.keepReleases.value == 0 && fromEnvironment.keepReleases.source == .environment)
        var overrides = DeployOverrides()
        overrides.keepReleases = 2
        let fromFlag = try resolve(Self.keeping, environment: ["EXE_DEPLOY_KEEP_RELEASES": "0"], overrides: overrides)
        #expect(fromFlag.keepReleases.value == 2 && fromFlag.keepReleases.source == .flag)
        let byDefault = try resolve("version: 1\napp: shop-app\nimage:\n  repository: ghcr.io/a/b\n")
        #expect(byDefault.keepReleases.value == 1 && byDefault.keepReleases.source == .defaults)
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
