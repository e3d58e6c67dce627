/// How a VM record appears in command output: its SSH destination, URLs
/// and the JSON objects of `ls` and `new`.
struct VMPresentation {
    let vm: VMRecord
    let configuration: SimConfiguration

    var sshHost: String { "127.0.0.1" }
    var sshUser: String { configuration.user }
    var sshDest: String { "\(sshUser)@\(sshHost)" }
    var sshCommand: String { "ssh -p \(vm.sshPort) \(sshDest)" }
    var httpsURL: String { VMHost.url(vmName: vm.name, tls: configuration.servesTLS) }
    /// The Shelley agent's URL, for exeuntu VMs only (`shelleyURL` in
    /// `execore/exe.go`: `<vm>.shelley.<box host>`).
    var shelleyURL: String? {
        guard vm.image.map({ $0.isEmpty || $0.contains("exeuntu") }) ?? true else { return nil }
        return "\(VMHost.scheme(tls: configuration.servesTLS))://\(vm.name).shelley.\(VMHost.domain)"
    }
    var vscodeURL: String {
        "vscode://vscode-remote/ssh-remote+\(sshDest):\(vm.sshPort)\(configuration.home)?windowId=_blank"
    }

    /// One entry of `ls --json`.
    func listEntry(region: String) -> JSONValue {
        var object = JSONObjectBuilder()
        object.add("vm_name", .string(vm.name))
        object.add("ssh_dest", .string(sshDest))
        object.add("ssh_host", .string(sshHost))
        object.add("ssh_user", .string(sshUser))
        object.add("ssh_port", .number(vm.sshPort))
        object.add("status", .string(vm.status))
        object.add("region", .string(region))
        object.addNonEmpty("region_display", Regions.displayNames[region])
        object.addNonEmpty("image", vm.image)
        object.add("https_url", .string(httpsURL))
        if let shelleyURL { object.add("shelley_url", .string(shelleyURL)) }
        if !vm.tags.isEmpty { object.add("tags", .strings(vm.tags)) }
        object.addNonEmpty("comment", vm.comment)
        object.add("created_at", .string(vm.createdAt.rfc3339))
        if vm.diskBytes > 0 { object.add("disk_capacity_bytes", .int(vm.diskBytes)) }
        if vm.memoryBytes > 0 { object.add("memory_capacity_bytes", .int(vm.memoryBytes)) }
        object.add("allocated_cpus", .number(vm.cpus))
        return object.value
    }

    /// The output of `new --json`.
    func creationDetails() -> JSONValue {
        var object = JSONObjectBuilder()
        object.add("vm_name", .string(vm.name))
        object.add("tags", .strings(vm.tags))
        object.add("ssh_command", .string(sshCommand))
        object.add("ssh_dest", .string(sshDest))
        object.add("ssh_host", .string(sshHost))
        object.add("ssh_user", .string(sshUser))
        object.add("ssh_port", .number(vm.sshPort))
        object.add("https_url", .string(httpsURL))
        object.add("proxy_port", .number(vm.proxyPort))
        object.add("vscode_url", .string(vscodeURL))
        return object.value
    }
}
