/// Entry names as labels: decoding, the safety check, and the name of a single compressed file.
enum EntryName {
    /// Renders name bytes as UTF-8, each byte that is not part of valid UTF-8 as `\xNN`: lossy but stable, so
    /// that the same bytes always give the same label.
    static func render(_ bytes: [UInt8]) -> String {
        let decoded = String(decoding: bytes, as: UTF8.self)
        if decoded.utf8.elementsEqual(bytes) {
            // Valid UTF-8: decoding replaced nothing.
            return decoded
        }
        var result = ""
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var position = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                result.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                position += encoded.count
            case .error(let length):
                for byte in bytes[position..<position + length] {
                    result += "\\x" + hex(byte)
                }
                position += length
            case .emptyInput:
                return result
            }
        }
    }

    /// Renders wide characters (`wchar_t` values), each value that is not a Unicode scalar as `\u{…}`.
    static func render(wide: [UInt32]) -> String {
        var result = ""
        for value in wide {
            if let scalar = Unicode.Scalar(value) {
                result.unicodeScalars.append(scalar)
            } else {
                result += "\\u{" + String(value, radix: 16, uppercase: true) + "}"
            }
        }
        return result
    }

    /// Drops leading `./` (as `tar -C dir .` writes), which says nothing about where an entry is.
    static func trimmingCurrentDirectory(_ bytes: [UInt8]) -> [UInt8] {
        var slice = bytes[...]
        while slice.count > 2, slice.starts(with: [0x2E, 0x2F]) {
            slice = slice.dropFirst(2)
        }
        return Array(slice)
    }

    /// Why a name is unsafe to take as a relative path, or nil when it is safe. Checked on the raw bytes, with
    /// `/` and `\` both as separators, so that a `\xNN` rendering cannot hide or invent a separator.
    static func unsafeReason(_ bytes: [UInt8]) -> String? {
        guard let first = bytes.first else {
            return "the entry has an empty name"
        }
        if first == slash || first == backslash {
            return "the name is absolute"
        }
        if bytes.count >= 2, bytes[1] == 0x3A, (0x41...0x5A).contains(first & 0xDF) {
            return "the name starts with a drive letter"
        }
        var depth = 0
        let components = bytes.split(omittingEmptySubsequences: true) { $0 == slash || $0 == backslash }
        for component in components {
            if component.elementsEqual([0x2E, 0x2E]) {
                depth -= 1
                if depth < 0 {
                    return "the name climbs out of the archive with '..'"
                }
            } else if !component.elementsEqual([0x2E]) {
                depth += 1
            }
        }
        return nil
    }

    /// The name of the one file in a compressed stream that holds no tar: the container's last path component
    /// minus its compression suffix (`x.pfx.gz` → `x.pfx`, `x.tgz` → `x.tar`), or the component itself.
    static func decompressedName(of container: String) -> String {
        let base =
            container.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "/" || $0 == "\\" })
            .last.map(String.init) ?? container
        let lower = base.lowercased()
        for (suffix, replacement) in compressionSuffixes where lower.hasSuffix(suffix) {
            let stem = base.unicodeScalars.dropLast(suffix.unicodeScalars.count)
            if !stem.isEmpty {
                return String(String.UnicodeScalarView(stem)) + replacement
            }
        }
        return base
    }

    private static let slash: UInt8 = 0x2F
    private static let backslash: UInt8 = 0x5C
    private static let compressionSuffixes: [(String, String)] = [
        (".gz", ""), (".gzip", ""), (".bz2", ""), (".bzip2", ""), (".xz", ""),
        (".tgz", ".tar"), (".tbz", ".tar"), (".tbz2", ".tar"), (".txz", ".tar"),
    ]

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".unicodeScalars)
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
