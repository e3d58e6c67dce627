/// Where everything of one simulator lives inside its state directory.
package struct SimPaths: Sendable, Hashable {
    /// The state directory (absolute).
    package let root: String

    /// Paths under `root`.
    package init(root: String) { self.root = root }

    func file(_ name: String) -> String { root + "/" + name }

    /// The static configuration written by `up`.
    package var configuration: String { file("sim.json") }
    /// The account and VM records.
    package var state: String { file("state.json") }
    /// The lock that serialises every change of ``state``.
    package var stateLock: String { file("state.lock") }
    /// The lock held by `up` and `down`.
    package var lifecycleLock: String { file("lifecycle.lock") }
    /// The `known_hosts` file clients use.
    package var knownHosts: String { file("known_hosts") }
    /// The lock for appending to and pruning ``knownHosts``.
    package var knownHostsLock: String { file("known_hosts.lock") }
    /// The account's registered keys, one per line: every VM's sshd reads it.
    package var accountAuthorizedKeys: String { file("authorized_keys") }
    /// The registry password (mode 0600).
    package var registryPassword: String { file("registry/password") }
    /// The registry's directory.
    package var registryDirectory: String { file("registry") }
    /// The control-plane sshd's directory.
    package var controlDirectory: String { file("control") }
    /// The daemon's pid file.
    package var daemonPID: String { file("daemon.pid") }
    /// The daemon's log.
    package var daemonLog: String { file("daemon.log") }
    /// The TLS terminator's directory (`up --tls`): the CA, the server's
    /// certificate and key, stunnel's configuration, pid and log.
    package var tlsDirectory: String { file("tls") }
    /// The CA certificate a client trusts (`EXE_CA_FILE`).
    package var tlsCACertificate: String { file("tls/ca.crt") }
    /// The directory of every VM.
    package var vmsDirectory: String { file("vms") }

    /// The directory of the VM with `id`.
    package func vm(_ id: String) -> VMPaths { VMPaths(root: file("vms/" + id)) }
}

/// The files of one VM. The directory is named by the VM's stable id, so a
/// rename changes nothing on disk and nothing that runs.
package struct VMPaths: Sendable, Hashable {
    /// The VM's directory.
    package let root: String

    func file(_ name: String) -> String { root + "/" + name }

    /// Mounted at `/data` inside the VM.
    package var data: String { file("fs/data") }
    /// Mounted at `/tmp` inside the VM.
    package var tmp: String { file("fs/tmp") }
    /// Mounted at the login user's home inside the VM.
    package var home: String { file("fs/home") }
    /// The VM's filesystem root (``data``, ``tmp`` and ``home`` live in it).
    package var filesystem: String { file("fs") }
    /// The VM sshd's directory (config, host keys, log).
    package var sshDirectory: String { file("ssh") }
    /// The VM sshd's pid.
    package var sshdPID: String { file("ssh/sshd.pid") }
    /// The pid of the VM's ``VMNetworkRelay``, written once it listens.
    package var networkRelayPID: String { file("ssh/network.pid") }
    /// The simulator's service ports the relay was started with.
    package var networkRelayPorts: String { file("ssh/network.ports") }
    /// Container records and the VM-port → host-port map.
    package var containers: String { file("containers.json") }
    /// The lock for ``containers`` and container operations.
    package var lock: String { file("vm.lock") }
    /// Registry credentials stored by `docker login` inside the VM (0600).
    package var registryAuth: String { file("auth.json") }
    /// The podman names of the VM's containers that were running when
    /// `down` stopped them (`up` starts them again).
    package var runningAtDown: String { file("running-at-down.json") }
    /// Logs of containers the VM runs.
    package var logs: String { file("logs") }
}
