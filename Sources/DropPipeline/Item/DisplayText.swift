/// Text from a drop, an archive or a service made safe to print on a terminal.
public enum DisplayText {
    /// `text` with every control character escaped, so that a name cannot move the cursor, clear the screen or
    /// rewrite earlier lines: C0 controls and DEL as `\x1b`, C1 controls and the bidirectional overrides and
    /// isolates (U+202A–U+202E, U+2066–U+2069) as `\u{85}`. Everything else, including other non-ASCII
    /// letters, is kept. Used by every text and table output; JSON output is escaped by its encoder.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            result += scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{" + hex + "}"
        }
        return result
    }

    /// `text` padded with spaces to `width` columns for a table, or followed by one space when it is wider.
    package static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
