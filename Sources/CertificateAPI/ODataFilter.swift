import Foundation

/// A parsed OData `$filter` over certificates.
///
/// ```swift
/// let filter = try ODataFilter("startswith(subject, 'CN=api') and expirationDate lt 2027-01-01", dialect: .legacy)
/// let kept = records.filter(filter.matches)
/// let clause = filter.sqlWhereClause(columns: columns)   // the same test, for SQLite
/// ```
///
/// **What it accepts.** Fields `id` (legacy; `name` in ARM), `subject`, `thumbprint` and `expirationDate`;
/// comparisons `eq ne gt ge lt le`; `and`, `or`, `not` and parentheses; on the text fields
/// `substringof('x', field)`, `startswith(field, 'x')`, `endswith(field, 'x')` and `contains(field, 'x')`,
/// optionally followed by `eq true`, `eq false`, `ne true` or `ne false`. Text fields compare only with a string
/// literal (`'…'`, with `''` for a quote); `expirationDate` only with a `datetime'…'` or bare ISO-8601 literal, UTC
/// when it has no zone. Names, keywords and functions are case-sensitive, as in OData. Precedence, tightest
/// first: parentheses, `not`, comparisons, `and`, `or`.
///
/// **Text comparison ignores case** for the ASCII letters only, and otherwise compares UTF-8 bytes — exactly what
/// SQLite's `NOCASE` collation and its default `LIKE` do, so that ``matches(_:)`` and ``sqlWhereClause(columns:)``
/// agree. (A Unicode-aware comparison could not be pushed into SQLite without an extension.)
///
/// **Errors** are ``CertificateAPIError``s with a `filter-…` code, the 1-based ``CertificateAPIError/position`` of
/// the offending character and a message that ends with it (`unknown field 'foo' at position 5`). Positions count
/// Unicode scalars of the text after percent-decoding. Against hostile input, the text's length and its nesting
/// depth are limited (``Limits``); parsing and evaluating take time linear in the text and stack bounded by the
/// depth limit.
public struct ODataFilter: Hashable, Sendable, CustomStringConvertible {
    /// The limits that protect the parser from hostile input.
    public struct Limits: Hashable, Sendable {
        /// The most Unicode scalars a filter may have. Keep it well under 12,000 so that a `LIKE` pattern stays
        /// under SQLite's default 50,000-byte limit.
        public let maximumLength: Int
        /// The most levels of `(` and `not` a filter may nest.
        public let maximumDepth: Int

        /// The upper bound of ``maximumDepth``: deeper limits are lowered to it, to keep recursion shallow.
        public static let depthCeiling = 256

        /// Makes limits; `maximumDepth` is capped at ``depthCeiling`` and both are at least 1.
        public init(maximumLength: Int = 2_000, maximumDepth: Int = 32) {
            self.maximumLength = max(1, maximumLength)
            self.maximumDepth = min(max(1, maximumDepth), Self.depthCeiling)
        }

        /// 2,000 characters and 32 levels.
        public static let `default` = Limits()
    }

    /// The filter's text, as given.
    public let text: String
    /// The dialect whose field names the text uses.
    public let dialect: Dialect
    /// The parsed tree.
    public let expression: FilterExpression

    /// Parses a filter.
    /// - Parameters:
    ///   - text: The `$filter` query parameter, percent-decoded. An empty or blank text is an error: a caller
    ///     that treats an absent `$filter` as "everything" should not call this for it.
    ///   - dialect: Which name the identifier field has (`id` or `name`).
    ///   - limits: The length and depth limits.
    /// - Throws: ``CertificateAPIError`` with a `filter-…` code and a position.
    public init(_ text: String, dialect: Dialect, limits: Limits = .default) throws(CertificateAPIError) {
        // utf8.count is O(1) for native strings: refuse a huge text before looking at it scalar by scalar.
        if text.utf8.count > limits.maximumLength * 4 || text.unicodeScalars.count > limits.maximumLength {
            throw CertificateAPIError(
                .filterTooLong,
                "the filter is longer than \(limits.maximumLength) characters at position \(limits.maximumLength + 1)",
                position: limits.maximumLength + 1
            )
        }
        var parser = try FilterParser(
            scalars: Array(text.unicodeScalars),
            dialect: dialect,
            maximumDepth: limits.maximumDepth
        )
        self.expression = try parser.parse()
        self.text = text
        self.dialect = dialect
    }

    /// Wraps an expression built in code; ``text`` is then its canonical rendering.
    public init(expression: FilterExpression, dialect: Dialect) {
        self.expression = expression
        self.dialect = dialect
        self.text = expression.text(in: dialect)
    }

    /// The filter's text.
    public var description: String { text }

    /// Whether a certificate passes the filter.
    public func matches(_ record: CertificateRecord) -> Bool {
        expression.matches(record)
    }

    /// The filter as a parameterised SQLite `WHERE` clause (``FilterExpression/sqlWhereClause(columns:)``).
    public func sqlWhereClause(columns: FilterSQLColumns) -> SQLWhereClause {
        expression.sqlWhereClause(columns: columns)
    }
}

extension FilterExpression {
    /// The expression as `$filter` text in a dialect, fully parenthesised; it parses back to the same tree apart
    /// from positions (and from dates finer than 100 ns).
    public func text(in dialect: Dialect) -> String {
        switch self {
        case .comparison(let field, let op, let literal, _):
            let value: String
            switch literal {
            case .string(let string): value = Self.quote(string)
            case .date(let date): value = "datetime'\(WireDate.roundTripString(from: date))'"
            }
            return "\(field.name(in: dialect)) \(op.rawValue) \(value)"
        case .call(let function, let field, let argument, _):
            if function == .substringof {
                return "substringof(\(Self.quote(argument)), \(field.name(in: dialect)))"
            }
            return "\(function.rawValue)(\(field.name(in: dialect)), \(Self.quote(argument)))"
        case .not(let operand, _):
            return "not (\(operand.text(in: dialect)))"
        case .and(let operands):
            return "(" + operands.map { $0.text(in: dialect) }.joined(separator: " and ") + ")"
        case .or(let operands):
            return "(" + operands.map { $0.text(in: dialect) }.joined(separator: " or ") + ")"
        }
    }

    private static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
