import ArgumentParser
import Dispatch
import ExeLease
import ExeSSH
import Foundation

/// `exe-cli lease tunnel ID PORT[:LOCALPORT]`.
struct LeaseTunnelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tunnel", abstract: "Forward a local port to a port on the lease's VM over its SSH connection, until Ctrl-C.",
        discussion: """
            Listens on 127.0.0.1:LOCALPORT (default: the same port number; 0 picks a free one) and forwards each connection \
            to 127.0.0.1:PORT on the VM through a direct-tcpip channel. The local URL is printed only once a connection \
            through the tunnel succeeded; if nothing answers on the VM's port, exe-cli exits 1 and prints no URL. \
            A paused lease is resumed first (said on stderr). \
            The lease is kept in use (heartbeat) while the tunnel is open. Ctrl-C ends it (exit 0).
            """)

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseAccessOptions
    @Argument(help: "The lease: id, slug or VM name.") var id: String
    @Argument(help: "PORT[:LOCALPORT]: the VM's port, and the local one.") var ports: String

    struct Tunnel: Encodable {
        let url: String
        let localPort: Int
        let remotePort: Int
        let leaseID: String
    }

    static func parsePorts(_ text: String) throws -> (remote: Int, local: Int) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), let remote = Int(parts[0]), (1...65535).contains(remote) else {
            throw ValidationError("\(text): give PORT or PORT:LOCALPORT, ports 1 to 65535")
        }
        guard parts.count == 2 else { return (remote, remote) }
        guard let local = Int(parts[1]), (0...65535).contains(local) else {
            throw ValidationError("\(text): LOCALPORT is 0 to 65535 (0 picks a free port)")
        }
        return (remote, local)
    }

    func validate() throws { _ = try Self.parsePorts(ports) }

    mutating func run() async throws {
        let key = id
        let (remotePort, localPort) = try Self.parsePorts(ports)
        try await LeaseSession.run(global, lease) { leases, session in
            let claim = try leases.lookup(key)
            try leases.requireThisControlHost(claim)
            let destination = try leases.destination(of: claim)
            // A direct connection: a relayed (held) one cannot open
            // direct-tcpip channels. A paused lease is resumed first (said on stderr).
            let configuration = leases.context.vmConfiguration(destination)
            let connection = try await leases.resumingIfPaused(claim) {
                try await SSHConnection.connect(to: destination, configuration: configuration)
            }
            do {
                try await leases.touch(claim)
            } catch {
                await connection.close()
                throw error
            }
            let console = session.console
            let forward: SSHLocalForward
            do {
                forward = try SSHLocalForward.listen(
                    connection: connection, remotePort: remotePort, localPort: localPort, problems: { console.printError("warning: \($0)") })
                try await connection.probeForward(toHost: "127.0.0.1", port: remotePort)
            } catch {
                await connection.close()
                if let error = error as? SSHError, error.kind == .channelFailure {
                    console.printError("error: nothing answers on port \(remotePort) of lease \(claim.identity.id) (\(error.message))")
                    throw CLIExit(.commandFailed)
                }
                throw error
            }
            let url = "http://127.0.0.1:\(forward.localPort)"
            try session.output.result(Tunnel(url: url, localPort: forward.localPort, remotePort: remotePort, leaseID: claim.identity.id)) {
                url
            }
            console.printError("forwarding \(url) to port \(remotePort) of lease \(claim.identity.id) (\(claim.vmName)); Ctrl-C ends it")

            signal(SIGINT, SIG_IGN)
            let interrupts = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            interrupts.setEventHandler { forward.close() }
            interrupts.resume()
            let beating = leases.heartbeat(claim)
            await forward.serve()
            beating.cancel()
            interrupts.cancel()
            signal(SIGINT, SIG_DFL)
            await connection.close()
            if let lost = forward.connectionLost { throw lost }
        }
    }
}
