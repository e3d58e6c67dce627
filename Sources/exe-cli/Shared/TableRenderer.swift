import Foundation
/// Renders rows as aligned columns, two spaces apart, the last column
/// unpadded. Cells with line breaks are flattened to one line. With a
/// `maxWidth` (the terminal's), lines are cut to it with `…`.
enum TableRenderer {
    static func render(headers: [String], rows: [[String]], maxWidth: Int? = nil) -> String {
        let all = [headers] + rows.map { row in row.map { $0.replacingOccurrences(of: "\n", with: " ") } }
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padded(to: widths[index])
            }.joined(separator: "  ").trimmingTrailingSpaces().cut(to: maxWidth)
        }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func padded(to length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }

    /// At most `width` characters, the last one `…` when cut.
    func cut(to width: Int?) -> String {
        guard let width, width > 1, count > width else { return self }
        return String(prefix(width - 1)) + "…"
    }

    fileprivate func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
