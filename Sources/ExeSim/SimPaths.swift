/// Where everything of one simulator lives inside its state directory.
public struct SimPaths: Sendable, Hashable {
    /// The state directory (absolute).
    public let root: String

    /// Paths under `root`.
    public init(root: String) { self.root = root }

    func file(_ name: String) -> String { root + "/" + name }

    /// The static configuration written by `up`.
    public var configuration: String { file("sim.json") }
    /// The account and VM records.
    public var state: String { file("state.json") }
    /// The lock that serialises every change of ``state``.
    public var stateLock: String { file("state.lock") }
    /// The lock held by `up` and `down`.
    public var lifecycleLock: String { file("lifecycle.lock") }
    /// The `known_hosts` file clients use.
    public var knownHosts: String { file("known_hosts") }
    /// The lock for appending to and pruning ``knownHosts``.
    public var knownHostsLock: String { file("known_hosts.lock") }
    /// The account's registered keys, one per line: every VM's sshd reads it.
    public var accountAuthorizedKeys: String { file("authorized_keys") }
    /// The registry password (mode 0600).
    public var registryPassword: String { file("registry/password") }
    /// The registry's directory.
    public var registryDirectory: String { file("registry") }
    /// The control-plane sshd's directory.
    public var controlDirectory: String { file("control") }
    /// The daemon's pid file.
    public var daemonPID: String { file("daemon.pid") }
    /// The daemon's log.
    public var daemonLog: String { file("daemon.log") }
    /// The directory of every VM.
    public var vmsDirectory: String { file("vms") }

    /// The directory of the VM with `id`.
    public func vm(_ id: String) -> VMPaths { VMPaths(root: file("vms/" + id)) }
}

/// The files of one VM. The directory is named by the VM's stable id, so a
/// rename changes nothing on disk and nothing that runs.
public struct VMPaths: Sendable, Hashable {
    /// The VM's directory.
    public let root: String

    func file(_ name: String) -> String { root + "/" + name }

    /// Mounted at `/data` inside the VM.
    public var data: String { file("fs/data") }
    /// Mounted at `/tmp` inside the VM.
    public var tmp: String { file("fs/tmp") }
    /// Mounted at the login user's home inside the VM.
    public var home: String { file("fs/home") }
    /// The VM's filesystem root (``data``, ``tmp`` and ``home`` live in it).
    public var filesystem: String { file("fs") }
    /// The VM sshd's directory (config, host keys, log).
    public var sshDirectory: String { file("ssh") }
    /// The VM sshd's pid.
    public var sshdPID: String { file("ssh/sshd.pid") }
    /// Container records and the VM-port → host-port map.
    public var containers: String { file("containers.json") }
    /// The lock for ``containers`` and container operations.
    public var lock: String { file("vm.lock") }
    /// Registry credentials stored by `docker login` inside the VM (0600).
    public var registryAuth: String { file("auth.json") }
    /// The podman names of the VM's containers that were running when
    /// `down` stopped them (`up` starts them again).
    public var runningAtDown: String { file("running-at-down.json") }
    /// Logs of containers the VM runs.
    public var logs: String { file("logs") }
}
