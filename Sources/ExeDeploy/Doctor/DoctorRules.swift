public import ExeControl
import Foundation

/// The doctor's judgements, without I/O: each takes what was observed and
/// returns the check, its evidence and its fix. ``Doctor`` gathers the
/// observations; the unit tests feed them directly.
public enum DoctorRules {
    /// The fraction of a limit at which a resource is a warning.
    public static let nearLimit = 0.9

    // MARK: control plane

    /// The first control-plane command (`whoami`): reachable, host key
    /// known, key registered.
    public static func control(_ outcome: Result<Account, any Error>) -> [DoctorCheck] {
        switch outcome {
        case .success(let account):
            let region = account.regionDisplay ?? account.region
            return [
                DoctorCheck("control.reachable", .control, "reachable, host key known", .ok, "the control plane answered over SSH"),
                DoctorCheck("control.account", .control, "key registered (whoami)", .ok, "signed in as \(account.email)"),
                region.map { DoctorCheck("control.region", .control, "region", .ok, $0) }
                    ?? DoctorCheck(
                        "control.region", .control, "region", .warning, "the account names no region",
                        fix: DoctorFix("exe-cli set-region REGION")),
            ]
        case .failure(let error):
            let message = describe(error)
            let kind = (error as? ControlError)?.kind
            if kind == .hostKeyRejected {
                return [
                    DoctorCheck(
                        "control.reachable", .control, "reachable, host key known", .failed, message,
                        fix: DoctorFix("exe-cli --host-key-policy accept-new whoami (after checking the key's fingerprint)")),
                    .skipped("control.account", .control, "key registered (whoami)", "the host key is not trusted"),
                    .skipped("control.region", .control, "region", "the host key is not trusted"),
                ]
            }
            if kind == .authenticationFailed || kind == .permissionDenied {
                return [
                    DoctorCheck("control.reachable", .control, "reachable, host key known", .ok, "the control plane answered over SSH"),
                    DoctorCheck(
                        "control.account", .control, "key registered (whoami)", .failed, message,
                        fix: DoctorFix("cat ~/.ssh/id_ed25519.pub | ssh exe.dev ssh-key add (from a machine whose key is registered)")),
                    .skipped("control.region", .control, "region", "not signed in"),
                ]
            }
            return [
                DoctorCheck(
                    "control.reachable", .control, "reachable, host key known", .failed, message,
                    fix: DoctorFix("check EXE_CONTROL_HOST / --control-host and the network, then exe-cli whoami")),
                .skipped("control.account", .control, "key registered (whoami)", "the control plane is not reachable"),
                .skipped("control.region", .control, "region", "the control plane is not reachable"),
            ]
        }
    }

    // MARK: VM

    /// Whether the VM exists and runs.
    public static func vmState(_ vm: VM?, name: String, pattern: DeployPattern?) -> [DoctorCheck] {
        guard let vm else {
            let make = pattern == .replace ? "exe-cli deploy" : "exe-cli vm new --name=\(name)"
            return [
                DoctorCheck("vm.exists", .vm, "exists", .failed, "no VM named \(name) in `ls`", fix: DoctorFix(make)),
                .skipped("vm.status", .vm, "status", "no VM"),
            ]
        }
        let exists = DoctorCheck(
            "vm.exists", .vm, "exists", .ok, "\(vm.name)" + (vm.image.map { " from \($0)" } ?? "") + (vm.regionDisplay ?? vm.region).map { " in \($0)" }.orEmpty)
        let status = vm.status ?? .other("unknown")
        let check: DoctorCheck
        switch status {
        case .running:
            check = DoctorCheck("vm.status", .vm, "status", .ok, "running")
        case .paused:
            check = DoctorCheck(
                "vm.status", .vm, "status", .failed, "paused: SSH and HTTPS do not answer until it is resumed",
                fix: DoctorFix("exe-cli vm resume \(vm.name)"))
        case .stopped, .failed:
            check = DoctorCheck("vm.status", .vm, "status", .failed, status.rawValue, fix: DoctorFix("exe-cli vm restart \(vm.name)"))
        default:
            check = DoctorCheck(
                "vm.status", .vm, "status", .warning, "\(status.rawValue) (not running yet)", fix: DoctorFix("exe-cli vm ls \(vm.name)"))
        }
        return [exists, check]
    }

    /// The latest `stat` sample against the VM's limits.
    public static func usage(_ stats: VMStats, vm: String) -> DoctorCheck {
        guard let point = stats.points.last(where: { !$0.metrics.isEmpty }) else {
            return DoctorCheck("vm.usage", .vm, "CPU, memory, disk", .ok, "no samples yet")
        }
        let metrics = point.metrics
        var parts: [String] = []
        var near: [String] = []
        func judge(_ name: String, _ used: Double?, _ limit: Double?, _ unit: String) {
            guard let used else { return }
            if let limit, limit > 0 {
                parts.append("\(name) \(format(used))/\(format(limit))\(unit)")
                if used / limit >= nearLimit { near.append(name) }
            } else {
                parts.append("\(name) \(format(used))\(unit)")
            }
        }
        judge("cpu", metrics["cpu_cores"], metrics["cpu_nominal"], " cores")
        judge("memory", metrics["memory_used_gb"], metrics["memory_nominal_gb"], " GB")
        judge("disk", metrics["disk_used_gb"], metrics["disk_size_gb"], " GB")
        let evidence = parts.isEmpty ? "no CPU, memory or disk figures" : parts.joined(separator: ", ")
        guard near.isEmpty else {
            let flags = near.map { $0 == "cpu" ? "--cpu N" : "--\($0) SIZE" }.joined(separator: " ")
            return DoctorCheck(
                "vm.usage", .vm, "CPU, memory, disk", .warning, evidence + " (\(near.joined(separator: ", ")) near the limit)",
                fix: DoctorFix("exe-cli vm resize \(vm) \(flags)"))
        }
        return DoctorCheck("vm.usage", .vm, "CPU, memory, disk", .ok, evidence)
    }

    /// The SSH connection to the VM the rest of its checks use.
    public static func ssh(connected: String?, failure: String?, vm: String) -> DoctorCheck {
        if let connected { return DoctorCheck("vm.ssh", .vm, "SSH to the VM", .ok, "connected to \(connected)") }
        return DoctorCheck(
            "vm.ssh", .vm, "SSH to the VM", .failed, failure ?? "no connection",
            fix: DoctorFix("exe-cli -v vm exec \(vm) -- true (its host key, ssh_port and identity)"))
    }

    // MARK: proxy

    /// The shared port against the port the app listens on.
    public static func sharedPort(_ shared: Int?, expected: Int?, expectedSource: String, vm: String) -> DoctorCheck {
        guard let expected else {
            return DoctorCheck(
                "proxy.port", .proxy, "shared port", shared == nil ? .warning : .ok,
                shared.map { "the proxy routes to port \($0) (the app's port is not known: no port: in exe.deploy.yaml, no EXPOSE)" }
                    ?? "no port is shared", fix: shared == nil ? DoctorFix("exe-cli vm share port \(vm) PORT") : nil)
        }
        guard let shared else {
            return DoctorCheck(
                "proxy.port", .proxy, "shared port", .failed, "no port is shared; the app listens on \(expected) (\(expectedSource))",
                fix: DoctorFix("exe-cli vm share port \(vm) \(expected)", repair: .sharePort(vm: vm, port: expected)))
        }
        guard shared == expected else {
            return DoctorCheck(
                "proxy.port", .proxy, "shared port", .failed,
                "the proxy routes to port \(shared), the app listens on \(expected) (\(expectedSource))",
                fix: DoctorFix("exe-cli vm share port \(vm) \(expected)", repair: .sharePort(vm: vm, port: expected)))
        }
        return DoctorCheck("proxy.port", .proxy, "shared port", .ok, "\(shared), the app's port (\(expectedSource))")
    }

    /// Public or private against `public:` in `exe.deploy.yaml`.
    public static func visibility(_ visibility: ShareVisibility?, configured: Bool?, vm: String) -> DoctorCheck {
        let actual = visibility?.rawValue ?? "unknown"
        switch (configured, visibility) {
        case (true?, .public?), (false?, .private?):
            return DoctorCheck("proxy.visibility", .proxy, "public or private", .ok, "\(actual), as exe.deploy.yaml says")
        case (true?, _):
            return DoctorCheck(
                "proxy.visibility", .proxy, "public or private", .failed,
                "\(actual), but exe.deploy.yaml says public: true (visitors get a login prompt)",
                fix: DoctorFix("exe-cli vm share set-public \(vm)", repair: .setPublic(vm: vm)))
        case (false?, _):
            return DoctorCheck(
                "proxy.visibility", .proxy, "public or private", .warning, "\(actual), but exe.deploy.yaml says public: false",
                fix: DoctorFix("exe-cli vm share set-private \(vm)"))
        case (nil, _):
            return DoctorCheck("proxy.visibility", .proxy, "public or private", .ok, "\(actual) (exe.deploy.yaml does not say)")
        }
    }

    /// What the VM's URL answered.
    public struct URLAnswer: Sendable, Equatable {
        /// The URL asked.
        public var url: String
        /// The anonymous answer (status, or why none).
        public var anonymous: Result<HTTPProbeAnswer, ProbeFailure>
        /// The answer with a VM-scoped token (private VMs).
        public var withToken: Result<HTTPProbeAnswer, ProbeFailure>?

        /// Creates one.
        public init(url: String, anonymous: Result<HTTPProbeAnswer, ProbeFailure>, withToken: Result<HTTPProbeAnswer, ProbeFailure>? = nil) {
            self.url = url
            self.anonymous = anonymous
            self.withToken = withToken
        }
    }

    /// The status and redirect of one answer.
    public struct HTTPProbeAnswer: Sendable, Equatable {
        /// The HTTP status.
        public var status: Int
        /// The `Location` header of a redirect.
        public var location: String?
        /// An answer.
        public init(status: Int, location: String? = nil) {
            self.status = status
            self.location = location
        }

        /// A redirect to the proxy's login.
        var isLogin: Bool { (300...399).contains(status) && (location ?? "").contains("login") }

        var text: String {
            if isLogin { return "\(status) (login redirect)" }
            if (300...399).contains(status), let location { return "\(status) to \(location)" }
            return String(status)
        }
    }

    /// Why a request got no answer.
    public struct ProbeFailure: Error, Sendable, Equatable {
        /// What went wrong (no connection, a timeout).
        public var message: String
        /// A failure.
        public init(_ message: String) { self.message = message }
    }

    /// Whether the URL answers, and with what.
    public static func url(_ answer: URLAnswer, expectedStatus: Int, sharedPort: Int?, vm: String, pattern: DeployPattern?) -> DoctorCheck {
        let final = answer.withToken ?? answer.anonymous
        var evidence = "GET \(answer.url): "
        switch answer.anonymous {
        case .success(let response): evidence += response.text
        case .failure(let failure): evidence += "no answer (\(failure.message))"
        }
        if let token = answer.withToken {
            switch token {
            case .success(let response): evidence += "; with a VM-scoped token: " + response.text
            case .failure(let failure): evidence += "; with a VM-scoped token: no answer (\(failure.message))"
            }
        }
        let logs = pattern == .compose || pattern == nil ? "exe-cli deploy logs" : "exe-cli deploy logs (the VM's startup log)"
        switch final {
        case .failure:
            return DoctorCheck("proxy.url", .proxy, "URL answers", .failed, evidence, fix: DoctorFix("exe-cli vm share show \(vm); \(logs)"))
        case .success(let response):
            if response.status == expectedStatus || (200...299).contains(response.status) {
                return DoctorCheck("proxy.url", .proxy, "URL answers", .ok, evidence)
            }
            if response.isLogin {
                return DoctorCheck(
                    "proxy.url", .proxy, "URL answers", .failed, evidence + " (the proxy wants a login)",
                    fix: DoctorFix("exe-cli vm share set-public \(vm) (if it is meant to be public)"))
            }
            if [502, 503, 504].contains(response.status) {
                return DoctorCheck(
                    "proxy.url", .proxy, "URL answers", .failed,
                    evidence + " (nothing answers on port \(sharedPort.map(String.init) ?? "?") inside the VM)",
                    fix: DoctorFix("\(logs); exe-cli vm share port \(vm) PORT (the port the app listens on)"))
            }
            return DoctorCheck(
                "proxy.url", .proxy, "URL answers", .warning, evidence + " (expected \(expectedStatus))", fix: DoctorFix(logs))
        }
    }

    // MARK: helpers

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// An error's message on one line.
    public static func describe(_ error: any Error) -> String {
        let text: String
        if let error = error as? ControlError {
            text = error.message
        } else if let error = error as? DeployError {
            text = error.message
        } else {
            text = "\(error)"
        }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}

extension Optional where Wrapped == String {
    fileprivate var orEmpty: String { self ?? "" }
}
