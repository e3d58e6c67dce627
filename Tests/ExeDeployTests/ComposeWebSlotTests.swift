@testable import ExeDeploy
import ExeYAML
import Foundation
import Testing

/// The side-by-side form of a compose file (``ComposeWebSlot``): pure text
/// in, text out.
@Suite("Compose web slots: which files can run side by side, and how")
struct ComposeWebSlotTests {
    static let builtIn = ComposeFileRenderer.defaultFile(
        app: "shop", service: "app", containerName: "shop", image: "registry.test/shop:v1", port: 8080, includeEnvironmentFile: true)

    @Test("the built-in file: the web service becomes app-8081 on host port 8081, container shop-8081, recorded under x-exe-deploy")
    func builtInFile() throws {
        let placed = try ComposeWebSlot.place(Self.builtIn, service: "app", port: 8081, project: "shop", builtIn: true)
        #expect(placed.slot == ComposeWebSlot(service: "app", slotService: "app-8081", port: 8081, containerName: "shop-8081"))
        let document = try #require(try BoundedYAML.load(placed.text) as? [String: Any])
        let services = try #require(document["services"] as? [String: Any])
        #expect(services.keys.sorted() == ["app-8081"])
        let web = try #require(services["app-8081"] as? [String: Any])
        #expect(web["ports"] as? [String] == ["8081:8080"])
        #expect(web["container_name"] as? String == "shop-8081")
        #expect(web["env_file"] as? [String] == ["/data/.env.production"] && web["volumes"] as? [String] == ["/data:/data"])
        #expect(document["name"] as? String == "shop")
        #expect(ComposeWebSlot.recorded(in: placed.text, project: "shop") == placed.slot)
        let containers = try ComposeFileRenderer.containers(in: placed.text, project: "shop")
        #expect(containers.map(\.name) == ["shop-8081"])
    }

    @Test("a file already in a slot (a rollback's) moves to the other slot with its own container name")
    func reslot() throws {
        let first = try ComposeWebSlot.place(Self.builtIn, service: "app", port: 8081, project: "shop", builtIn: true)
        let second = try ComposeWebSlot.place(first.text, service: "app", port: 8080, project: "shop", builtIn: false)
        #expect(second.slot == ComposeWebSlot(service: "app", slotService: "app-8080", port: 8080, containerName: "shop-8080"))
        let services = try #require((try BoundedYAML.load(second.text) as? [String: Any])?["services"] as? [String: Any])
        #expect(services.keys.sorted() == ["app-8080"])
        #expect((services["app-8080"] as? [String: Any])?["ports"] as? [String] == ["8080:8080"])
    }

    @Test("templates: a fixed host port, two ports or a service depending on the web service are refused; a bare container port is placed")
    func templates() throws {
        let fixed = "services:\n  web:\n    image: x\n    ports: [\"8080:8080\"]\n"
        #expect(throws: ComposeWebSlot.Refusal.self) { try ComposeWebSlot.place(fixed, service: "web", port: 8081, project: "p", builtIn: false) }
        let two = "services:\n  web:\n    image: x\n    ports: [\"8080\", \"9090\"]\n"
        #expect(throws: ComposeWebSlot.Refusal.self) { try ComposeWebSlot.place(two, service: "web", port: 8081, project: "p", builtIn: false) }
        let dependent = "services:\n  web:\n    image: x\n    ports: [\"8080\"]\n  worker:\n    image: y\n    depends_on: [web]\n"
        #expect(throws: ComposeWebSlot.Refusal.self) { try ComposeWebSlot.place(dependent, service: "web", port: 8081, project: "p", builtIn: false) }
        let good = "services:\n  web:\n    image: x\n    ports:\n      - target: 3000\n  db:\n    image: postgres\n    volumes: [\"pg:/var/lib/postgresql/data\"]\nvolumes:\n  pg: {}\n"
        let placed = try ComposeWebSlot.place(good, service: "web", port: 8081, project: "p", builtIn: false)
        #expect(placed.slot.containerName == "p-web-8081-1")
        let document = try #require(try BoundedYAML.load(placed.text) as? [String: Any])
        let services = try #require(document["services"] as? [String: Any])
        #expect(services.keys.sorted() == ["db", "web-8081"])
        #expect((services["web-8081"] as? [String: Any])?["ports"] as? [String] == ["8081:3000"])
        #expect((document["volumes"] as? [String: Any])?["pg"] as? [String: Any] != nil, "the db and its volume are kept as they were")
        #expect(ComposeWebSlot.isWeb("web-8081", service: "web") && !ComposeWebSlot.isWeb("web-db", service: "web"))
        #expect(ComposeWebSlot.ports(around: 9999) == [9999, 9998] && ComposeWebSlot.ports(around: 80) == nil)
    }
}
