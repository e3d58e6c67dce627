/// The kind of value a flag takes, as Go's `flag` package types them.
package enum GoFlagKind: Sendable, Equatable {
    /// `-x`, `-x=true`, `-x=false`; never takes the next word.
    case bool(default: Bool)
    /// Any text.
    case string(default: String)
    /// A signed integer.
    case int(default: Int)
    /// An unsigned integer.
    case uint(default: UInt)
    /// A repeatable text flag: every occurrence is kept.
    case list
}

/// One flag a command defines.
package struct GoFlag: Sendable {
    /// The name without dashes.
    package let name: String
    /// Its kind and default.
    package let kind: GoFlagKind
    /// The help text; flags whose usage starts with `[hidden] ` are not listed.
    package let usage: String

    /// Creates a flag.
    package init(_ name: String, _ kind: GoFlagKind, _ usage: String) {
        self.name = name
        self.kind = kind
        self.usage = usage
    }

    /// Whether help output leaves this flag out.
    package var isHidden: Bool { usage.isEmpty || usage.hasPrefix("[hidden] ") }
}

/// What a Go `flag.FlagSet.Parse` returned.
package struct GoParsedFlags: Sendable {
    /// The value of every defined flag, defaults included, as text (lists joined by nothing: see ``list(_:)``).
    private var values: [String: String]
    private var lists: [String: [String]]
    /// The names of the flags that appeared on the command line.
    package private(set) var explicitlySet: Set<String>
    /// The words after the flags.
    package var arguments: [String]

    init(values: [String: String], lists: [String: [String]], explicitlySet: Set<String>, arguments: [String]) {
        self.values = values
        self.lists = lists
        self.explicitlySet = explicitlySet
        self.arguments = arguments
    }

    /// An empty result (a command that defines no flags).
    package static let empty = GoParsedFlags(values: [:], lists: [:], explicitlySet: [], arguments: [])

    /// A flag's text value, or `nil` if the command does not define it.
    package func string(_ name: String) -> String? { values[name] }
    /// A boolean flag's value (`false` when undefined).
    package func bool(_ name: String) -> Bool { values[name] == "true" }
    /// Every occurrence of a repeatable flag.
    package func list(_ name: String) -> [String] { lists[name] ?? [] }
    /// Whether the flag appeared on the command line.
    package func isSet(_ name: String) -> Bool { explicitlySet.contains(name) }
    /// Whether the command defines the flag.
    package func defines(_ name: String) -> Bool { values[name] != nil || lists[name] != nil }
}

/// Go's `flag` package parsing rules, plus the reordering the exe.dev
/// dispatcher applies before handing words to it.
package enum GoFlagParser {
    /// Why parsing failed. ``help`` is Go's `flag.ErrHelp`.
    package enum Failure: Error, Equatable, Sendable {
        /// `-h`, `-help` or `--help` with no such flag defined.
        case help
        /// Any other error, with Go's message.
        case message(String)
    }

    /// The dispatcher's reordering: flags (and the word after a flag
    /// without `=` when that word does not start with `-`) move in front of
    /// the positional words; everything after `--` is positional; a `--`
    /// is inserted when a positional word starts with `-` (PEM headers).
    package static func reorder(_ words: [String]) -> [String] {
        guard !words.isEmpty else { return words }
        var flags: [String] = []
        var positionals: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if word == "--" {
                positionals += words[(index + 1)...]
                break
            }
            if word.hasPrefix("-"), !word.hasPrefix("-----") {
                flags.append(word)
                if !word.contains("="), index + 1 < words.count, !words[index + 1].hasPrefix("-") {
                    flags.append(words[index + 1])
                    index += 1
                }
                index += 1
                continue
            }
            positionals.append(word)
            index += 1
        }
        let needsTerminator = positionals.contains { $0.hasPrefix("-") }
        return flags + (needsTerminator ? ["--"] : []) + positionals
    }

    /// Parses `words` against `flags` exactly as `flag.FlagSet.Parse` does:
    /// it stops at the first word that is not a flag.
    package static func parse(_ words: [String], flags: [GoFlag]) throws(Failure) -> GoParsedFlags {
        var values: [String: String] = [:]
        var lists: [String: [String]] = [:]
        var byName: [String: GoFlag] = [:]
        for flag in flags {
            byName[flag.name] = flag
            switch flag.kind {
            case .bool(let value): values[flag.name] = value ? "true" : "false"
            case .string(let value): values[flag.name] = value
            case .int(let value): values[flag.name] = String(value)
            case .uint(let value): values[flag.name] = String(value)
            case .list: lists[flag.name] = []
            }
        }
        var explicitlySet = Set<String>()
        var remaining = words[...]
        while let word = remaining.first {
            if word.count < 2 || !word.hasPrefix("-") { break }
            var numMinuses = 1
            if word.hasPrefix("--") {
                numMinuses = 2
                if word.count == 2 {
                    remaining = remaining.dropFirst()
                    break
                }
            }
            remaining = remaining.dropFirst()
            let body = String(word.dropFirst(numMinuses))
            if body.isEmpty || body.hasPrefix("-") || body.hasPrefix("=") {
                throw .message("bad flag syntax: \(word)")
            }
            var name = body
            var value: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                value = String(body[body.index(after: equals)...])
            }
            guard let flag = byName[name] else {
                if name == "help" || name == "h" { throw .help }
                throw .message("flag provided but not defined: -\(name)")
            }
            switch flag.kind {
            case .bool:
                if let value {
                    guard let parsed = parseBool(value) else {
                        throw .message("invalid boolean value \(goQuote(value)) for -\(name): parse error")
                    }
                    values[name] = parsed ? "true" : "false"
                } else {
                    values[name] = "true"
                }
            default:
                var argument = value
                if argument == nil {
                    guard let next = remaining.first else { throw .message("flag needs an argument: -\(name)") }
                    argument = next
                    remaining = remaining.dropFirst()
                }
                let text = argument ?? ""
                switch flag.kind {
                case .int:
                    guard Int(text) != nil else {
                        throw .message("invalid value \(goQuote(text)) for flag -\(name): parse error")
                    }
                    values[name] = text
                case .uint:
                    guard UInt(text) != nil else {
                        throw .message("invalid value \(goQuote(text)) for flag -\(name): parse error")
                    }
                    values[name] = text
                case .list:
                    lists[name, default: []].append(text)
                default:
                    values[name] = text
                }
            }
            explicitlySet.insert(name)
        }
        return GoParsedFlags(values: values, lists: lists, explicitlySet: explicitlySet, arguments: Array(remaining))
    }

    /// `strconv.ParseBool`.
    package static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }

    /// Go's `%q` for the strings the simulator quotes (printable text).
    package static func goQuote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
