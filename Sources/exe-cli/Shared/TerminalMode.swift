import Foundation

/// Puts a terminal in raw mode and restores it (for `vm ssh`).
final class TerminalMode: @unchecked Sendable {
    private let fd: Int32
    private var saved = termios()
    private var active = false

    /// Raw mode on `fd`, if it is a terminal; `nil` otherwise.
    init?(fd: Int32 = 0) {
        self.fd = fd
        guard isatty(fd) == 1, tcgetattr(fd, &saved) == 0 else { return nil }
        var raw = saved
        cfmakeraw(&raw)
        // TCSADRAIN, as OpenSSH does: TCSAFLUSH would discard what the user
        // typed before the remote shell was ready.
        guard tcsetattr(fd, TCSADRAIN, &raw) == 0 else { return nil }
        active = true
    }

    /// Restores the saved settings (once).
    func restore() {
        guard active else { return }
        active = false
        tcsetattr(fd, TCSADRAIN, &saved)
    }

    deinit { restore() }

    /// The size of the terminal on `fd`: columns and rows (80×24 when unknown).
    static func size(fd: Int32 = 1) -> (width: Int, height: Int) {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }
}
