import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Freezes and thaws a VM for `pause` and `resume`: SIGSTOP / SIGCONT to
/// every process the VM runs, found by pid only — the VM sshd and every
/// session under it, the processes carrying the VM's `EXE_SIM_VM` marker,
/// and the processes of its containers (their init pid from
/// `podman inspect`, and its descendants). Memory and processes stay; they
/// just do not run. (`podman pause` needs a cgroup freezer, which podman
/// with `--cgroup-manager cgroupfs` does not always have, so the container
/// processes are stopped by signal like the rest.)
struct VMFreezer {
    /// The VM's sshd pid file.
    let sshdPIDFile: String
    /// `EXE_SIM_VM=<instance>.<id>`.
    let markerEntry: String
    /// The init pids of the VM's running containers.
    let containerPIDs: () -> [Int32]

    /// Every process of the VM now, parents first.
    func processes() -> [Int32] {
        var roots: [Int32] = []
        if let sshd = ProcessTree.readPID(sshdPIDFile), ProcessTree.isAlive(sshd) { roots.append(sshd) }
        roots += ProcessTree.processes(withEnvironmentEntry: markerEntry)
        roots += containerPIDs().filter { $0 > 0 }
        var seen = Set<Int32>()
        var result: [Int32] = []
        for pid in roots.flatMap(ProcessTree.withDescendants) where seen.insert(pid).inserted && pid != getpid() {
            result.append(pid)
        }
        return result
    }

    /// Stops every process of the VM. Repeats until a pass finds no process
    /// it has not stopped yet (a process may fork while its siblings are
    /// being stopped). Returns how many processes were stopped.
    @discardableResult
    func freeze() -> Int {
        var stopped = Set<Int32>()
        for _ in 0..<10 {
            let fresh = processes().filter { !stopped.contains($0) }
            if fresh.isEmpty { break }
            for pid in fresh where Glibc.kill(pid, SIGSTOP) == 0 { stopped.insert(pid) }
            usleep(20_000)
        }
        // kill() returns before the target stops: wait (at most 2 s) until
        // each one is really stopped, so nothing runs after `pause` returns.
        let deadline = ContinuousClock.now + .seconds(2)
        while stopped.contains(where: { Self.isRunning($0) }), ContinuousClock.now < deadline { usleep(5_000) }
        return stopped.count
    }

    /// Whether `pid` exists and is not stopped (state `T`) or dead.
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return false
        }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return !["T", "t", "Z", "X"].contains(state)
    }

    /// Lets every process of the VM run again (children first, so a parent
    /// never sees a child it stopped as still stopped).
    @discardableResult
    func thaw() -> Int {
        let all = processes()
        for pid in all.reversed() { Glibc.kill(pid, SIGCONT) }
        return all.count
    }
}
