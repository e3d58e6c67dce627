import Foundation

/// Writes a loaded YAML value (`[String: Any]`, `[Any]`, `String`, `Int`,
/// `Double`, `Bool`, `NSNull`, as ``ExeYAML/BoundedYAML`` reads them) back as
/// block YAML: keys sorted, strings double-quoted (JSON strings are YAML
/// strings), so nothing is read back as another type.
enum YAMLBlockWriter {
    static func write(_ value: Any) -> String {
        var lines: [String] = []
        emit(value, indent: "", into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func emit(_ value: Any, indent: String, into lines: inout [String]) {
        if let mapping = value as? [String: Any] {
            for key in mapping.keys.sorted() {
                let item = mapping[key]!
                if let inline = inline(item) {
                    lines.append("\(indent)\(ComposeFileRenderer.quoted(key)): \(inline)")
                } else {
                    lines.append("\(indent)\(ComposeFileRenderer.quoted(key)):")
                    emit(item, indent: indent + "  ", into: &lines)
                }
            }
        } else if let list = value as? [Any] {
            for item in list {
                if let inline = inline(item) {
                    lines.append("\(indent)- \(inline)")
                } else {
                    var nested: [String] = []
                    emit(item, indent: indent + "  ", into: &nested)
                    if let first = nested.first {
                        lines.append(indent + "- " + first.dropFirst(indent.count + 2))
                        lines += nested.dropFirst()
                    }
                }
            }
        } else {
            lines.append(indent + (inline(value) ?? "null"))
        }
    }

    /// A scalar, an empty list or an empty mapping on one line; `nil` for a
    /// block.
    private static func inline(_ value: Any) -> String? {
        switch value {
        case let mapping as [String: Any]: return mapping.isEmpty ? "{}" : nil
        case let list as [Any]: return list.isEmpty ? "[]" : nil
        case let text as String: return ComposeFileRenderer.quoted(text)
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Int: return String(number)
        case let number as Double: return number.isFinite ? String(number) : ComposeFileRenderer.quoted(String(number))
        case is NSNull: return "null"
        default: return ComposeFileRenderer.quoted("\(value)")
        }
    }
}
