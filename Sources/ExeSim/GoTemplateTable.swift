import Foundation

/// The subset of Go's text/template that `docker ps --format` uses:
/// `{{.Field}}` substitutions, and a `table ` prefix that adds a header.
enum GoTemplateTable {
    static func render(_ template: String, rows: [[String: String]]) -> String {
        var format = template
        var table = false
        if format.hasPrefix("table") {
            table = true
            format = String(format.dropFirst(5)).trimmingCharacters(in: .whitespaces)
        }
        func substitute(_ row: [String: String]?) -> String {
            var result = ""
            var rest = Substring(format)
            while let open = rest.range(of: "{{") {
                result += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].range(of: "}}") else {
                    rest = rest[open.lowerBound...]
                    break
                }
                let field = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                let name = field.hasPrefix(".") ? String(field.dropFirst()) : field
                if let row {
                    result += row[name] ?? ""
                } else {
                    result += header(name)
                }
                rest = rest[close.upperBound...]
            }
            result += rest
            return result
        }
        var lines: [String] = []
        if table { lines.append(substitute(nil)) }
        for row in rows { lines.append(substitute(row)) }
        guard !lines.isEmpty else { return "" }
        if table { return aligned(lines) }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func header(_ name: String) -> String {
        switch name {
        case "ID": return "CONTAINER ID"
        case "Names": return "NAMES"
        case "RunningFor": return "CREATED"
        case "CreatedAt": return "CREATED AT"
        default: return name.uppercased()
        }
    }

    /// Pads tab-separated columns like Go's tabwriter (3 spaces apart).
    private static func aligned(_ lines: [String]) -> String {
        let cells = lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let columns = cells.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in cells { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return cells.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 3)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
