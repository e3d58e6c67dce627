import Foundation

/// Puts the global options last in a help text.
///
/// ArgumentParser prints titled option groups before a command's own
/// options; `exe-cli` titles ``GlobalOptions`` "Global options", and this
/// moves that section after the others so a command's own options come first.
enum HelpLayout {
    /// The header ArgumentParser prints for ``GlobalOptions``.
    static let globalHeader = "GLOBAL OPTIONS:"

    /// `help` with its global-options section moved to the end.
    static func reorder(_ help: String) -> String {
        let sections = help.components(separatedBy: "\n\n")
        guard let index = sections.firstIndex(where: { $0.hasPrefix(globalHeader) }), index != sections.count - 1 else { return help }
        var reordered = sections
        var global = reordered.remove(at: index)
        while global.hasSuffix("\n") { global.removeLast() }
        if var last = reordered.popLast() {
            while last.hasSuffix("\n") { last.removeLast() }
            reordered.append(last)
        }
        return reordered.joined(separator: "\n\n") + "\n\n" + global
    }
}
