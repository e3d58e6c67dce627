import Foundation

/// The executables this package builds, as the integration tests run them.
///
/// `scripts/test` points `EXE_CLI_BINARY` and `EXE_SIM_BINARY` at a build
/// without swift-argument-parser's `DEBUG`-only check of the command tree,
/// which costs a debug `exe-cli` about 0.2 s of CPU on every call (and a
/// debug `exe-sim` some on every SSH command). The check itself still runs
/// in-process, in the debug test bundle (`CommandDefinitionTests`). Without those
/// variables the tests run the debug executables built next to the bundle.
public enum BuiltProduct {
    /// The path of the executable `name` (`exe-cli` or `exe-sim`): its
    /// environment variable when set, else the file next to the running
    /// test bundle (`.build/<triple>/debug/NAME`), or `nil` when not built.
    public static func path(_ name: String) -> String? {
        let variable = "EXE_" + name.replacingOccurrences(of: "exe-", with: "").uppercased() + "_BINARY"
        if let explicit = ProcessInfo.processInfo.environment[variable], !explicit.isEmpty { return explicit }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = (me as NSString).deletingLastPathComponent
        for _ in 0..<4 {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return nil
    }
}
