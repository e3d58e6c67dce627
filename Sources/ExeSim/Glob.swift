import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Shell globs (`*`, `?`, `[...]`) as `ls` filters use them; a word
/// without glob characters matches only itself.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        if !pattern.contains(where: { "*?[".contains($0) }) { return pattern == text }
        return fnmatch(pattern, text, 0) == 0
    }
}
