import CertificateAPI
import Foundation

/// The shape of a JSON value as a specification example shows it: which members an object has and what kind of
/// value each holds. ``differences(_:path:)`` lists every place a response departs from it, so that a test names
/// the member that is missing, extra or of the wrong kind.
indirect enum JSONShape: Sendable {
    /// A string.
    case string
    /// A string that is an ISO-8601 date with `fractionDigits` digits after the seconds (0: none) and a `Z`.
    case date(fractionDigits: Int)
    /// An integer.
    case integer
    /// An object with exactly these members; `optional` names the ones that may be absent.
    case object([String: JSONShape], optional: Set<String> = [])
    /// An array whose elements are each one of these shapes.
    case array([JSONShape])
    /// A string, `null`, or absent: a `nextLink` on the last page, which the examples show as `""`.
    case lastLink

    /// The differences between a decoded JSON value (`JSONSerialization`) and the shape, one line each.
    func differences(_ value: Any?, path: String = "$") -> [String] {
        switch self {
        case .string:
            return value is String ? [] : ["\(path): expected a string, got \(Self.kind(value))"]
        case .date(let digits):
            guard let text = value as? String else { return ["\(path): expected a date, got \(Self.kind(value))"] }
            return Self.isDate(text, fractionDigits: digits)
                ? [] : ["\(path): \(text) is not yyyy-MM-ddTHH:mm:ss\(digits > 0 ? ".\(digits) digits" : "")Z"]
        case .integer:
            return value as? Int != nil ? [] : ["\(path): expected an integer, got \(Self.kind(value))"]
        case .lastLink:
            if value == nil || value is NSNull || value is String { return [] }
            return ["\(path): expected a string or null, got \(Self.kind(value))"]
        case .object(let members, let optional):
            guard let object = value as? [String: Any] else {
                return ["\(path): expected an object, got \(Self.kind(value))"]
            }
            var found: [String] = []
            for key in Set(object.keys).subtracting(members.keys).sorted() {
                found.append("\(path).\(key): not in the example")
            }
            for (key, shape) in members.sorted(by: { $0.key < $1.key }) {
                if object[key] == nil, optional.contains(key) || shape.allowsAbsence { continue }
                guard object.keys.contains(key) else {
                    found.append("\(path).\(key): missing")
                    continue
                }
                found += shape.differences(object[key], path: "\(path).\(key)")
            }
            return found
        case .array(let shapes):
            guard let array = value as? [Any] else { return ["\(path): expected an array, got \(Self.kind(value))"] }
            return array.enumerated().flatMap { index, element -> [String] in
                let each = shapes.map { $0.differences(element, path: "\(path)[\(index)]") }
                return each.contains(where: \.isEmpty) ? [] : (each.min { $0.count < $1.count } ?? [])
            }
        }
    }

    private var allowsAbsence: Bool {
        if case .lastLink = self { return true }
        return false
    }

    private static func kind(_ value: Any?) -> String {
        guard let value else { return "nothing" }
        switch value {
        case is NSNull: return "null"
        case is String: return "a string"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "\(type(of: value))"
        }
    }

    /// Whether `text` is `yyyy-MM-ddTHH:mm:ss[.fraction]Z` with exactly `fractionDigits` fraction digits.
    static func isDate(_ text: String, fractionDigits: Int) -> Bool {
        let bytes = Array(text.utf8)
        let pattern =
            "dddd-dd-ddTdd:dd:dd" + (fractionDigits > 0 ? "." + String(repeating: "d", count: fractionDigits) : "")
            + "Z"
        guard bytes.count == pattern.utf8.count, WireDate.date(from: text) != nil else { return false }
        return zip(bytes, pattern.utf8).allSatisfy { byte, expected in
            expected == UInt8(ascii: "d") ? (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) : byte == expected
        }
    }
}
