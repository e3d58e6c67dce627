import ExeControl
import ExeSSH
import ExeSystem

extension Doctor {
    /// Applies the safe, reversible repairs the report's checks name
    /// (`--fix`): the shared port, `set-public` when the config says
    /// public, restarting an exited container. Each has the doctor's
    /// deadline; one failing does not stop the others.
    public func repair(_ report: DoctorReport) async -> [DoctorRepairOutcome] {
        var outcomes: [DoctorRepairOutcome] = []
        let control = context.control
        let context = self.context
        let target = self.target
        let redactor = SecretRedactor(target.registryPassword.map { [$0] } ?? [])
        for check in report.repairable {
            guard let fix = check.fix, let repair = fix.repair else { continue }
            let result: Result<Void, any Error>
            do {
                try await DoctorDeadline.run(seconds: deadline) {
                    switch repair {
                    case .sharePort(let vm, let port):
                        _ = try await control.share.setPort(vm, port)
                    case .setPublic(let vm):
                        _ = try await control.share.setPublic(vm)
                    case .restartContainer(let vm, let container):
                        guard let found = try await control.vm(named: vm) else { throw DeployError(.notFound, "VM \"\(vm)\" not found") }
                        try await context.withConnection(to: found) { connection in
                            _ = try await connection.run(
                                target.dockerCommand(["restart", container]), timeout: .seconds(120), check: true)
                        }
                    }
                }
                result = .success(())
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success: outcomes.append(DoctorRepairOutcome(check: check.id, command: fix.command, applied: true))
            case .failure(let error):
                outcomes.append(DoctorRepairOutcome(check: check.id, command: fix.command, applied: false, error: redactor.describe(error)))
            }
        }
        return outcomes
    }
}
