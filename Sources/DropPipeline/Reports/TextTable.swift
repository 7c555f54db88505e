/// The fixed-width text tables every command prints (`validate`, `plan`, `list`, `expiring`, `diff`, `migrate`,
/// `verify`): one renderer, so that a column is padded, cut and aligned the same way wherever it appears.
///
/// Cells are counted in `Character`s (grapheme clusters) and are expected to be display-safe already
/// (``DisplayText/escaped(_:)``): the table neither escapes nor measures terminal widths.
package struct TextTable {
    /// What a cell longer than its column becomes.
    package enum Overflow {
        /// Cut to the width, silently.
        case cut
        /// Cut to one less than the width and ended with `…`; a cell of exactly the width is kept whole.
        case ellipsis
        /// Kept whole and followed by one space, so that the next column never touches it.
        case spill
        /// Kept whole; the next column starts right after it (and after the gap).
        case grow
    }

    package enum Alignment {
        case left, right
    }

    package struct Column {
        /// The width the cell is padded to; `0` for a last column that is never padded.
        let width: Int
        let overflow: Overflow
        let alignment: Alignment
        /// What follows the cell (before the next column).
        let gap: String

        package init(width: Int, _ overflow: Overflow = .grow, alignment: Alignment = .left, gap: String = "") {
            self.width = width
            self.overflow = overflow
            self.alignment = alignment
            self.gap = gap
        }

        /// A last column: the rest of the line, never padded or cut.
        package static let rest = Column(width: 0)

        package func render(_ text: String) -> String {
            guard width > 0 else { return text + gap }
            let count = text.count
            if count < width {
                let padding = String(repeating: " ", count: width - count)
                return (alignment == .left ? text + padding : padding + text) + gap
            }
            switch overflow {
            case .cut: return String(text.prefix(width)) + gap
            case .ellipsis: return (count == width ? text : String(text.prefix(width - 1)) + "…") + gap
            case .spill: return text + " " + gap
            case .grow: return text + gap
            }
        }
    }

    package let columns: [Column]

    package init(_ columns: Column...) {
        self.columns = columns
    }

    /// One line of the table, ended with a line feed. Missing cells are empty; cells beyond the columns are
    /// appended as they are.
    package func line(_ cells: String...) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            text += index < columns.count ? columns[index].render(cell) : cell
        }
        return text + "\n"
    }

    /// The width of the columns before `index` (with their gaps): where a continuation line under column `index`
    /// starts.
    package func indent(before index: Int) -> String {
        String(repeating: " ", count: columns.prefix(index).reduce(0) { $0 + $1.width + $1.gap.count })
    }
}

extension TextTable {
    /// The rows of a manifest as `migrate` prints them, and the list of what was not uploaded after `import` and
    /// `migrate`: action, id, source.
    package static let manifestEntries = TextTable(.init(width: 12, .spill), .init(width: 30, .spill), .rest)
}
