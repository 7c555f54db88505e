/// A certificate identifier (`{cid}`, ARM's `{certificateId}`) that obeys a dialect's rule.
///
/// The rule, with lengths counted in Unicode scalars:
/// - legacy: 1–256 characters; ARM: 1–80 characters and none of `* # & + : < > ?` (the contract).
/// - both: no control characters, no `/` and no `%`, and not `.` or `..` (our additions).
///
/// Why the additions: the service reads the identifier from a percent-decoded path segment. Forbidding `/` keeps
/// `%2F` from smuggling a path separator into a segment, forbidding `%` keeps double encoding (`%252F` decodes
/// to `%2F`) from leaving an encoded character behind for a later layer to decode again, and forbidding control
/// characters keeps `%00`, `%0A` and the like out of logs, headers and file names. `.` and `..` are removed by URL
/// normalisation before a request is sent, so a certificate with such an identifier could never be addressed.
public struct CertificateIdentifier: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The identifier.
    public let rawValue: String

    /// Checks `rawValue` against the dialect's rule.
    /// - Throws: ``CertificateAPIError/Code/invalidIdentifier`` with a message that says which rule it breaks.
    public init(_ rawValue: String, dialect: Dialect) throws(CertificateAPIError) {
        try Self.validate(rawValue, dialect: dialect)
        self.rawValue = rawValue
    }

    private init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// The identifier.
    public var description: String { rawValue }

    /// Orders by the identifier's Unicode scalars, as the service orders a collection.
    public static func < (lhs: CertificateIdentifier, rhs: CertificateIdentifier) -> Bool {
        lhs.rawValue.unicodeScalars.lexicographicallyPrecedes(rhs.rawValue.unicodeScalars)
    }

    /// Whether `rawValue` obeys the dialect's rule.
    public static func isValid(_ rawValue: String, dialect: Dialect) -> Bool {
        (try? validate(rawValue, dialect: dialect)) != nil
    }

    /// Checks `rawValue` against the dialect's rule.
    /// - Throws: ``CertificateAPIError/Code/invalidIdentifier`` with a message that says which rule it breaks.
    public static func validate(_ rawValue: String, dialect: Dialect) throws(CertificateAPIError) {
        let length = rawValue.unicodeScalars.count
        guard length > 0 else {
            throw CertificateAPIError(.invalidIdentifier, "the certificate identifier is empty")
        }
        guard length <= dialect.maximumIdentifierLength else {
            throw CertificateAPIError(
                .invalidIdentifier,
                "the certificate identifier is \(length) characters long; "
                    + "at most \(dialect.maximumIdentifierLength) are allowed"
            )
        }
        if rawValue == "." || rawValue == ".." {
            throw CertificateAPIError(.invalidIdentifier, "the certificate identifier cannot be '\(rawValue)'")
        }
        for (offset, scalar) in rawValue.unicodeScalars.enumerated() where isForbidden(scalar, dialect: dialect) {
            let shown = scalar.properties.generalCategory == .control ? "a control character" : "'\(scalar)'"
            throw CertificateAPIError(
                .invalidIdentifier,
                "the certificate identifier contains \(shown) at position \(offset + 1), which is not allowed"
            )
        }
    }

    /// Makes a valid identifier out of any text, such as a file's stem.
    ///
    /// Forbidden characters become `-`, white space at both ends is trimmed, the result is cut to the dialect's
    /// length without splitting a character, and text that leaves nothing (or only `.` or `..`) becomes
    /// `certificate`. The result is never empty, and sanitising it again changes nothing.
    public static func sanitized(_ text: String, dialect: Dialect) -> CertificateIdentifier {
        var replaced = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            replaced.append(isForbidden(scalar, dialect: dialect) ? "-" : scalar)
        }
        var result = trimmed(String(replaced))
        let limit = dialect.maximumIdentifierLength
        if result.unicodeScalars.count > limit {
            var cut = ""
            var count = 0
            for character in result {
                let size = character.unicodeScalars.count
                if count + size > limit { break }
                cut.append(character)
                count += size
            }
            result = trimmed(cut)
        }
        if result.isEmpty || result == "." || result == ".." {
            result = "certificate"
        }
        return CertificateIdentifier(unchecked: result)
    }

    static func isForbidden(_ scalar: Unicode.Scalar, dialect: Dialect) -> Bool {
        switch scalar {
        case "/", "%": return true
        default: break
        }
        if scalar.properties.generalCategory == .control { return true }
        return dialect.forbiddenIdentifierCharacters.contains(Character(scalar))
    }

    private static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
