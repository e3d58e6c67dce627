import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A VM's `https_url`: a loopback port whose connections are forwarded,
/// byte for byte, to the loopback port podman published for the VM's
/// current proxy port. When nothing serves that port it answers 503 and
/// says why.
struct VMProxy: Sendable {
    let paths: SimPaths
    let store: StateStore

    /// Serves one accepted connection on `httpPort`, then closes it.
    func serve(client: Int32, httpPort: Int) {
        defer { close(client) }
        LoopbackSocket.setTimeout(client, .seconds(30))
        guard let vm = (try? store.snapshot())?.vms.first(where: { $0.httpPort == httpPort }) else {
            respond(client, status: 404, "exe-sim: no VM uses this port any more\n")
            return
        }
        let containers = VMContainers.load(paths.vm(vm.id).containers)
        guard let hostPort = containers.hostPort(forVMPort: vm.proxyPort) else {
            var reason = "exe-sim: nothing serves port \(vm.proxyPort) of VM \(vm.name)"
            if let problem = containers.problem {
                reason += ": \(problem)"
            } else if vm.image == nil {
                reason += ": the VM has no image and no container publishes this port (run one with docker compose, ports \"\(vm.proxyPort):...\", or change the port with share port)"
            } else {
                reason += ": the VM's image does not expose it; change the port with share port"
            }
            respond(client, status: 503, reason + "\n")
            return
        }
        guard let upstream = try? LoopbackSocket.connect(port: hostPort, timeout: .seconds(5)) else {
            respond(client, status: 503, "exe-sim: port \(vm.proxyPort) of VM \(vm.name) is not answering (nothing listens on 127.0.0.1:\(hostPort), where its container publishes it)\n")
            return
        }
        defer { close(upstream) }
        pipe(client, upstream)
    }

    private func respond(_ client: Int32, status: Int, _ text: String) {
        _ = try? HTTPReader(fd: client, deadline: .now + .seconds(30)).readHead()
        let response = HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Data(text.utf8))
        LoopbackSocket.writeAll(client, response.serialized())
    }

    /// Copies bytes both ways until both sides have closed (or 10 minutes
    /// pass without traffic).
    private func pipe(_ a: Int32, _ b: Int32) {
        var open: [Int32: Bool] = [a: true, b: true]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open[a] == true || open[b] == true {
            var fds = [a, b].filter { open[$0] == true }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 600_000)
            if ready == 0 { return }
            if ready < 0 { if errno == EINTR { continue } else { return } }
            for descriptor in fds where descriptor.revents != 0 {
                let source = descriptor.fd
                let target = source == a ? b : a
                let count = recv(source, &buffer, buffer.count, 0)
                if count <= 0 {
                    open[source] = false
                    shutdown(target, Int32(SHUT_WR))
                    continue
                }
                if !LoopbackSocket.writeAll(target, Data(buffer[0..<count])) { return }
            }
        }
    }
}
