import Foundation

/// The SQLite columns that hold a certificate's fields, for ``FilterExpression/sqlWhereClause(columns:)``.
///
/// Names are written as quoted identifiers (`"subject"`; a `"` inside is doubled), so any name is safe; they
/// cannot be qualified with a table name. For the clause to agree with ``FilterExpression/matches(_:)``:
/// - every column is `NOT NULL`;
/// - the three text columns hold the text as given (`TEXT`), and `expirationDate` holds
///   `expirationDate.timeIntervalSince1970` as a `REAL`;
/// - the connection keeps SQLite's defaults: `PRAGMA case_sensitive_like` off and no ICU extension overriding
///   `LIKE` or `NOCASE`.
public struct FilterSQLColumns: Hashable, Sendable {
    /// The certificate identifier's column.
    public let identifier: String
    /// The subject's column.
    public let subject: String
    /// The thumbprint's column.
    public let thumbprint: String
    /// The column of the notAfter, as seconds since 1970 (`REAL`).
    public let expirationDate: String

    /// Names the columns.
    public init(
        identifier: String = "id",
        subject: String = "subject",
        thumbprint: String = "thumbprint",
        expirationDate: String = "expiration_date"
    ) {
        self.identifier = identifier
        self.subject = subject
        self.thumbprint = thumbprint
        self.expirationDate = expirationDate
    }

    /// The column of a field.
    public func column(for field: FilterField) -> String {
        switch field {
        case .identifier: return identifier
        case .subject: return subject
        case .thumbprint: return thumbprint
        case .expirationDate: return expirationDate
        }
    }
}

/// A value bound to a `?` placeholder.
public enum SQLValue: Hashable, Sendable {
    /// Bind with `sqlite3_bind_text`.
    case text(String)
    /// Bind with `sqlite3_bind_double`.
    case real(Double)
}

/// A parameterised SQL condition: text with `?` placeholders and the values to bind to them, in order.
public struct SQLWhereClause: Hashable, Sendable, CustomStringConvertible {
    /// The condition, to put after `WHERE`.
    public let sql: String
    /// The values of the placeholders, in order.
    public let bindings: [SQLValue]

    /// Makes a clause.
    public init(sql: String, bindings: [SQLValue]) {
        self.sql = sql
        self.bindings = bindings
    }

    /// The SQL text and its bindings.
    public var description: String { "\(sql) \(bindings)" }
}

extension FilterExpression {
    /// The expression as a parameterised SQLite condition that selects exactly the rows ``matches(_:)`` accepts,
    /// given the column conventions of ``FilterSQLColumns``.
    ///
    /// - A text comparison is `"col" COLLATE NOCASE = ?` (`<>`, `>`, `>=`, `<`, `<=` likewise) with the literal
    ///   bound as text.
    /// - A date comparison is `"col" > ?` with the date bound as seconds since 1970.
    /// - A function is `"col" LIKE ? ESCAPE '\'` with a bound pattern: the argument with `\`, `%` and `_` escaped
    ///   by `\`, and `%` before it (`endswith`), after it (`startswith`) or both (`contains`, `substringof`).
    /// - `not`, `and` and `or` are `NOT (…)`, `(… AND …)` and `(… OR …)`.
    ///
    /// No text from the filter enters the SQL: literals are always bound.
    public func sqlWhereClause(columns: FilterSQLColumns) -> SQLWhereClause {
        var bindings: [SQLValue] = []
        let sql = render(columns: columns, bindings: &bindings)
        return SQLWhereClause(sql: sql, bindings: bindings)
    }

    private func render(columns: FilterSQLColumns, bindings: inout [SQLValue]) -> String {
        switch self {
        case .comparison(let field, let op, let literal, _):
            let column = Self.quoteIdentifier(columns.column(for: field))
            switch (field, literal) {
            case (.expirationDate, .date(let date)):
                bindings.append(.real(date.timeIntervalSince1970))
                return "\(column) \(op.sqlOperator) ?"
            case (_, .string(let text)) where field.isText:
                bindings.append(.text(text))
                return "\(column) COLLATE NOCASE \(op.sqlOperator) ?"
            default:
                return "0"
            }
        case .call(let function, let field, let argument, _):
            guard field.isText else { return "0" }
            let escaped = Self.escapeLike(argument)
            let pattern: String
            switch function {
            case .substringof, .contains: pattern = "%" + escaped + "%"
            case .startswith: pattern = escaped + "%"
            case .endswith: pattern = "%" + escaped
            }
            bindings.append(.text(pattern))
            return "\(Self.quoteIdentifier(columns.column(for: field))) LIKE ? ESCAPE '\\'"
        case .not(let operand, _):
            return "NOT (\(operand.render(columns: columns, bindings: &bindings)))"
        case .and(let operands):
            guard !operands.isEmpty else { return "1" }
            return "(" + operands.map { $0.render(columns: columns, bindings: &bindings) }.joined(separator: " AND ")
                + ")"
        case .or(let operands):
            guard !operands.isEmpty else { return "0" }
            return "(" + operands.map { $0.render(columns: columns, bindings: &bindings) }.joined(separator: " OR ")
                + ")"
        }
    }

    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func escapeLike(_ text: String) -> String {
        var result = ""
        for character in text.unicodeScalars {
            if character == "\\" || character == "%" || character == "_" { result.unicodeScalars.append("\\") }
            result.unicodeScalars.append(character)
        }
        return result
    }
}

extension FilterOperator {
    /// The SQL spelling: `=`, `<>`, `>`, `>=`, `<`, `<=`.
    public var sqlOperator: String {
        switch self {
        case .eq: return "="
        case .ne: return "<>"
        case .gt: return ">"
        case .ge: return ">="
        case .lt: return "<"
        case .le: return "<="
        }
    }
}
