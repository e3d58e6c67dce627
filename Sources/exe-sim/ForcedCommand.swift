import ExeSim
import Foundation

/// The command lines exe-sim writes for other programs to run it with:
/// the control sshd's and the VM sshds' forced commands, the HTTPS API's
/// and the VM HTTP API's child processes, and the `docker` in every VM.
///
/// They run thousands of times a session, so ``main`` recognises their
/// exact shapes before swift-argument-parser, whose parse (reflection and
/// protocol-conformance scans) is about a quarter of such a call's CPU.
/// Any other shape, `--help` included, goes to the parser as before.
enum ForcedCommand: Equatable {
    /// `control --state S [--https] [--fingerprint F]`.
    case control(state: String, https: Bool, fingerprint: String?)
    /// `vm-exec --state S --vm ID`.
    case vmExec(state: String, vm: String)
    /// `docker-shim ARGS...`: every argument is docker's, `--help` too.
    case dockerShim(arguments: [String])

    /// The forced command `arguments` (without the program) spell, or `nil`.
    init?(arguments: [String]) {
        guard let verb = arguments.first else { return nil }
        let rest = Array(arguments.dropFirst())
        if verb == "docker-shim" {
            self = .dockerShim(arguments: rest)
            return
        }
        var options: [String: String] = [:]
        var https = false
        var index = 0
        while index < rest.count {
            switch rest[index] {
            case "--https" where verb == "control" && !https:
                https = true
                index += 1
            case let name where Self.valued[verb]?.contains(name) == true && options[name] == nil && index + 1 < rest.count:
                options[name] = rest[index + 1]
                index += 2
            default:
                return nil
            }
        }
        guard let state = options["--state"] else { return nil }
        switch verb {
        case "control": self = .control(state: state, https: https, fingerprint: options["--fingerprint"])
        case "vm-exec":
            guard let vm = options["--vm"] else { return nil }
            self = .vmExec(state: state, vm: vm)
        default: return nil
        }
    }

    /// The options with a value each verb takes.
    private static let valued: [String: Set<String>] = [
        "control": ["--state", "--fingerprint"],
        "vm-exec": ["--state", "--vm"],
    ]

    /// Runs the command; its exit status.
    func run(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        switch self {
        case .control(let state, true, let fingerprint):
            return ControlEntry.runHTTPS(stateDirectory: state, commandLine: environment["EXE_SIM_COMMAND"] ?? "", fingerprint: fingerprint ?? "")
        case .control(let state, false, _):
            switch ControlEntry.runSSH(stateDirectory: state, environment: environment) {
            case .exitStatus(let code): return code
            case .noExitStatus: ControlEntry.endWithoutExitStatus()
            }
        case .vmExec(let state, let vm):
            return VMShell.enter(stateDirectory: state, vmID: vm, environment: environment)
        case .dockerShim(let arguments):
            return DockerShim.run(arguments: arguments, environment: environment)
        }
    }
}
