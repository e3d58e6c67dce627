import ExeSystem
import Foundation

extension MachineVMLifecycle {
    /// The freezer for `vm`'s processes and, with `containers`, its
    /// containers' processes.
    func freezer(_ vm: VMRecord, containers: Bool = true) -> VMFreezer {
        let runtimeAvailable = containers && configuration.containerRuntimeAvailable
        let runtime = runtime
        let marker = marker(vm)
        return VMFreezer(
            sshdPIDFile: paths.vm(vm.id).sshdPID, markerEntry: "EXE_SIM_VM=\(marker)",
            containerPIDs: {
                guard runtimeAvailable else { return [] }
                return runtime.containers(label: "exe-sim.vm", value: marker).map(\.pid)
            })
    }

    package func pause(_ vm: VMRecord) throws {
        freezer(vm).freeze()
    }

    package func resume(_ vm: VMRecord) throws {
        freezer(vm).thaw()
    }
}
