import Testing

/// The suites that run a simulator of their own (`.sharedSimulator`); how
/// many run at once is ``SimulatorGate``'s to say, across every module.
@Suite
enum SimulatorSuites {}
