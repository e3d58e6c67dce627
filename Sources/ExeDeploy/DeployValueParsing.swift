import ExeSystem
import Foundation

/// How values written as text (flags, `EXE_DEPLOY_*` variables, YAML)
/// become typed settings, with one wording for every mistake.
enum DeployValueParsing {
    /// `a, b,c` → `["a", "b", "c"]`.
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func duration(_ text: String, setting: String) throws -> Duration {
        guard let duration = DurationText.parse(text) else {
            throw DeployError(.configuration, "\(setting): invalid duration \"\(text)\" (use 45s, 30m, 2h or 1h30m; at most 36500d)")
        }
        return duration
    }

    static func int(_ text: String, setting: String) throws -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw DeployError(.configuration, "\(setting): \"\(text)\" is not a whole number")
        }
        return value
    }

    static func bool(_ text: String, setting: String) throws -> Bool {
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw DeployError(.configuration, "\(setting): \"\(text)\" is not true or false")
        }
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ text: String, setting: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text.lowercased()) else {
            let choices = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw DeployError(.configuration, "\(setting): \"\(text)\" is not one of \(choices)")
        }
        return value
    }

    static func image(_ text: String, setting: String) throws -> ImageReference {
        guard let image = ImageReference(text) else {
            throw DeployError(.configuration, "\(setting): \"\(text)\" is not an image name (registry/owner/app[:tag])")
        }
        return image
    }
}
