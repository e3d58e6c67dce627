/// Go's `text/tabwriter` with `minwidth` 0, a padding, space as the pad
/// character and no flags, for rows that all have the same number of cells
/// (as every caller's do; Go sizes a column over each run of rows that has
/// it, which is then the whole table), every cell tab-terminated but the
/// last: each such cell is padded to its column's widest cell plus the
/// padding, also before an empty last cell; the last cell is written as is. Widths count Unicode
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
