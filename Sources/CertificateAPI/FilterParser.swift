import Foundation

/// A recursive-descent parser for `$filter` (grammar in `FilterExpression.swift`).
///
/// Recursion happens only where the text nests — `(` and `not` — and each such step counts against the depth
/// limit before it recurses, so hostile input cannot exhaust the stack. `and` and `or` chains are loops.
struct FilterParser {
    private var lexer: FilterLexer
    private var token: FilterToken
    private let dialect: Dialect
    private let maximumDepth: Int

    private static let keywords: Set<String> = ["and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le"]

    init(scalars: [Unicode.Scalar], dialect: Dialect, maximumDepth: Int) throws(CertificateAPIError) {
        lexer = FilterLexer(scalars)
        token = try lexer.next()
        self.dialect = dialect
        self.maximumDepth = maximumDepth
    }

    mutating func parse() throws(CertificateAPIError) -> FilterExpression {
        let expression = try parseOr(depth: 0)
        guard token.kind == .end else {
            throw syntax("unexpected \(token.shown) at position \(token.position)")
        }
        return expression
    }

    private mutating func advance() throws(CertificateAPIError) {
        token = try lexer.next()
    }

    private func isName(_ name: String) -> Bool {
        token.kind == .name(name)
    }

    private func syntax(_ message: String) -> CertificateAPIError {
        CertificateAPIError(.filterSyntax, message, position: token.position)
    }

    private mutating func parseOr(depth: Int) throws(CertificateAPIError) -> FilterExpression {
        var operands = [try parseAnd(depth: depth)]
        while isName("or") {
            try advance()
            operands.append(try parseAnd(depth: depth))
        }
        return operands.count == 1 ? operands[0] : .or(operands)
    }

    private mutating func parseAnd(depth: Int) throws(CertificateAPIError) -> FilterExpression {
        var operands = [try parseUnary(depth: depth)]
        while isName("and") {
            try advance()
            operands.append(try parseUnary(depth: depth))
        }
        return operands.count == 1 ? operands[0] : .and(operands)
    }

    private mutating func parseUnary(depth: Int) throws(CertificateAPIError) -> FilterExpression {
        guard isName("not") else { return try parsePrimary(depth: depth) }
        let position = token.position
        try checkDepth(depth + 1)
        try advance()
        return .not(try parseUnary(depth: depth + 1), position: position)
    }

    private func checkDepth(_ depth: Int) throws(CertificateAPIError) {
        guard depth <= maximumDepth else {
            throw CertificateAPIError(
                .filterTooDeep,
                "the filter nests deeper than \(maximumDepth) levels at position \(token.position)",
                position: token.position
            )
        }
    }

    private mutating func parsePrimary(depth: Int) throws(CertificateAPIError) -> FilterExpression {
        switch token.kind {
        case .openParenthesis:
            try checkDepth(depth + 1)
            try advance()
            let inner = try parseOr(depth: depth + 1)
            try expect(.closeParenthesis, "')'")
            return inner
        case .name(let name) where !Self.keywords.contains(name):
            let position = token.position
            try advance()
            if token.kind == .openParenthesis {
                return try parseCall(name: name, position: position)
            }
            let field = try resolveField(name, position: position)
            return try parseComparison(field: field, position: position)
        case .end:
            throw syntax("expected an expression at position \(token.position)")
        default:
            throw syntax("expected a field, a function or '(' at position \(token.position), found \(token.shown)")
        }
    }

    private mutating func expect(_ kind: FilterToken.Kind, _ shown: String) throws(CertificateAPIError) {
        guard token.kind == kind else {
            throw syntax("expected \(shown) at position \(token.position)")
        }
        try advance()
    }

    private func resolveField(_ name: String, position: Int) throws(CertificateAPIError) -> FilterField {
        if let field = FilterField(name: name, dialect: dialect) { return field }
        var message = "unknown field \(CertificateAPIError.quoted(name)) at position \(position)"
        let other: Dialect = dialect == .legacy ? .arm : .legacy
        if name == other.identifierFieldName {
            message += "; the \(dialect.rawValue) dialect calls the identifier '\(dialect.identifierFieldName)'"
        }
        throw CertificateAPIError(.filterUnknownField, message, position: position)
    }

    private mutating func parseComparison(field: FilterField, position: Int) throws(CertificateAPIError)
        -> FilterExpression
    {
        guard case .name(let name) = token.kind, let op = FilterOperator(rawValue: name) else {
            if case .name(let name) = token.kind, !Self.keywords.contains(name) {
                throw syntax("unknown operator \(CertificateAPIError.quoted(name)) at position \(token.position)")
            }
            throw syntax("expected a comparison operator at position \(token.position)")
        }
        try advance()
        let literal = try parseLiteral(for: field)
        return .comparison(field: field, operator: op, literal: literal, position: position)
    }

    private mutating func parseLiteral(for field: FilterField) throws(CertificateAPIError) -> FilterLiteral {
        let literalToken = token
        let fieldName = field.name(in: dialect)
        switch (literalToken.kind, field.isText) {
        case (.string(let text), true):
            try advance()
            return .string(text)
        case (.datetime(let text), false), (.bareDate(let text), false):
            guard let date = WireDate.date(from: text) else {
                let kind = if case .datetime = literalToken.kind { "datetime" } else { "date" }
                throw CertificateAPIError(
                    .filterInvalidLiteral,
                    "invalid \(kind) literal \(CertificateAPIError.quoted(text)) at position \(literalToken.position)",
                    position: literalToken.position
                )
            }
            try advance()
            return .date(date)
        case (.string, false), (.datetime, true), (.bareDate, true):
            let wanted = field.isText ? "a string literal" : "a datetime literal"
            throw CertificateAPIError(
                .filterTypeMismatch,
                "\(fieldName) must be compared with \(wanted) at position \(literalToken.position)",
                position: literalToken.position
            )
        default:
            throw syntax("expected a literal at position \(literalToken.position)")
        }
    }

    private mutating func parseCall(name: String, position: Int) throws(CertificateAPIError) -> FilterExpression {
        guard let function = FilterFunction(rawValue: name) else {
            throw CertificateAPIError(
                .filterUnknownFunction,
                "unknown function \(CertificateAPIError.quoted(name)) at position \(position)",
                position: position
            )
        }
        try advance()  // (
        let field: FilterField
        let argument: String
        if function == .substringof {
            argument = try parseStringArgument()
            try expect(.comma, "','")
            field = try parseFieldArgument(of: function)
        } else {
            field = try parseFieldArgument(of: function)
            try expect(.comma, "','")
            argument = try parseStringArgument()
        }
        try expect(.closeParenthesis, "')'")
        let call = FilterExpression.call(function: function, field: field, argument: argument, position: position)
        // OData v2 clients often write `substringof('x', subject) eq true`.
        guard isName("eq") || isName("ne") else { return call }
        let negated = isName("ne")
        try advance()
        switch token.kind {
        case .name("true"):
            try advance()
            return negated ? .not(call, position: position) : call
        case .name("false"):
            try advance()
            return negated ? call : .not(call, position: position)
        default:
            throw syntax("expected true or false at position \(token.position)")
        }
    }

    private mutating func parseStringArgument() throws(CertificateAPIError) -> String {
        guard case .string(let text) = token.kind else {
            throw syntax("expected a string literal at position \(token.position)")
        }
        try advance()
        return text
    }

    private mutating func parseFieldArgument(of function: FilterFunction) throws(CertificateAPIError) -> FilterField {
        guard case .name(let name) = token.kind, !Self.keywords.contains(name) else {
            throw syntax("expected a field at position \(token.position)")
        }
        let position = token.position
        let field = try resolveField(name, position: position)
        guard field.isText else {
            throw CertificateAPIError(
                .filterTypeMismatch,
                "\(function.rawValue) is not allowed on \(field.name(in: dialect)) at position \(position)",
                position: position
            )
        }
        try advance()
        return field
    }
}
