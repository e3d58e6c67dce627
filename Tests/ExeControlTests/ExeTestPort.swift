import ExeTestSupport

enum ExeTestPort {
    /// A loopback port nothing listens on.
    static func unused() -> Int { LoopbackPort.free() }
}
