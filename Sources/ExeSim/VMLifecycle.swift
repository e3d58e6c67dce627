package import ExeSystem

/// An image `new --image` resolved against the local registry.
package struct ResolvedImage: Sendable, Equatable {
    /// The reference podman pulls (`127.0.0.1:PORT/name:tag`).
    package var reference: String
    /// TCP ports the image's config exposes.
    package var exposedPorts: [Int]
    /// The login user label (`exe.dev/login-user`), if any.
    package var loginUser: String?
}

/// The side effects behind VM commands: processes, directories,
/// containers. Control commands reach the machine only through this, so
/// their logic can be tested with a fake.
package protocol VMLifecycle: Sendable {
    /// Checks an `--image` reference and reads its exposed ports. Throws a
    /// ``CommandFailure`` with the message the user should see.
    func resolveImage(_ reference: String, registryAuth: Secret?) throws -> ResolvedImage
    /// Creates the VM's directories, host keys and sshd, and starts its
    /// container when it has an image.
    func provision(_ vm: VMRecord, image: ResolvedImage?, registryAuth: Secret?) throws
    /// Stops everything the VM runs and deletes its directory.
    func destroy(_ vm: VMRecord)
    /// Stops the VM's processes and containers and starts them again.
    func restart(_ vm: VMRecord) throws
    /// Copies `source`'s directory to `copy` and starts `copy`.
    func copy(from source: VMRecord, to copy: VMRecord) throws
    /// Writes the account's keys where every VM's sshd reads them.
    func writeAuthorizedKeys(_ keys: [AccountKey]) throws
    /// Tells the daemon that VMs changed (new proxy listeners, removed ones).
    func notifyDaemon()
    /// Free loopback ports for a new VM's sshd and proxy.
    func allocatePorts() -> (ssh: Int, http: Int)
    /// Freezes every process of the VM (`pause`): they keep their memory
    /// but do not run, so its SSH and proxy stop answering.
    func pause(_ vm: VMRecord) throws
    /// Lets a paused VM's processes run again (`resume`).
    func resume(_ vm: VMRecord) throws
}

extension VMLifecycle {
    /// Fakes without processes have nothing to freeze.
    package func pause(_ vm: VMRecord) throws {}
    /// Fakes without processes have nothing to thaw.
    package func resume(_ vm: VMRecord) throws {}
}
