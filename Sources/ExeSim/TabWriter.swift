/// Go's `text/tabwriter` with `minwidth` 0, a padding, space as the pad
/// character and no flags, for rows whose cells are all tab-terminated but
/// the last: each such cell is padded to its column's widest cell plus the
/// padding; the last cell of a row is written as is. Widths count Unicode
/// scalars, escape sequences included (tabwriter counts runes), so columns
/// of coloured cells keep the server's spacing once the escapes are
/// filtered out (``ANSIFilter``).
enum TabWriter {
    /// The rows laid out, one line each (without line ends).
    static func lines(_ rows: [[String]], padding: Int) -> [String] {
        let columns = rows.map { $0.count - 1 }.max() ?? 0
        var widths = [Int](repeating: 0, count: max(columns, 0))
        for row in rows {
            for (column, cell) in row.dropLast().enumerated() {
                widths[column] = max(widths[column], cell.unicodeScalars.count + padding)
            }
        }
        return rows.map { row in
            var line = ""
            for (column, cell) in row.dropLast().enumerated() {
                line += cell + String(repeating: " ", count: widths[column] - cell.unicodeScalars.count)
            }
            return line + (row.last ?? "")
        }
    }
}
