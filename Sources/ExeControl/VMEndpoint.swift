public import ExeSSH
import Foundation

/// Where to SSH to reach a VM, from what the control plane says about it
/// (reference §8.4, DESIGN "ExeLease"/"ExeDeploy"):
///
/// 1. `ssh_host` (+ `ssh_user`) when present;
/// 2. otherwise `ssh_dest` split at the last `@` (`vm+name@vm.exe.xyz`);
/// 3. otherwise `<name>.<boxDomain>` (`<name>.exe.xyz`).
///
/// The port is `ssh_port`, 22 when absent. The user is, in order,
/// `ssh_user`, the part of `ssh_dest` before the last `@`, or `defaultUser`
/// (exe.dev's proxy logs in as the image's user whatever the client sends).
public enum VMEndpoint {
    /// The SSH destination of `vm`.
    ///
    /// - Parameters:
    ///   - vm: the VM, as `ls --json` describes it.
    ///   - defaultUser: the user when the server names none.
    ///   - boxDomain: the VM host suffix; `exe.xyz` in production.
    public static func destination(for vm: VM, defaultUser: String, boxDomain: String = "exe.xyz") -> SSHDestination {
        destination(
            name: vm.name, sshHost: vm.sshHost, sshUser: vm.sshUser, sshDestination: vm.sshDestination, sshPort: vm.sshPort,
            defaultUser: defaultUser, boxDomain: boxDomain)
    }

    /// The SSH destination from the individual keys.
    public static func destination(
        name: String, sshHost: String?, sshUser: String?, sshDestination: String?, sshPort: Int?, defaultUser: String,
        boxDomain: String = "exe.xyz"
    ) -> SSHDestination {
        var destinationUser: String?
        var destinationHost: String?
        if let sshDestination = sshDestination?.trimmingCharacters(in: .whitespaces), !sshDestination.isEmpty {
            if let at = sshDestination.lastIndex(of: "@") {
                destinationUser = String(sshDestination[..<at])
                destinationHost = String(sshDestination[sshDestination.index(after: at)...])
            } else {
                destinationHost = sshDestination
            }
        }
        let host = nonEmpty(sshHost) ?? nonEmpty(destinationHost) ?? "\(name).\(boxDomain)"
        let user = nonEmpty(sshUser) ?? nonEmpty(destinationUser) ?? defaultUser
        let port = sshPort.flatMap { (1...65535).contains($0) ? $0 : nil } ?? 22
        return SSHDestination(host: host, port: port, user: user)
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}

extension VM {
    /// Where to SSH to reach this VM; see ``VMEndpoint``.
    public func sshDestination(defaultUser: String, boxDomain: String = "exe.xyz") -> SSHDestination {
        VMEndpoint.destination(for: self, defaultUser: defaultUser, boxDomain: boxDomain)
    }
}
