import Dispatch
import ExeLease
import Foundation

/// A ``RunInterrupt`` that Ctrl-C fires while it is installed: SIGINT is
/// ignored as a signal and handled as an event, until ``remove()`` puts
/// the default action back.
final class SIGINTInterrupt {
    /// Fired by Ctrl-C.
    let interrupt = RunInterrupt()
    private let source: any DispatchSourceSignal

    /// Installs the handler.
    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let interrupt = interrupt
        source.setEventHandler { interrupt.fire() }
        source.resume()
    }

    /// Removes the handler; SIGINT ends the process again.
    func remove() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
