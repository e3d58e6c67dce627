import Testing

/// Every suite that runs a simulator, one after another: each starts
/// sshds, a registry, podman and dozens of ssh clients, and two at once on
/// a 2-core machine starve the timing-sensitive tests of other modules.
@Suite(.serialized)
enum SimulatorSuites {}
