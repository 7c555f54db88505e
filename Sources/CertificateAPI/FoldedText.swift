/// Text compared the way SQLite's `NOCASE` collation and its default `LIKE` compare it: UTF-8 bytes, with the
/// ASCII letters `A`–`Z` folded to lower case and every other byte as it is.
///
/// The evaluator uses this, not `String` comparison, because `String` compares by Unicode canonical equivalence
/// and SQLite does not: the two must agree (``ODataFilter``).
struct FoldedText: Hashable, Sendable, Comparable {
    let bytes: [UInt8]

    init(_ text: String) {
        bytes = text.utf8.map(Self.fold)
    }

    static func fold(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Lexicographic by unsigned byte, a proper prefix first: `memcmp` then length, as SQLite does.
    static func < (lhs: FoldedText, rhs: FoldedText) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    func hasPrefix(_ other: FoldedText) -> Bool {
        bytes.starts(with: other.bytes)
    }

    func hasSuffix(_ other: FoldedText) -> Bool {
        bytes.count >= other.bytes.count && bytes[(bytes.count - other.bytes.count)...].elementsEqual(other.bytes)
    }

    /// Whether `other` occurs in this text. Byte-wise search is character-wise search for UTF-8, whose encoded
    /// characters never begin inside another's encoding.
    func contains(_ other: FoldedText) -> Bool {
        let needle = other.bytes
        guard !needle.isEmpty else { return true }
        guard needle.count <= bytes.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if bytes[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
