import ExeSystem
import ExeDeploy
import Foundation
import Synchronization

/// Shows a deploy's progress on stderr. On a terminal the running step
/// keeps one line with a ticking clock, replaced by `✓`/`✗` and its time
/// when it ends; otherwise (CI logs, pipes) each start and end is a plain
/// line. Logs of a failed release are printed in full.
final class DeployProgressPrinter: Sendable {
    /// The printer of the deploy this task runs (``DeploySession`` sets it).
    @TaskLocal static var current: DeployProgressPrinter?

    private struct State {
        /// The step that started last (kept after it ends: an interrupt names it).
        var lastPhase: String?
        /// The deploy lock was taken (a `lock` step finished).
        var lockTaken = false
        /// The VM a `create` step was making.
        var createdVM: String?
        var phase: String?
        var message = ""
        var started = ContinuousClock.now
        var ticker: Task<Void, Never>?
    }

    private let console: Console
    private let terminal: Bool
    private let state = Mutex(State())

    init(console: Console, terminal: Bool = isatty(2) == 1) {
        self.console = console
        self.terminal = terminal
    }

    func handle(_ event: DeployEvent) {
        switch event {
        case .started(let phase, let message):
            state.withLock { state in
                state.lastPhase = phase
                if phase == "create", message.hasPrefix("creating ") {
                    state.createdVM = message.dropFirst("creating ".count).split(separator: " ").first.map(String.init)
                }
                state.phase = phase
                state.message = message
                state.started = .now
            }
            if terminal {
                draw()
                startTicker()
            } else {
                console.printError("[\(phase)] \(message)")
            }
        case .finished(let phase, let elapsed):
            if phase == "lock" { state.withLock { $0.lockTaken = true } }
            end(phase, elapsed, mark: "✓", word: "done")
        case .failed(let phase, let elapsed):
            end(phase, elapsed, mark: "✗", word: "failed")
        case .note(let text):
            line("  " + text)
        case .warning(let text):
            line("warning: " + text)
        case .log(let source, let text):
            line("--- logs of \(source) ---\n\(text)\n--- end of logs of \(source) ---")
        }
    }

    /// The step the deploy is in (or last was in).
    var lastPhase: String? { state.withLock { $0.lastPhase } }

    /// What a deploy stopped at once (a second Ctrl-C) may leave behind, as
    /// lines with the command that cleans each up.
    func leftovers(app: String) -> [String] {
        let (lockTaken, createdVM) = state.withLock { ($0.lockTaken, $0.createdVM) }
        var lines: [String] = []
        if lockTaken { lines.append("the deploy lock of \(app) is still held: run `exe-cli deploy unlock --app \(app)` once no deploy runs") }
        if let createdVM { lines.append("the VM \(createdVM) may be left half made: check `exe-cli vm ls` and run `exe-cli vm rm \(createdVM)`") }
        if lines.isEmpty { lines.append("nothing was left: no lock was taken and no VM was created") }
        return lines
    }

    /// Stops the ticker (call when the deploy is over).
    func finish() {
        let ticker = state.withLock { state -> Task<Void, Never>? in
            defer { state.ticker = nil }
            return state.ticker
        }
        ticker?.cancel()
    }

    private func end(_ phase: String, _ elapsed: Duration, mark: String, word: String) {
        let message = state.withLock { state -> String in
            state.phase = nil
            return state.message
        }
        finish()
        let time = Self.format(elapsed)
        if terminal {
            console.writeError(Data("\r\u{1B}[2K\(mark) \(phase) \(time)  \(message)\n".utf8))
        } else {
            console.printError("[\(phase)] \(word) in \(time)")
        }
    }

    /// Prints a full line, keeping the running step's line below it.
    private func line(_ text: String) {
        if terminal, state.withLock({ $0.phase != nil }) {
            console.writeError(Data("\r\u{1B}[2K".utf8))
            console.printError(text)
            draw()
        } else {
            console.printError(text)
        }
    }

    private func draw() {
        guard let (phase, message, started) = state.withLock({ state in state.phase.map { ($0, state.message, state.started) } }) else { return }
        console.writeError(Data("\r\u{1B}[2K… \(phase) \(Self.format(ContinuousClock.now - started))  \(message)".utf8))
    }

    private func startTicker() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                guard let self, !Task.isCancelled else { return }
                self.draw()
            }
        }
        let previous = state.withLock { state -> Task<Void, Never>? in
            defer { state.ticker = task }
            return state.ticker
        }
        previous?.cancel()
    }

    static func format(_ duration: Duration) -> String {
        let seconds = duration.inSeconds
        return String(format: "%.1fs", seconds)
    }
}
