import Foundation

/// `pause <vm>` and `resume <vm>` (typescript-sandboxes.md, sandbox.md,
/// standalone-vms.md): a paused VM keeps its memory and processes, its SSH
/// and proxy do not answer, and `ls` shows `"status":"paused"`. The
/// processes are really frozen (``VMFreezer``). The JSON of both commands is
/// a guess (the docs show none): `{"vm_name":...,"status":"paused"|"running"}`.
extension ControlSession {
    func pause() throws {
        let name = try singleVMArgument("pause")
        let vm = try vmForPowerChange(name, verb: "paused")
        if vm.status == "paused" { throw CommandFailure("VM \(GoFlagParser.goQuote(name)) is already paused") }
        try environment.lifecycle.pause(vm)
        try setStatus(of: vm, to: "paused")
        output.json(.object([("vm_name", .string(name)), ("status", .string("paused"))]))
        output.line("Paused \(name). Its memory and processes are kept; run: resume \(name)")
    }

    func resume() throws {
        let name = try singleVMArgument("resume")
        let vm = try vmForPowerChange(name, verb: "resumed")
        guard vm.status == "paused" else { throw CommandFailure("VM \(GoFlagParser.goQuote(name)) is not paused") }
        try environment.lifecycle.resume(vm)
        try setStatus(of: vm, to: "running")
        output.json(.object([("vm_name", .string(name)), ("status", .string("running"))]))
        output.line("Resumed \(name)")
    }

    private func singleVMArgument(_ command: String) throws -> String {
        guard arguments.count == 1 else {
            throw CommandFailure("please specify exactly one VM name to \(command), got \(arguments.count)")
        }
        return normalizedVMName(arguments[0])
    }

    private func vmForPowerChange(_ name: String, verb: String) throws -> VMRecord {
        guard let vm = try store.snapshot().vm(named: name) else { throw CommandFailure("VM \(GoFlagParser.goQuote(name)) not found") }
        if vm.status == "creating" { throw CommandFailure("VM is in state \"CREATING\" and cannot be \(verb)") }
        return vm
    }

    private func setStatus(of vm: VMRecord, to status: String) throws {
        try store.update { state in
            if let index = state.vms.firstIndex(where: { $0.id == vm.id }) { state.vms[index].status = status }
        }
    }
}
