import CertificateAPI
import Foundation
import Testing

@Suite struct ODataFilterParserTests {
    static func parse(_ text: String, _ dialect: Dialect = .legacy) throws -> FilterExpression {
        try ODataFilter(text, dialect: dialect).expression
    }

    static func date(_ text: String) -> FilterLiteral {
        .date(WireDate.date(from: text) ?? .distantPast)
    }

    @Test func parsesAComparison() throws {
        #expect(
            try Self.parse("subject eq 'CN=a'")
                == .comparison(field: .subject, operator: .eq, literal: .string("CN=a"), position: 1)
        )
    }

    @Test(arguments: FilterOperator.allCases)
    func parsesEveryOperator(op: FilterOperator) throws {
        #expect(
            try Self.parse("thumbprint \(op.rawValue) 'A'")
                == .comparison(field: .thumbprint, operator: op, literal: .string("A"), position: 1)
        )
    }

    @Test func unescapesQuotes() throws {
        #expect(
            try Self.parse("id ne 'x''y'''")
                == .comparison(field: .identifier, operator: .ne, literal: .string("x'y'"), position: 1))
        #expect(
            try Self.parse("id eq ''")
                == .comparison(field: .identifier, operator: .eq, literal: .string(""), position: 1))
    }

    @Test func followsPrecedence() throws {
        // not > comparison > and > or
        let expression = try Self.parse("not subject eq 'a' and thumbprint eq 'b' or id eq 'c'")
        #expect(
            expression
                == .or([
                    .and([
                        .not(
                            .comparison(field: .subject, operator: .eq, literal: .string("a"), position: 5), position: 1
                        ),
                        .comparison(field: .thumbprint, operator: .eq, literal: .string("b"), position: 24),
                    ]),
                    .comparison(field: .identifier, operator: .eq, literal: .string("c"), position: 45),
                ])
        )
    }

    @Test func parenthesesGroup() throws {
        let expression = try Self.parse("(subject eq 'a' or subject eq 'b') and id eq 'c'")
        #expect(
            expression
                == .and([
                    .or([
                        .comparison(field: .subject, operator: .eq, literal: .string("a"), position: 2),
                        .comparison(field: .subject, operator: .eq, literal: .string("b"), position: 20),
                    ]),
                    .comparison(field: .identifier, operator: .eq, literal: .string("c"), position: 40),
                ])
        )
        #expect(expression.position == 2)
    }

    @Test func keepsChainsFlat() throws {
        let text = Array(repeating: "id eq 'x'", count: 100).joined(separator: " or ")
        guard case .or(let operands) = try Self.parse(text) else {
            Issue.record("not an or")
            return
        }
        #expect(operands.count == 100)
        #expect(operands[99].position == 99 * 13 + 1)
    }

    @Test func parsesFunctions() throws {
        #expect(
            try Self.parse("substringof('Contoso', subject)")
                == .call(function: .substringof, field: .subject, argument: "Contoso", position: 1)
        )
        #expect(
            try Self.parse("startswith(thumbprint,'44')")
                == .call(function: .startswith, field: .thumbprint, argument: "44", position: 1)
        )
        #expect(
            try Self.parse("endswith(id, 'x')")
                == .call(function: .endswith, field: .identifier, argument: "x", position: 1))
        #expect(
            try Self.parse("  contains( id , 'x' ) ")
                == .call(function: .contains, field: .identifier, argument: "x", position: 3))
    }

    @Test func parsesFunctionsComparedWithBooleans() throws {
        let call = FilterExpression.call(function: .startswith, field: .identifier, argument: "api", position: 1)
        #expect(try Self.parse("startswith(name, 'api') eq true", .arm) == call)
        #expect(try Self.parse("startswith(name, 'api') ne false", .arm) == call)
        #expect(try Self.parse("startswith(name, 'api') eq false", .arm) == .not(call, position: 1))
        #expect(try Self.parse("startswith(name, 'api') ne true", .arm) == .not(call, position: 1))
    }

    @Test func parsesDates() throws {
        let sample = Self.date("2016-08-21T21:10:42Z")
        for text in [
            "expirationDate ge datetime'2016-08-21T21:10:42'", "expirationDate ge datetime'2016-08-21T21:10:42Z'",
            "expirationDate ge 2016-08-21T21:10:42", "expirationDate ge 2016-08-21T21:10:42Z",
            "expirationDate ge 2016-08-21T21:10:42.000Z", "expirationDate ge 2016-08-21T23:10:42+02:00",
            "expirationDate ge datetime'2016-08-21T21:10:42.0000000Z'",
        ] {
            #expect(
                try Self.parse(text)
                    == .comparison(field: .expirationDate, operator: .ge, literal: sample, position: 1),
                "\(text)"
            )
        }
        #expect(
            try Self.parse("expirationDate lt 2027-01-01")
                == .comparison(
                    field: .expirationDate, operator: .lt, literal: Self.date("2027-01-01T00:00:00Z"), position: 1)
        )
    }

    @Test func acceptsWhitespace() throws {
        #expect(
            try Self.parse("  subject\teq\r\n'a'  ")
                == .comparison(field: .subject, operator: .eq, literal: .string("a"), position: 3)
        )
        #expect(try Self.parse("(subject eq 'a')") == Self.parse("subject eq 'a'").shifted)
    }

    @Test func fieldNamesFollowTheDialect() throws {
        #expect(try Self.parse("name eq 'a'", .arm) == Self.parse("id eq 'a'", .legacy))
        #expect(FilterField.identifier.name(in: .legacy) == "id")
        #expect(FilterField.identifier.name(in: .arm) == "name")
        #expect(FilterField(name: "name", dialect: .legacy) == nil)
        #expect(FilterField(name: "id", dialect: .arm) == nil)
        #expect(FilterField(name: "expirationDate", dialect: .arm) == .expirationDate)
    }

    @Test(arguments: FilterSamples.cases.map(\.filter))
    func canonicalTextParsesBack(filter: String) throws {
        for dialect in Dialect.allCases {
            let first = try ODataFilter(expression: ODataFilter(filter, dialect: .legacy).expression, dialect: dialect)
            let second = try ODataFilter(first.text, dialect: dialect)
            #expect(second.expression.text(in: dialect) == first.text)
            #expect(second.description == first.text)
        }
    }

    @Test func keepsItsText() throws {
        let filter = try ODataFilter("subject eq 'a'", dialect: .arm)
        #expect(filter.text == "subject eq 'a'")
        #expect(filter.dialect == .arm)
    }

    @Test func allowsThe32ndLevel() throws {
        let parentheses = String(repeating: "(", count: 32) + "id eq 'a'" + String(repeating: ")", count: 32)
        _ = try ODataFilter(parentheses, dialect: .legacy)
        let nots = String(repeating: "not ", count: 32) + "id eq 'a'"
        _ = try ODataFilter(nots, dialect: .legacy)
        let mixed = String(repeating: "not (", count: 16) + "id eq 'a'" + String(repeating: ")", count: 16)
        _ = try ODataFilter(mixed, dialect: .legacy)
    }

    @Test func allowsTheLongestFilter() throws {
        let text = "id eq '" + String(repeating: "x", count: 1_992) + "'"
        #expect(text.count == 2_000)
        _ = try ODataFilter(text, dialect: .legacy)
    }

    @Test func limitsCanBeChanged() throws {
        let limits = ODataFilter.Limits(maximumLength: 10, maximumDepth: 1)
        #expect(throws: CertificateAPIError.self) {
            try ODataFilter("id eq 'abcdef'", dialect: .legacy, limits: limits)
        }
        #expect(throws: CertificateAPIError.self) { try ODataFilter("((id eq ''))", dialect: .legacy, limits: limits) }
        _ = try ODataFilter("(id eq '')", dialect: .legacy, limits: limits)
        #expect(ODataFilter.Limits(maximumDepth: 100_000).maximumDepth == ODataFilter.Limits.depthCeiling)
        #expect(
            ODataFilter.Limits(maximumLength: -5, maximumDepth: 0)
                == ODataFilter.Limits(maximumLength: 1, maximumDepth: 1))
    }
}

extension FilterExpression {
    /// The same tree with positions one further, as wrapping it in `(` … `)` gives.
    fileprivate var shifted: FilterExpression {
        switch self {
        case .comparison(let field, let op, let literal, let position):
            return .comparison(field: field, operator: op, literal: literal, position: position + 1)
        case .call(let function, let field, let argument, let position):
            return .call(function: function, field: field, argument: argument, position: position + 1)
        case .not(let operand, let position):
            return .not(operand.shifted, position: position + 1)
        case .and(let operands):
            return .and(operands.map(\.shifted))
        case .or(let operands):
            return .or(operands.map(\.shifted))
        }
    }
}
