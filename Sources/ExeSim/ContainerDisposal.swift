/// What stopping a VM does with its containers.
enum ContainerDisposal: Sendable, Equatable {
    /// Stops them; they stay, and a restart starts them again.
    case stop
    /// Removes them.
    case remove
    /// Leaves them to the caller (`down --purge` removes every container
    /// of the simulator in one `podman rm`).
    case leave
}
