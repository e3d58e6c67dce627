import ArgumentParser
import ExeSim
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `exe-sim`: a local exe.dev.
struct ExeSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exe-sim",
        abstract: "A local exe.dev: control plane over OpenSSH, VMs, registry, HTTPS API.",
        subcommands: [Up.self, Down.self, Status.self, Serve.self, Control.self, VMExec.self, VMNetworkCommand.self, DockerShimCommand.self])
}

/// The absolute path of this executable.
func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

struct StateOption: ParsableArguments {
    @Option(name: .long, help: "The simulator's state directory.")
    var state: String
}

struct Up: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "up", abstract: "Start the simulator and print export lines for a shell to eval.")
    @OptionGroup var stateOption: StateOption
    @Option(help: "Port of the control-plane sshd (default: a free one).") var port: Int?
    @Option(help: "A public key file to register to the account (repeatable).") var authorize: [String] = []
    @Option(help: "The account's email address.") var email: String?
    @Flag(
        help: "Also serve /exec and the VM proxy over TLS (stunnel4, with a CA made in the state directory); prints EXE_CA_FILE, EXE_API_URL_TLS and EXE_VM_PROXY_TLS. Stays on for later ups.")
    var tls = false

    func run() throws {
        let launcher = SimLauncher(stateDirectory: stateOption.state, executable: currentExecutable())
        do {
            let text = try launcher.up(.init(port: port, authorize: authorize, email: email, tls: tls))
            FileHandle.standardOutput.write(Data(text.utf8))
        } catch {
            FileHandle.standardError.write(Data("exe-sim up: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct Down: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop everything up started, by pid.",
        discussion: "VMs' containers are stopped and kept: the next up starts the running ones again. --purge removes them and the images pulled from the simulator's registry.")
    @OptionGroup var stateOption: StateOption
    @Flag(help: "Also remove the simulator's containers and pulled images.") var purge = false

    func run() throws {
        let launcher = SimLauncher(stateDirectory: stateOption.state, executable: currentExecutable())
        FileHandle.standardError.write(Data(try launcher.down(purge: purge).utf8))
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Report the simulator's processes.")
    @OptionGroup var stateOption: StateOption

    func run() throws {
        let report = SimLauncher(stateDirectory: stateOption.state, executable: currentExecutable()).status()
        FileHandle.standardOutput.write(Data(report.text.utf8))
        if !report.allRunning { throw ExitCode(3) }
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the daemon: POST /exec and VM proxies (started by up).")
    @OptionGroup var stateOption: StateOption

    func run() throws {
        try SimDaemon(stateDirectory: stateOption.state).run()
    }
}

struct Control: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "control", abstract: "The control sshd's forced command (runs SSH_ORIGINAL_COMMAND).")
    @OptionGroup var stateOption: StateOption
    @Flag(help: "Run EXE_SIM_COMMAND for the HTTPS API (JSON forced).") var https = false
    @Option(help: "The API key's fingerprint (with --https).") var fingerprint: String?

    func run() throws {
        throw ExitCode(ForcedCommand.control(state: stateOption.state, https: https, fingerprint: fingerprint).run())
    }
}

struct VMExec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vm-exec", abstract: "A VM sshd's forced command.")
    @OptionGroup var stateOption: StateOption
    @Option(help: "The VM's id.") var vm: String

    func run() throws {
        throw ExitCode(ForcedCommand.vmExec(state: stateOption.state, vm: vm).run())
    }
}

struct VMNetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm-network", abstract: "Joins a VM's network namespace to the host's loopback (started by exe-sim).")
    @OptionGroup var stateOption: StateOption
    @Option(help: "The VM's id.") var vm: String
    @Option(help: "The VM's SSH port on the host.") var sshPort: Int
    @Option(help: "Where to write the pid once listening.") var pidFile: String

    func run() throws {
        let configuration = try SimConfiguration.load(SimPaths(root: stateOption.state))
        try VMNetworkRelay(configuration: configuration, vmID: vm, sshPort: sshPort).run(pidFile: pidFile)
    }
}

struct DockerShimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "docker-shim", abstract: "The docker command inside a VM.")
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []

    func run() throws {
        throw ExitCode(ForcedCommand.dockerShim(arguments: arguments).run())
    }
}
