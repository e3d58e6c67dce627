import Foundation

/// Where the connection holder's socket lives: `$XDG_RUNTIME_DIR/exe`, else
/// `<state dir>/run` (`~/.local/state/exe/run`). The directory is created
/// with mode 0700 and used only if it is a real directory (not a symlink)
/// owned by this user that nobody else can open, like OpenSSH's
/// ControlPath directories should be.
///
/// The socket and lock are named after the running build
/// (`holder-<build>.sock`), so an upgraded exe-cli never talks to a holder
/// an older build left running, which would read newer settings it does not
/// know; that one idles out.
struct HolderLocation: Sendable, Equatable {
    let directory: String

    var socketPath: String { directory + "/holder-\(Self.build).sock" }
    var lockPath: String { directory + "/holder-\(Self.build).lock" }

    init(directory: String) { self.directory = directory }

    /// The running executable's identity: its inode and modification time
    /// (a rebuild or an upgrade changes them), in base 36.
    static let build: String = {
        var status = stat()
        guard stat("/proc/self/exe", &status) == 0 else { return "unknown" }
        return String(UInt64(status.st_ino), radix: 36) + "-" + String(Int64(status.st_mtim.tv_sec), radix: 36)
    }()

    init(environment: CLIEnvironment) {
        if let runtime = environment.variable("XDG_RUNTIME_DIR") {
            directory = runtime + "/exe"
        } else {
            directory = environment.stateDirectory + "/run"
        }
    }

    /// Creates the directory if needed and checks it is private.
    ///
    /// - Throws: ``HolderUnavailable`` when it is not a directory, belongs to
    ///   someone else, or is open to others.
    func preparePrivateDirectory() throws(HolderUnavailable) {
        if mkdir(directory, 0o700) != 0, errno == ENOENT {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var status = stat()
        guard lstat(directory, &status) == 0 else { throw HolderUnavailable("cannot create \(directory)") }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw HolderUnavailable("\(directory) is not a directory") }
        guard status.st_uid == getuid() else { throw HolderUnavailable("\(directory) belongs to another user") }
        guard status.st_mode & 0o077 == 0 else { throw HolderUnavailable("\(directory) is open to other users (mode \(String(status.st_mode & 0o777, radix: 8)))") }
    }
}

/// The holder cannot be used; the caller connects directly.
struct HolderUnavailable: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
