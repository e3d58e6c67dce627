import Foundation

/// A path given on the command line or in the environment, made absolute:
/// a relative one is taken from the current directory, so it means the
/// same file to a process that runs elsewhere (the connection holder runs
/// in `/`) or later. `.` and `..` are resolved; symbolic links are not.
enum WorkingDirectoryPath {
    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/"), !path.isEmpty else { return path }
        let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        return URL(fileURLWithPath: path, relativeTo: directory).standardizedFileURL.path
    }
}
