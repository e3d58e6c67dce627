import ArgumentParser

@main
struct ExeSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exe-sim", abstract: "A local exe.dev.")
}
