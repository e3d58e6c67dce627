import Foundation

/// Runs one control command line the way the real dispatcher does: split
/// it, find the command, reorder and parse flags, check positional
/// arguments, call the handler, and write output or an error.
package final class ControlSession: @unchecked Sendable {
    let environment: ControlEnvironment
    let request: ReceivedCommand
    var output = CommandOutput(wantsJSON: false)
    var flags = GoParsedFlags.empty
    var arguments: [String] = []

    /// A session for `request`.
    package init(environment: ControlEnvironment, request: ReceivedCommand) {
        self.environment = environment
        self.request = request
    }

    var configuration: SimConfiguration { environment.configuration }
    var store: StateStore { environment.store }
    var now: Date { environment.clock.now() }

    /// Runs the command and returns what it printed.
    package func run() -> CommandReply {
        let forced = request.transport == .https
        output = CommandOutput(wantsJSON: forced)
        let status = execute()
        return CommandReply(output: request.hasTerminal ? output.text : ANSIFilter.strip(output.text), exitStatus: status)
    }

    private func fail(_ message: String) -> Int32 {
        output.error(message)
        return 1
    }

    private func execute() -> Int32 {
        let line = request.commandLine.trimmingCharacters(in: .whitespacesAndNewlines)
        let words: [String]
        do { words = try ShellWords.commandWords(line) } catch { return fail("invalid command syntax") }
        guard !words.isEmpty else {
            return fail("exe-sim has no interactive REPL: pass a command, for example: ssh exe.dev help")
        }
        guard let resolved = environment.tree.resolve(words) else {
            return fail("exe.dev repl: command not found: \(GoFlagParser.goQuote(words.joined(separator: " ")))")
        }
        // `executeCommand` checks `Available` before it parses any flag.
        guard resolved.spec.available else {
            return fail("exe.dev repl: command not available: \(GoFlagParser.goQuote(words.joined(separator: " ")))")
        }
        if resolved.spec.rawArgs {
            arguments = resolved.arguments
            return dispatch(resolved)
        }
        let ordered = GoFlagParser.reorder(resolved.arguments)
        do {
            flags = try GoFlagParser.parse(ordered, flags: resolved.spec.flags ?? [])
        } catch {
            switch error {
            case .help:
                if resolved.arguments.contains(where: { ["--json", "-json", "--json=true", "-json=true"].contains($0) }) {
                    output.wantsJSON = true
                }
                writeHelp(for: resolved)
                return 0
            case .message(let message):
                return fail("flag parsing error: \(message)")
            }
        }
        if flags.bool("json") { output.wantsJSON = true }
        arguments = flags.arguments
        if !arguments.isEmpty, !resolved.spec.hasPositionalArgs {
            let path = resolved.canonicalName.split(separator: " ").map(String.init)
            if !resolved.spec.subcommands.isEmpty {
                let names = resolved.spec.subcommands.filter { !$0.hidden }.map(\.name).joined(separator: ", ")
                let top = GoFlagParser.goQuote(words[0])
                return fail("\(top) subcommand \(GoFlagParser.goQuote(arguments[0])) not found, valid \(top) subcommands are: \(names)")
            }
            return fail("\(GoFlagParser.goQuote(path.last ?? resolved.spec.name)) command has no subcommands and does not take positional arguments")
        }
        return dispatch(resolved)
    }

    private func dispatch(_ resolved: ResolvedCommand) -> Int32 {
        do {
            try handle(resolved)
            return 0
        } catch let failure as CommandFailure {
            return fail(failure.message)
        } catch let exit as SilentExit {
            return exit.status
        } catch {
            // The command's name only: its arguments may hold secrets (--registry-auth).
            FileHandle.standardError.write(Data("exe-sim: \(resolved.canonicalName): \(error)\n".utf8))
            return fail("\(GoFlagParser.goQuote(resolved.canonicalName)): internal error, trace ID: \(traceID())")
        }
    }

    private func traceID() -> String {
        (0..<16).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
    }

    private func handle(_ resolved: ResolvedCommand) throws {
        switch resolved.canonicalName {
        case "help": try help()
        case "ls": try list()
        case "new": try create()
        case "rm": try remove()
        case "restart": try restart()
        case "rename": try rename()
        case "tag": try tag()
        case "comment": try comment()
        case "stat": try stat()
        case "cp": try copy()
        case "resize": try resize()
        case "whoami": try whoami()
        case "set-region": try setRegion()
        case "share show": try shareShow()
        case "share port": try sharePort()
        case "share set-public": try shareSetVisibility(public: true)
        case "share set-private": try shareSetVisibility(public: false)
        case "share add": try shareAdd()
        case "share remove": try shareRemove()
        case "share add-link": try shareAddLink()
        case "share remove-link": try shareRemoveLink()
        case "share receive-email": try shareReceiveEmail()
        case "ssh-key list": try keyList()
        case "ssh-key add": try keyAdd()
        case "ssh-key remove": try keyRemove()
        case "ssh-key rename": try keyRename()
        case "ssh-key generate-api-key": try keyGenerateAPIKey()
        case "integrations list": try integrationList()
        case "integrations add": try integrationAdd()
        case "integrations remove": try integrationRemove()
        case "integrations attach": try integrationAttach(detach: false)
        case "integrations detach": try integrationAttach(detach: true)
        case "integrations rename": try integrationRename()
        case "exe0-to-exe1": try exe0ToExe1()
        case "true": break
        case "ssh": try sshToVM()
        default:
            if try handleToday(resolved.canonicalName) { return }
            writeHelp(for: resolved)
        }
    }

    /// A VM-name argument with an optional `.exe.xyz` suffix removed.
    func normalizedVMName(_ name: String) -> String {
        name.hasSuffix(".exe.xyz") ? String(name.dropLast(".exe.xyz".count)) : name
    }
}

/// Ends a command with a status and no further output.
struct SilentExit: Error {
    let status: Int32
}
