@testable import ExeSystem
import Foundation
import Testing

@Suite("Proxy settings from the environment")
struct HTTPProxyTests {
    let api = URL(string: "https://exe.dev/exec")!

    @Test("https_proxy before HTTPS_PROXY, http_proxy for http URLs; host, port 80 by default, percent-decoded credentials; the description never shows them")
    func variables() throws {
        let both = try HTTPProxy.forURL(api, environment: ["https_proxy": "http://a:b%40c@proxy.corp:3128", "HTTPS_PROXY": "http://other:1"])
        #expect(both?.address == NetworkAddress(host: "proxy.corp", port: 3128))
        #expect(both?.credentials?.reveal() == "a:b@c")
        #expect(both?.description == "proxy.corp:3128")
        let bare = try HTTPProxy.forURL(api, environment: ["HTTPS_PROXY": "proxy.corp"])
        #expect(bare?.address == NetworkAddress(host: "proxy.corp", port: 80))
        #expect(bare?.credentials == nil)
        #expect(try HTTPProxy.forURL(api, environment: ["http_proxy": "http://p:1"]) == nil)
        #expect(try HTTPProxy.forURL(URL(string: "http://exe.dev/exec")!, environment: ["http_proxy": "http://p:1"])?.address.port == 1)
        #expect(try HTTPProxy.forURL(api, environment: ["https_proxy": "  "]) == nil)
        let v6 = try HTTPProxy.forURL(api, environment: ["HTTPS_PROXY": "http://[fd00::1]:8080"])
        #expect(v6?.address == NetworkAddress(host: "fd00::1", port: 8080))
    }

    @Test("localhost and loopback addresses never go through a proxy")
    func loopback() throws {
        let environment = ["HTTPS_PROXY": "http://proxy.corp:3128"]
        for url in ["https://localhost:8443/exec", "https://127.0.0.1/exec", "https://127.9.9.9/", "https://[::1]:443/", "https://[0:0:0:0:0:0:0:1]/"] {
            #expect(try HTTPProxy.forURL(URL(string: url)!, environment: environment) == nil, "\(url)")
        }
        #expect(try HTTPProxy.forURL(URL(string: "https://exe-sim.localhost/")!, environment: environment) != nil)
    }

    @Test("no_proxy: *, domains with and without a leading dot, *.domain, HOST:PORT, exact IPs; lowercase first")
    func exclusions() throws {
        func proxied(_ url: String, _ noProxy: String, variable: String = "no_proxy") throws -> Bool {
            try HTTPProxy.forURL(URL(string: url)!, environment: ["https_proxy": "http://p:1", variable: noProxy]) != nil
        }
        #expect(try !proxied("https://exe.dev/exec", "*"))
        #expect(try !proxied("https://exe.dev/exec", "example.com, exe.dev"))
        #expect(try !proxied("https://box.exe.xyz/", ".exe.xyz"))
        #expect(try !proxied("https://box.exe.xyz/", "exe.xyz"))
        #expect(try !proxied("https://box.exe.xyz/", "*.exe.xyz"))
        #expect(try proxied("https://notexe.xyz/", "exe.xyz"))
        #expect(try !proxied("https://exe.dev/exec", "exe.dev:443"))
        #expect(try proxied("https://exe.dev:8443/exec", "exe.dev:443"))
        #expect(try !proxied("https://10.1.2.3/", "10.1.2.3"))
        #expect(try proxied("https://10.1.2.4/", "10.1.2.3"))
        #expect(try !proxied("https://EXE.dev/exec", "exe.DEV", variable: "NO_PROXY"))
        #expect(try HTTPProxy.forURL(api, environment: ["https_proxy": "http://p:1", "no_proxy": "other", "NO_PROXY": "exe.dev"]) != nil)
    }

    @Test("an unsupported scheme or a value that does not parse names the variable and never repeats the value")
    func refusals() {
        for (value, words) in [("socks5://u:secret@p:1080", "names a socks5:// proxy"), ("https://u:secret@p:443", "names a https:// proxy"), ("http://u:secret@p:99999", "is not a proxy URL"), ("http://u:secret@p:1/path", "is not a proxy URL")] {
            let error = #expect(throws: NetworkError.self) { try HTTPProxy.forURL(api, environment: ["HTTPS_PROXY": value]) }
            #expect(error?.kind == .invalidRequest)
            #expect(error?.message.hasPrefix("HTTPS_PROXY ") == true && error?.message.contains(words) == true, "\(String(describing: error))")
            #expect(error?.message.contains("secret") == false)
        }
    }
}
