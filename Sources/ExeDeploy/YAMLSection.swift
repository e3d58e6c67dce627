import Foundation

/// One mapping of a YAML document, read with the key path in every error
/// and unknown keys refused (a typo must not be silently ignored).
struct YAMLSection {
    /// The file, for messages.
    let file: String
    /// `image`, `health`, ... (empty for the top level).
    let path: String
    let values: [String: Any]

    init(file: String, path: String, values: [String: Any], known: [String]) throws {
        self.file = file
        self.path = path
        self.values = values
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw DeployError(
                .configuration, "\(file): unknown setting \(name(unknown)) (known here: \(known.joined(separator: ", ")))")
        }
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func invalid(_ key: String, _ expected: String) -> DeployError {
        DeployError(.configuration, "\(file): \(name(key)) must be \(expected)")
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

    func section(_ key: String, known: [String]) throws -> YAMLSection? {
        switch values[key] {
        case nil, is NSNull: return nil
        case let mapping as [String: Any]: return try YAMLSection(file: file, path: name(key), values: mapping, known: known)
        default: throw invalid(key, "a mapping")
        }
    }
}
