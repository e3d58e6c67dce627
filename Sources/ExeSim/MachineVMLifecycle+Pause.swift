import ExeSystem
import Foundation

extension MachineVMLifecycle {
    /// The freezer for `vm`'s processes and containers.
    func freezer(_ vm: VMRecord) -> VMFreezer {
        let runtimeAvailable = configuration.containerRuntimeAvailable
        let runtime = runtime
        let marker = marker(vm)
        return VMFreezer(
            sshdPIDFile: paths.vm(vm.id).sshdPID, markerEntry: "EXE_SIM_VM=\(marker)",
            containerPIDs: {
                guard runtimeAvailable else { return [] }
                let names = runtime.names(label: "exe-sim.vm", value: marker)
                guard !names.isEmpty,
                    let output = try? runtime.podman(["inspect", "--format", "{{.State.Pid}}"] + names, timeout: .seconds(60)),
                    output.status == 0
                else { return [] }
                return output.stdout.split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
            })
    }

    package func pause(_ vm: VMRecord) throws {
        freezer(vm).freeze()
    }

    package func resume(_ vm: VMRecord) throws {
        freezer(vm).thaw()
    }
}
