import CertificateAPI
import Foundation
import Testing

/// The evaluator and the SQL translation must select the same certificates: checked here on a table of filters
/// over ``FilterSamples``, in Swift always and in the system's SQLite where it can be loaded.
@Suite struct FilterAgreementTests {
    static let columns = FilterSQLColumns()

    @Test(arguments: FilterSamples.cases)
    func evaluatorSelectsTheExpectedCertificates(filter: String, expected: Set<String>) throws {
        let parsed = try ODataFilter(filter, dialect: .legacy)
        let selected = Set(FilterSamples.records.filter(parsed.matches).map(\.certificateId))
        #expect(selected == expected)
    }

    @Test(arguments: FilterSamples.cases)
    func armSpellingSelectsTheSame(filter: String, expected: Set<String>) throws {
        let legacy = try ODataFilter(filter, dialect: .legacy)
        let arm = try ODataFilter(legacy.expression.text(in: .arm), dialect: .arm)
        #expect(Set(FilterSamples.records.filter(arm.matches).map(\.certificateId)) == expected)
    }

    @Test(.enabled(if: SQLiteHarness.isAvailable))
    func sqliteSelectsWhatTheEvaluatorSelects() throws {
        let harness = try #require(SQLiteHarness.load())
        let filters = try FilterSamples.cases.map { try ODataFilter($0.filter, dialect: .legacy) }
        let selected = try harness.select(
            from: FilterSamples.records,
            where: filters.map { $0.sqlWhereClause(columns: Self.columns) }
        )
        for (index, filter) in filters.enumerated() {
            let evaluated = Set(FilterSamples.records.filter(filter.matches).map(\.certificateId))
            #expect(selected[index] == evaluated, "\(filter.text)")
            #expect(selected[index] == FilterSamples.cases[index].expected, "\(filter.text)")
        }
    }

    @Test(.enabled(if: SQLiteHarness.isAvailable))
    func sqliteAgreesOnCanonicalTextToo() throws {
        // The canonical rendering parses back to a filter that selects the same rows in SQLite.
        let harness = try #require(SQLiteHarness.load())
        let filters = try FilterSamples.cases.map {
            try ODataFilter(ODataFilter($0.filter, dialect: .legacy).expression.text(in: .legacy), dialect: .legacy)
        }
        let selected = try harness.select(
            from: FilterSamples.records,
            where: filters.map { $0.sqlWhereClause(columns: Self.columns) }
        )
        #expect(selected == FilterSamples.cases.map(\.expected))
    }

    @Test(arguments: [
        ("id eq 'API-PROD'", #""id" COLLATE NOCASE = ?"#, [SQLValue.text("API-PROD")]),
        ("id ne 'x'", #""id" COLLATE NOCASE <> ?"#, [.text("x")]),
        ("subject gt 'a'", #""subject" COLLATE NOCASE > ?"#, [.text("a")]),
        ("subject ge 'a'", #""subject" COLLATE NOCASE >= ?"#, [.text("a")]),
        ("thumbprint lt 'a'", #""thumbprint" COLLATE NOCASE < ?"#, [.text("a")]),
        ("thumbprint le 'O''Reilly'", #""thumbprint" COLLATE NOCASE <= ?"#, [.text("O'Reilly")]),
        ("expirationDate gt 2016-08-21T21:10:42Z", #""expiration_date" > ?"#, [.real(1_471_813_842)]),
        ("expirationDate eq datetime'2016-08-21T21:10:42'", #""expiration_date" = ?"#, [.real(1_471_813_842)]),
        ("expirationDate le 2016-08-21T21:10:42.5Z", #""expiration_date" <= ?"#, [.real(1_471_813_842.5)]),
        ("contains(subject, '100%')", #""subject" LIKE ? ESCAPE '\'"#, [.text(#"%100\%%"#)]),
        ("substringof('a_b', subject)", #""subject" LIKE ? ESCAPE '\'"#, [.text(#"%a\_b%"#)]),
        ("startswith(id, 'x\\y')", #""id" LIKE ? ESCAPE '\'"#, [.text(#"x\\y%"#)]),
        ("endswith(thumbprint, '45E')", #""thumbprint" LIKE ? ESCAPE '\'"#, [.text("%45E")]),
        ("contains(subject, '')", #""subject" LIKE ? ESCAPE '\'"#, [.text("%%")]),
        ("contains(subject, 'x') eq false", #"NOT ("subject" LIKE ? ESCAPE '\')"#, [.text("%x%")]),
        (
            "not (id eq 'a' or id eq 'b') and thumbprint le 'z'",
            #"(NOT (("id" COLLATE NOCASE = ? OR "id" COLLATE NOCASE = ?)) AND "thumbprint" COLLATE NOCASE <= ?)"#,
            [.text("a"), .text("b"), .text("z")]
        ),
        (
            "id eq '1' or id eq '2' and subject eq '3' or not id eq '4'",
            #"("id" COLLATE NOCASE = ? OR ("id" COLLATE NOCASE = ? AND "subject" COLLATE NOCASE = ?) "#
                + #"OR NOT ("id" COLLATE NOCASE = ?))"#,
            [.text("1"), .text("2"), .text("3"), .text("4")]
        ),
        (
            "subject eq 'x'' OR 1=1 --'",
            #""subject" COLLATE NOCASE = ?"#,
            [.text("x' OR 1=1 --")]
        ),
    ])
    func translatesToExactSQL(filter: String, sql: String, bindings: [SQLValue]) throws {
        let clause = try ODataFilter(filter, dialect: .legacy).sqlWhereClause(columns: Self.columns)
        #expect(clause.sql == sql)
        #expect(clause.bindings == bindings)
    }

    @Test func quotesColumnNames() throws {
        let columns = FilterSQLColumns(
            identifier: "cert\"id",
            subject: "subj ect",
            thumbprint: "tp",
            expirationDate: "not_after"
        )
        let filter = try ODataFilter(
            "name eq 'a' and contains(subject, 'b') and thumbprint eq 'c' and expirationDate lt 2020-01-01",
            dialect: .arm
        )
        let clause = filter.sqlWhereClause(columns: columns)
        #expect(
            clause.sql
                == #"("cert""id" COLLATE NOCASE = ? AND "subj ect" LIKE ? ESCAPE '\' AND "#
                + #""tp" COLLATE NOCASE = ? AND "not_after" < ?)"#
        )
        #expect(clause.bindings == [.text("a"), .text("%b%"), .text("c"), .real(1_577_836_800)])
    }

    @Test func treesBuiltInCodeThatMismatchMatchNothingInBoth() {
        let record = FilterSamples.records[0]
        let odd: [FilterExpression] = [
            .comparison(field: .subject, operator: .eq, literal: .date(Date()), position: 1),
            .comparison(field: .expirationDate, operator: .eq, literal: .string("x"), position: 1),
            .call(function: .contains, field: .expirationDate, argument: "x", position: 1),
            .or([]),
        ]
        for expression in odd {
            #expect(!expression.matches(record))
            #expect(expression.sqlWhereClause(columns: Self.columns).sql == "0")
        }
        #expect(FilterExpression.and([]).matches(record))
        #expect(FilterExpression.and([]).sqlWhereClause(columns: Self.columns).sql == "1")
    }
}
