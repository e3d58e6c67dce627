import ExeSSH
import ExeSystem
import Foundation

/// Asks for a key passphrase on the controlling terminal (`/dev/tty`) with
/// echo off, the way `ssh` does. Without a terminal there is no prompt.
enum TerminalPassphrasePrompt {
    static func provider() -> PassphraseProvider? {
        guard isatty(0) == 1 || isatty(2) == 1 else { return nil }
        return { keyPath in read(prompt: "Enter passphrase for key '\(keyPath)': ") }
    }

    private static func read(prompt: String) -> Secret? {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        FileDescriptorWriter.write(Data(prompt.utf8), to: fd)
        var saved = termios()
        let hasTerminal = tcgetattr(fd, &saved) == 0
        if hasTerminal {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(fd, TCSAFLUSH, &silent)
        }
        defer {
            if hasTerminal { tcsetattr(fd, TCSAFLUSH, &saved) }
            FileDescriptorWriter.write(Data("\n".utf8), to: fd)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n"), bytes.count < 4096 { bytes.append(byte) }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes.isEmpty ? nil : Secret(String(decoding: bytes, as: UTF8.self))
    }
}
