import ArgumentParser
import Foundation

/// exe-sim's entry point: a forced command (``ForcedCommand``) runs
/// directly; everything else is parsed by ``ExeSimCommand``.
@main
enum Main {
    static func main() {
        if let forced = ForcedCommand(arguments: Array(CommandLine.arguments.dropFirst())) {
            exit(forced.run())
        }
        ExeSimCommand.main()
    }
}
