/// One container as `podman ps -a` lists it.
package struct ListedContainer: Sendable, Equatable {
    /// podman's name.
    package var name: String
    /// The init process's pid on the host; 0 when the container is not running.
    package var pid: Int32
    /// podman's status text: `Up 3 seconds`, `Exited (0) 2 seconds ago`, `Created`.
    package var status: String

    /// A container.
    package init(name: String, pid: Int32, status: String) {
        self.name = name
        self.pid = pid
        self.status = status
    }

    /// Parses one line of `{{.Names}}\t{{.Pid}}\t{{.Status}}`; `nil` for a
    /// line that is not one.
    package init?(psLine line: String) {
        let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 3, !fields[0].isEmpty, let pid = Int32(fields[1]) else { return nil }
        self.init(name: fields[0], pid: pid, status: fields[2])
    }

    /// Whether it runs (podman's status starts with `Up`).
    package var isRunning: Bool { status.hasPrefix("Up") }
}
