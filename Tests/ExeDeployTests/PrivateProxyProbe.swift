import ExeDeploy
import ExeSystem
import Foundation
import Synchronization

/// The exe.dev proxy in front of a private VM, as a health probe sees it:
/// without `X-Exedev-Authorization: Bearer <token>` every request is
/// redirected to the proxy's login URL (`exeweb/proxy.go` `RedirectToAuth`,
/// the shape exe-sim answers with too: `ProxySharingTests`); with it, the
/// app answers 200. The end-to-end deploy tests prove the same against the
/// simulator's proxy (`DeployEndToEndTests.blueGreen`).
final class PrivateProxyProbe: HTTPProbe {
    let token: String
    private let seen = Mutex<[String?]>([])

    init(token: String) { self.token = token }

    /// The authorization header of every request (`nil`: none).
    var authorizations: [String?] { seen.withLock { $0 } }

    func get(_ url: URL, headers: [String: Secret], timeout: Duration) async throws -> HTTPProbeResponse {
        let authorization = headers["X-Exedev-Authorization"]?.reveal()
        seen.withLock { $0.append(authorization) }
        guard authorization == "Bearer " + token else {
            let host = url.host ?? ""
            let path = url.path.isEmpty ? "/" : url.path
            let query = "exedev_host=\(host)&redirect=\(path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path)"
            return HTTPProbeResponse(status: 307, location: "https://\(host)/__exe.dev/login?\(query)")
        }
        return HTTPProbeResponse(status: 200, bodyPrefix: "ok")
    }
}
