import Foundation

/// One mapping of a YAML document, read with the key path in every error
/// and unknown keys refused (a typo must not be silently ignored).
struct YAMLSection {
    /// The file, for messages.
    let file: String
    /// `image`, `health`, ... (empty for the top level).
    let path: String
    let values: [String: Any]
    /// The file's lines, to name the line of a bad value (`nil`: unknown).
    let lines: [Substring]?

    init(file: String, path: String, values: [String: Any], known: [String], text: String? = nil) throws {
        try self.init(file: file, path: path, values: values, known: known, lines: text.map { $0.split(separator: "\n", omittingEmptySubsequences: false) })
    }

    private init(file: String, path: String, values: [String: Any], known: [String], lines: [Substring]?) throws {
        self.file = file
        self.path = path
        self.values = values
        self.lines = lines
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw DeployError(
                .configuration, "\(location(unknown)): unknown setting \(name(unknown)) (known here: \(known.joined(separator: ", ")))")
        }
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// `file:line` of `key` in this section when it is written in block
    /// style (`key: value` on a line of its own), else `file`.
    func location(_ key: String) -> String {
        guard let lines else { return file }
        var parents = path.isEmpty ? [] : path.split(separator: ".").map(String.init)
        var indent = -1
        for (index, line) in lines.enumerated() {
            let body = line.drop { $0 == " " }
            let depth = line.count - body.count
            if depth <= indent, !body.isEmpty, !body.hasPrefix("#") { return file }  // left the section without finding it
            let wanted = parents.first ?? key
            guard depth > indent, body.hasPrefix(wanted), body.dropFirst(wanted.count).drop(while: { $0 == " " }).hasPrefix(":") else { continue }
            if parents.isEmpty { return "\(file):\(index + 1)" }
            parents.removeFirst()
            indent = depth
        }
        return file
    }

    func invalid(_ key: String, _ expected: String) -> DeployError {
        DeployError(.configuration, "\(location(key)): \(name(key)) must be \(expected)")
    }

    func string(_ key: String) throws -> String? {
        switch values[key] {
        case nil, is NSNull: return nil
        case let text as String: return text
        case let number as Int: return String(number)
        case let number as Double: return String(number)
        default: throw invalid(key, "a string")
        }
    }

    func int(_ key: String) throws -> Int? {
        switch values[key] {
        case nil, is NSNull: return nil
        case let number as Int: return number
        case let text as String:
            guard let number = Int(text) else { throw invalid(key, "a whole number") }
            return number
        default: throw invalid(key, "a whole number")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch values[key] {
        case nil, is NSNull: return nil
        case let flag as Bool: return flag
        default: throw invalid(key, "true or false")
        }
    }

    /// A list, or one comma-separated string.
    func strings(_ key: String) throws -> [String]? {
        switch values[key] {
        case nil, is NSNull: return nil
        case let text as String: return DeployValueParsing.list(text)
        case let list as [Any]:
            return try list.map { item in
                guard let text = item as? String else { throw invalid(key, "a list of strings") }
                return text
            }
        default: throw invalid(key, "a list of strings")
        }
    }

    func duration(_ key: String) throws -> Duration? {
        guard let text = try string(key) else { return nil }
        return try DeployValueParsing.duration(text, setting: "\(file): \(name(key))")
    }

    /// A whole number of at least `minimum`.
    func int(_ key: String, atLeast minimum: Int) throws -> Int? {
        let problem = invalid(key, "a whole number, \(minimum) or more (it is \(values[key].map { "\($0)" } ?? ""))")
        let number: Int?
        do { number = try int(key) } catch { throw problem }
        if let number, number < minimum { throw problem }
        return number
    }

    func section(_ key: String, known: [String]) throws -> YAMLSection? {
        switch values[key] {
        case nil, is NSNull: return nil
        case let mapping as [String: Any]: return try YAMLSection(file: file, path: name(key), values: mapping, known: known, lines: lines)
        default: throw invalid(key, "a mapping")
        }
    }
}
