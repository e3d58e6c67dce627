import Foundation

/// How many bytes a VM's files take (for `stat`).
enum VMDiskUsage {
    static func bytes(of configuration: SimConfiguration, vm: VMRecord) -> Int64 {
        let root = SimPaths(root: configuration.stateDirectory).vm(vm.id).filesystem
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return 0 }
        var total: Int64 = 0
        while let path = enumerator.nextObject() as? String {
            if let size = (try? FileManager.default.attributesOfItem(atPath: root + "/" + path))?[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return total
    }
}
