import Foundation

/// Rows of text in aligned columns, two spaces apart, with a header line in capitals. The last column
/// is not padded, so lines carry no trailing spaces.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) {
        self.headers = headers
    }

    mutating func add(_ cells: String...) {
        precondition(cells.count == headers.count, "a row needs \(headers.count) cells")
        rows.append(cells.map(Self.oneLine))
    }

    var lines: [String] {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    /// Cells stay on one line whatever the data holds (a group description with a newline).
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}

/// `Label:  value` lines for one object, values aligned; a nil value leaves its line out.
struct DetailList {
    private var entries: [(String, String)] = []

    mutating func add(_ label: String, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        entries.append((label, value))
    }

    var lines: [String] {
        let width = (entries.map(\.0.count).max() ?? 0) + 1
        return entries.map { label, value in (label + ":").padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value }
    }
}
