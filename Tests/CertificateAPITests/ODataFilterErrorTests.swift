import CertificateAPI
import Foundation
import Testing

@Suite struct ODataFilterErrorTests {
    typealias Code = CertificateAPIError.Code

    static func failure(_ text: String, _ dialect: Dialect = .legacy) -> CertificateAPIError? {
        do {
            _ = try ODataFilter(text, dialect: dialect)
            return nil
        } catch {
            return error
        }
    }

    /// Every error path of the lexer and the parser: the filter, the code, the position and the exact message.
    static let cases: [(String, Code, Int, String)] = [
        ("", .filterSyntax, 1, "expected an expression at position 1"),
        ("   ", .filterSyntax, 4, "expected an expression at position 4"),
        ("not foo eq 'x'", .filterUnknownField, 5, "unknown field 'foo' at position 5"),
        ("subject eq 'a' and foo eq 'x'", .filterUnknownField, 20, "unknown field 'foo' at position 20"),
        ("Subject eq 'x'", .filterUnknownField, 1, "unknown field 'Subject' at position 1"),
        (
            "name eq 'x'", .filterUnknownField, 1,
            "unknown field 'name' at position 1; the legacy dialect calls the identifier 'id'"
        ),
        ("true", .filterUnknownField, 1, "unknown field 'true' at position 1"),
        ("(subject eq 'a'", .filterSyntax, 16, "expected ')' at position 16"),
        ("((subject eq 'a') or id eq 'b' and", .filterSyntax, 35, "expected an expression at position 35"),
        ("(subject eq 'a' id eq 'b')", .filterSyntax, 17, "expected ')' at position 17"),
        (
            "substringof('x', expirationDate)", .filterTypeMismatch, 18,
            "substringof is not allowed on expirationDate at position 18"
        ),
        (
            "startswith(expirationDate, 'x')", .filterTypeMismatch, 12,
            "startswith is not allowed on expirationDate at position 12"
        ),
        (
            "endswith(expirationDate, 'x')", .filterTypeMismatch, 10,
            "endswith is not allowed on expirationDate at position 10"
        ),
        (
            "contains(expirationDate, 'x')", .filterTypeMismatch, 10,
            "contains is not allowed on expirationDate at position 10"
        ),
        ("subject eq 'abc", .filterSyntax, 12, "unterminated string starting at position 12"),
        ("subject eq 'it''s", .filterSyntax, 12, "unterminated string starting at position 12"),
        ("subject eq '", .filterSyntax, 12, "unterminated string starting at position 12"),
        (
            "expirationDate gt datetime'2016-01-01", .filterSyntax, 27,
            "unterminated string starting at position 27"
        ),
        ("subject eq 'a\u{1}b'", .filterSyntax, 14, "control characters are not allowed in a string at position 14"),
        ("subject eq 'a\tb'", .filterSyntax, 14, "control characters are not allowed in a string at position 14"),
        ("subject eq 5", .filterTypeMismatch, 12, "subject must be compared with a string literal at position 12"),
        (
            "thumbprint eq datetime'2016-01-01'", .filterTypeMismatch, 15,
            "thumbprint must be compared with a string literal at position 15"
        ),
        (
            "expirationDate gt 'x'", .filterTypeMismatch, 19,
            "expirationDate must be compared with a datetime literal at position 19"
        ),
        (
            "expirationDate gt 2016-13-01", .filterInvalidLiteral, 19,
            "invalid date literal '2016-13-01' at position 19"
        ),
        ("expirationDate gt 42", .filterInvalidLiteral, 19, "invalid date literal '42' at position 19"),
        (
            "expirationDate gt datetime'nope'", .filterInvalidLiteral, 19,
            "invalid datetime literal 'nope' at position 19"
        ),
        (
            "expirationDate gt datetime'2016-02-30T00:00:00'", .filterInvalidLiteral, 19,
            "invalid datetime literal '2016-02-30T00:00:00' at position 19"
        ),
        ("subject equals 'x'", .filterSyntax, 9, "unknown operator 'equals' at position 9"),
        ("subject EQ 'x'", .filterSyntax, 9, "unknown operator 'EQ' at position 9"),
        ("subject 'x'", .filterSyntax, 9, "expected a comparison operator at position 9"),
        ("subject", .filterSyntax, 8, "expected a comparison operator at position 8"),
        ("subject and id eq 'x'", .filterSyntax, 9, "expected a comparison operator at position 9"),
        ("subject eq", .filterSyntax, 11, "expected a literal at position 11"),
        ("subject eq subject", .filterSyntax, 12, "expected a literal at position 12"),
        ("subject eq null", .filterSyntax, 12, "expected a literal at position 12"),
        ("expirationDate gt datetime", .filterSyntax, 19, "expected a literal at position 19"),
        ("subject eq 'a' or", .filterSyntax, 18, "expected an expression at position 18"),
        ("subject eq 'a' subject eq 'b'", .filterSyntax, 16, "unexpected 'subject' at position 16"),
        ("subject eq 'a')", .filterSyntax, 15, "unexpected ')' at position 15"),
        ("subject eq 'a' 'b'", .filterSyntax, 16, "unexpected string 'b' at position 16"),
        ("subject # 'a'", .filterSyntax, 9, "unexpected '#' at position 9"),
        ("é eq 'x'", .filterSyntax, 1, "unexpected 'é' at position 1"),
        ("subject eq 'a' &", .filterSyntax, 16, "unexpected '&' at position 16"),
        ("id eq 'a'\u{0}", .filterSyntax, 10, "unexpected a control character at position 10"),
        ("foo('x')", .filterUnknownFunction, 1, "unknown function 'foo' at position 1"),
        ("not tolower(subject) eq 'x'", .filterUnknownFunction, 5, "unknown function 'tolower' at position 5"),
        ("startswith('x', subject)", .filterSyntax, 12, "expected a field at position 12"),
        ("startswith(and, 'x')", .filterSyntax, 12, "expected a field at position 12"),
        ("startswith(foo, 'x')", .filterUnknownField, 12, "unknown field 'foo' at position 12"),
        ("startswith(subject 'x')", .filterSyntax, 20, "expected ',' at position 20"),
        ("startswith(subject, 'x'", .filterSyntax, 24, "expected ')' at position 24"),
        ("startswith(subject, 'x' and", .filterSyntax, 25, "expected ')' at position 25"),
        ("startswith(subject, x)", .filterSyntax, 21, "expected a string literal at position 21"),
        ("substringof(subject, 'x')", .filterSyntax, 13, "expected a string literal at position 13"),
        ("substringof('x' subject)", .filterSyntax, 17, "expected ',' at position 17"),
        ("contains(subject, 'x') eq 1", .filterSyntax, 27, "expected true or false at position 27"),
        ("contains(subject, 'x') eq", .filterSyntax, 26, "expected true or false at position 26"),
        ("contains(subject, 'x') gt true", .filterSyntax, 24, "unexpected 'gt' at position 24"),
        ("and eq 'x'", .filterSyntax, 1, "expected a field, a function or '(' at position 1, found 'and'"),
        ("'x' eq subject", .filterSyntax, 1, "expected a field, a function or '(' at position 1, found string 'x'"),
        ("()", .filterSyntax, 2, "expected a field, a function or '(' at position 2, found ')'"),
        ("not", .filterSyntax, 4, "expected an expression at position 4"),
        ("not not", .filterSyntax, 8, "expected an expression at position 8"),
        (
            "2016-01-01 lt expirationDate", .filterSyntax, 1,
            "expected a field, a function or '(' at position 1, found '2016-01-01'"
        ),
    ]

    @Test(arguments: cases)
    func reportsPositionAndMessage(text: String, code: Code, position: Int, message: String) throws {
        let error = try #require(Self.failure(text))
        #expect(error.code == code)
        #expect(error.position == position)
        #expect(error.message == message)
        #expect(error.code.target == "$filter")
        #expect(error.errorResponse.error.knownCode == .validationError)
    }

    @Test func namesTheARMIdentifier() throws {
        let error = try #require(Self.failure("id eq 'x'", .arm))
        #expect(error.code == .filterUnknownField)
        #expect(error.message == "unknown field 'id' at position 1; the arm dialect calls the identifier 'name'")
    }

    @Test func quotesLongInputShortly() throws {
        let name = String(repeating: "f", count: 500)
        let error = try #require(Self.failure("\(name) eq 'x'"))
        #expect(error.message == "unknown field '\(String(repeating: "f", count: 40))…' at position 1")
    }

    @Test func refusesTooLongFilters() throws {
        for text in [
            String(repeating: " ", count: 2_001), "id eq '" + String(repeating: "x", count: 1_993) + "'",
            String(repeating: "é", count: 2_001), String(repeating: "(", count: 1_000_000),
        ] {
            let error = try #require(Self.failure(text))
            #expect(error.code == .filterTooLong)
            #expect(error.position == 2_001)
            #expect(error.message == "the filter is longer than 2000 characters at position 2001")
        }
    }

    @Test func refusesTooDeepParentheses() throws {
        let text = String(repeating: "(", count: 33) + "id eq 'a'" + String(repeating: ")", count: 33)
        let error = try #require(Self.failure(text))
        #expect(error.code == .filterTooDeep)
        #expect(error.position == 33)
        #expect(error.message == "the filter nests deeper than 32 levels at position 33")
    }

    @Test func refusesTooDeepNots() throws {
        let error = try #require(Self.failure(String(repeating: "not ", count: 33) + "id eq 'a'"))
        #expect(error.code == .filterTooDeep)
        #expect(error.position == 129)
    }

    @Test func refusesHostileNestingQuickly() throws {
        // As deep as the length limit allows, in several shapes: each fails at level 33, without recursing further.
        for text in [
            String(repeating: "(", count: 2_000), String(repeating: "not ", count: 500),
            String(repeating: "not(", count: 500), String(repeating: "(not ", count: 400),
        ] {
            let error = try #require(Self.failure(text))
            #expect(error.code == .filterTooDeep, "\(error)")
        }
    }

    @Test func hostileChainsParseAndEvaluate() throws {
        // Wide rather than deep: 2,000 characters of `or`s and `and`s.
        let chain = Array(repeating: "id eq 'x'", count: 142).joined(separator: " or ")
        #expect(chain.count <= 2_000)
        let filter = try ODataFilter(chain, dialect: .legacy)
        #expect(!filter.matches(FilterSamples.records[0]))
        #expect(filter.sqlWhereClause(columns: FilterSQLColumns()).bindings.count == 142)
        let mixed = Array(repeating: "not (id eq 'x' and subject ne 'y')", count: 50).joined(separator: " or ")
        #expect(mixed.count <= 2_000)
        #expect(try ODataFilter(mixed, dialect: .legacy).matches(FilterSamples.records[0]))
    }

    @Test func reportsTheFirstErrorInTheText() throws {
        // An unterminated string later on does not hide an unknown field earlier.
        let error = try #require(Self.failure("foo eq 'a' and subject eq 'b"))
        #expect(error.code == .filterUnknownField)
        #expect(error.position == 1)
    }
}
