// libFuzzer target for the OData `$filter` parser of CertificateAPI (built by scripts/fuzz.sh, not by `swift build`).
//
// For any input: parsing never crashes and stays within its limits; a filter that parses renders to canonical text
// that parses again to the same canonical text; its SQL has one placeholder per binding; and it evaluates on
// sample certificates without crashing.
import CertificateAPI
import Foundation

private let samples: [CertificateRecord] = [
    CertificateRecord(
        certificateId: "api-cert", subject: "CN=api.example.test, O=Example",
        thumbprint: String(repeating: "A", count: 40),
        expirationDate: Date(timeIntervalSince1970: 1_800_000_000)),
    CertificateRecord(
        certificateId: "Zürich_1%", subject: "CN=Zürich Test, O=Exämple GmbH, C=CH", thumbprint: "",
        expirationDate: Date(timeIntervalSince1970: 0)),
]

private let generousLimits = ODataFilter.Limits(maximumLength: 1_000_000, maximumDepth: ODataFilter.Limits.depthCeiling)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFilter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for dialect in Dialect.allCases {
        let filter: ODataFilter
        do {
            filter = try ODataFilter(text, dialect: dialect)
        } catch {
            precondition(error.code.rawValue.hasPrefix("filter-"), "unexpected error code \(error.code)")
            precondition(error.position != nil, "a filter error without a position: \(error)")
            continue
        }
        let clause = filter.sqlWhereClause(columns: FilterSQLColumns())
        precondition(clause.sql.filter { $0 == "?" }.count == clause.bindings.count, "placeholders ≠ bindings")
        for record in samples { _ = filter.matches(record) }
        let canonical = filter.expression.text(in: dialect)
        do {
            let again = try ODataFilter(canonical, dialect: dialect, limits: generousLimits)
            precondition(again.expression.text(in: dialect) == canonical, "canonical text is not stable: \(canonical)")
        } catch {
            preconditionFailure("canonical text does not parse: \(canonical): \(error)")
        }
    }
    return 0
}
