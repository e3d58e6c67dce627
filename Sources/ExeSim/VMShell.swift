import CExeSim
import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `exe-sim vm-exec`: the forced command of a VM's sshd. It enters a
/// private mount namespace in which the VM's own directories are mounted
/// at `/data`, `/tmp` and the login user's home, puts `sudo` and `docker`
/// shims first on `PATH`, and replaces itself with the requested command
/// (`/bin/sh -c`), the sftp server, or a login shell.
package enum VMShell {
    /// Where the per-namespace tmpfs with shims and the VM's records is mounted.
    package static let runtimeDirectory = "/run/exe-sim"

    /// Enters the VM and execs; returns only on failure, with a status.
    package static func enter(stateDirectory: String, vmID: String, environment: [String: String]) -> Int32 {
        let paths = SimPaths(root: stateDirectory)
        guard let configuration = try? SimConfiguration.load(paths) else { return fail("exe-sim: no simulator state in \(stateDirectory)") }
        let vmPaths = paths.vm(vmID)
        let state = try? StateStore(paths: paths, defaultEmail: configuration.email).snapshot()
        guard let vm = state?.vms.first(where: { $0.id == vmID }), FileManager.default.fileExists(atPath: vmPaths.data) else {
            return fail("exe-sim: this VM no longer exists")
        }
        if let window = configuration.lobbyWindowSeconds, Date().timeIntervalSince(vm.createdAt) < window {
            // The SSH route is not live yet: the lobby answers (see SimConfiguration.lobbyWindowSeconds).
            return ControlEntry.runLobby(
                stateDirectory: stateDirectory, commandLine: environment["SSH_ORIGINAL_COMMAND"] ?? "")
        }
        let daemonPID = ProcessTree.readPID(paths.daemonPID) ?? 1
        let configurationData = (try? Data(contentsOf: URL(fileURLWithPath: paths.configuration))) ?? Data()
        let executable = configuration.executable
        let manager = FileManager.default
        for directory in ["/data", runtimeDirectory, configuration.home] where !manager.fileExists(atPath: directory) {
            try? manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        // Commands over HTTPS, `ssh` in the lobby and the setup script start
        // here from the host's network; the VM's sshd is already in the VM's.
        if let network = configuration.network(forVM: vm.id) {
            let entered = exe_sim_enter_network_namespace(network.path)
            guard entered == 0 else { return fail("exe-sim: cannot enter the VM's network (\(network.name)): \(String(cString: strerror(entered)))") }
        }
        var rc = exe_sim_enter_private_mount_namespace()
        guard rc == 0 else { return fail("exe-sim: cannot create a mount namespace: \(String(cString: strerror(rc)))") }
        rc = exe_sim_mount_tmpfs(runtimeDirectory)
        guard rc == 0 else { return fail("exe-sim: cannot mount \(runtimeDirectory): \(String(cString: strerror(rc)))") }
        do {
            try manager.createDirectory(atPath: runtimeDirectory + "/bin", withIntermediateDirectories: true)
            try manager.createDirectory(atPath: runtimeDirectory + "/vm", withIntermediateDirectories: true)
            _ = manager.createFile(atPath: runtimeDirectory + "/exe-sim", contents: Data())
            try configurationData.write(to: URL(fileURLWithPath: runtimeDirectory + "/sim.json"))
            try writeShim("docker", "#!/bin/sh\nexec \(runtimeDirectory)/exe-sim docker-shim \"$@\"\n")
            try writeShim("sudo", sudoShim)
        } catch {
            return fail("exe-sim: cannot prepare the VM runtime directory: \(error)")
        }
        let mounts = [
            (executable, runtimeDirectory + "/exe-sim"), (vmPaths.root, runtimeDirectory + "/vm"),
            (vmPaths.data, "/data"), (vmPaths.home, configuration.home),
            // Last: the state directory itself may live under /tmp.
            (vmPaths.tmp, "/tmp"),
        ]
        for (source, target) in mounts {
            rc = exe_sim_bind_mount(source, target)
            guard rc == 0 else { return fail("exe-sim: cannot mount \(source) at \(target): \(String(cString: strerror(rc)))") }
        }
        var childEnvironment = environment.filter { key, _ in
            key.hasPrefix("SSH_") || key == "TERM" || key == "LANG" || key == "LC_ALL" || key == "USER" || key == "LOGNAME"
        }
        childEnvironment["PATH"] = "\(runtimeDirectory)/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        childEnvironment["HOME"] = configuration.home
        childEnvironment["USER"] = configuration.user
        childEnvironment["LOGNAME"] = configuration.user
        childEnvironment["SHELL"] = "/bin/bash"
        childEnvironment["EXE_SIM_VM"] = "\(configuration.instanceID).\(vm.id)"
        childEnvironment["EXE_SIM_VM_ID"] = vm.id
        childEnvironment["EXE_SIM_VM_NAME"] = vm.name
        childEnvironment["EXE_SIM_DAEMON_PID"] = String(daemonPID)
        childEnvironment["EXE_SIM_VM_ROOT"] = vmPaths.root
        for (key, _) in ProcessInfo.processInfo.environment { unsetenv(key) }
        for (key, value) in childEnvironment { setenv(key, value, 1) }
        _ = chdir(configuration.home)

        let command = environment["SSH_ORIGINAL_COMMAND"] ?? ""
        let argv: [String]
        if command == "/usr/lib/openssh/sftp-server" || command == "internal-sftp" {
            argv = ["/usr/lib/openssh/sftp-server"]
        } else if command.isEmpty {
            argv = ["/bin/bash", "-l"]
        } else {
            argv = ["/bin/sh", "-c", command]
        }
        let pointers = argv.map { strdup($0) } + [nil]
        rc = exe_sim_exec(argv[0], pointers)
        return fail("exe-sim: cannot run \(argv[0]): \(String(cString: strerror(rc)))")
    }

    private static func writeShim(_ name: String, _ text: String) throws {
        let path = runtimeDirectory + "/bin/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
    }

    /// `sudo`: skips its options and runs the command (everyone is root here).
    static let sudoShim = """
        #!/bin/sh
        # exe-sim's sudo: the VM user may do anything, so just run the command.
        while [ $# -gt 0 ]; do
          case "$1" in
            -u|-g|-C|-D|-h|-p|-r|-t|-U) shift 2 ;;
            --) shift; break ;;
            -*) shift ;;
            *) break ;;
          esac
        done
        [ $# -eq 0 ] && exit 0
        exec "$@"

        """

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return 1
    }
}
