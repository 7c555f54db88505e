import CertificateAPI
import Foundation
import Testing

/// Random filters, from a fixed seed: each is rendered to text, parsed back, evaluated in Swift and run in SQLite,
/// and all must agree.
@Suite struct FilterPropertyTests {
    /// SplitMix64: small, fast and the same on every platform.
    struct Generator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let texts = [
        "", "a", "b", "zz", "1", "API", "api-", "CN=", "cn=api", "contoso", "CONTOSO", "ü", "Ü", "É", "é", "e\u{301}",
        "Caf\u{E9}", "%", "_", "\\", "'", "a_b", "100%", "ef01", "EF01", "O'Reilly", "backend_1", "zürich", "446581",
    ]

    static let dates = FilterSamples.records.map(\.expirationDate).flatMap {
        [$0, $0.addingTimeInterval(0.5), $0.addingTimeInterval(-1)]
    }

    static func expression(depth: Int, using generator: inout Generator) -> FilterExpression {
        let choice = depth >= 3 ? Int.random(in: 0..<2, using: &generator) : Int.random(in: 0..<5, using: &generator)
        switch choice {
        case 0:
            let field = FilterField.allCases.randomElement(using: &generator) ?? .subject
            let op = FilterOperator.allCases.randomElement(using: &generator) ?? .eq
            let literal: FilterLiteral =
                field.isText
                ? .string(texts.randomElement(using: &generator) ?? "")
                : .date(dates.randomElement(using: &generator) ?? Date())
            return .comparison(field: field, operator: op, literal: literal, position: 1)
        case 1:
            let field = [FilterField.identifier, .subject, .thumbprint].randomElement(using: &generator) ?? .subject
            let function = FilterFunction.allCases.randomElement(using: &generator) ?? .contains
            let argument = texts.randomElement(using: &generator) ?? ""
            return .call(function: function, field: field, argument: argument, position: 1)
        case 2:
            return .not(expression(depth: depth + 1, using: &generator), position: 1)
        case 3:
            let count = Int.random(in: 2...3, using: &generator)
            return .and((0..<count).map { _ in expression(depth: depth + 1, using: &generator) })
        default:
            let count = Int.random(in: 2...3, using: &generator)
            return .or((0..<count).map { _ in expression(depth: depth + 1, using: &generator) })
        }
    }

    static func filters(count: Int, dialect: Dialect) throws -> [ODataFilter] {
        var generator = Generator(state: 20_261_201)
        return try (0..<count).map { _ in
            let built = ODataFilter(expression: expression(depth: 0, using: &generator), dialect: dialect)
            return try ODataFilter(built.text, dialect: dialect)
        }
    }

    @Test func parsedTextEvaluatesLikeTheBuiltTree() throws {
        var generator = Generator(state: 7)
        for _ in 0..<500 {
            let tree = Self.expression(depth: 0, using: &generator)
            for dialect in Dialect.allCases {
                let parsed = try ODataFilter(tree.text(in: dialect), dialect: dialect)
                for record in FilterSamples.records {
                    #expect(parsed.matches(record) == tree.matches(record), "\(parsed.text)")
                }
            }
        }
    }

    @Test(.enabled(if: SQLiteHarness.isAvailable))
    func sqliteAgreesOnRandomFilters() throws {
        let harness = try #require(SQLiteHarness.load())
        let filters = try Self.filters(count: 1_000, dialect: .arm)
        let selected = try harness.select(
            from: FilterSamples.records,
            where: filters.map { $0.sqlWhereClause(columns: FilterSQLColumns()) }
        )
        var nonTrivial = 0
        for (filter, rows) in zip(filters, selected) {
            let evaluated = Set(FilterSamples.records.filter(filter.matches).map(\.certificateId))
            #expect(rows == evaluated, "\(filter.text)")
            if !rows.isEmpty && rows != FilterSamples.all { nonTrivial += 1 }
        }
        // The generator is not degenerate: hundreds of filters select some rows but not all.
        #expect(nonTrivial > 200)
    }
}
