import Foundation

/// Base64 (RFC 4648 §4) and base64url (§5) as this module needs them: strict on reading.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Reads padded standard base64; `nil` for anything else, including an empty string.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count % 4 == 0,
            text.utf8.allSatisfy({ isStandardAlphabet($0) || $0 == UInt8(ascii: "=") }),
            let data = Data(base64Encoded: String(text))
        else { return nil }
        return Array(data)
    }

    /// Reads padded standard base64 given as its UTF-8 bytes; `nil` for anything else, including no bytes.
    static func decode(utf8 bytes: [UInt8]) -> [UInt8]? {
        guard !bytes.isEmpty, bytes.count % 4 == 0,
            bytes.allSatisfy({ isStandardAlphabet($0) || $0 == UInt8(ascii: "=") }),
            let data = Data(base64Encoded: Data(bytes))
        else { return nil }
        return Array(data)
    }

    /// base64url without padding.
    static func encodeURL(_ bytes: [UInt8]) -> String {
        var text = encode(bytes)
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Reads canonical base64url without padding: only the URL alphabet, no `=`, and unused trailing bits zero
    /// (so that one byte string has exactly one spelling).
    static func decodeURL(_ text: some StringProtocol) -> [UInt8]? {
        let count = text.utf8.count
        guard count % 4 != 1, text.utf8.allSatisfy(isURLAlphabet) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else { return nil }
        let bytes = Array(data)
        guard encodeURL(bytes) == String(text) else { return nil }
        return bytes
    }

    private static func isStandardAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }

    private static func isURLAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}
