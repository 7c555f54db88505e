import CertificateAPI
import Foundation

/// Certificates that the filter tests run over, chosen to tell a byte-wise, ASCII-folding comparison (what SQLite
/// does) from a Unicode-aware one: non-ASCII letters in both cases, a decomposed accent, `%`, `_`, `\` and `'`.
enum FilterSamples {
    static func date(_ text: String) -> Date {
        WireDate.date(from: text) ?? .distantPast
    }

    static let records: [CertificateRecord] = [
        CertificateRecord(
            certificateId: "api-prod",
            subject: "CN=api.contoso.com, O=Contoso, C=CH",
            thumbprint: "446581AC8386C0F79FE0C5C866431E45FCA5545E",
            expirationDate: date("2016-08-21T21:10:42Z")
        ),
        CertificateRecord(
            certificateId: "API-test",
            subject: "CN=api-test.contoso.com, O=Contoso",
            thumbprint: "0000000000000000000000000000000000000001",
            expirationDate: date("2027-01-01T00:00:00Z")
        ),
        CertificateRecord(
            certificateId: "backend_1",
            subject: "CN=backend, O=Fabrikam 100%",
            thumbprint: "ABCDEF0123456789ABCDEF0123456789ABCDEF01",
            expirationDate: date("2026-12-01T10:00:00Z")
        ),
        CertificateRecord(
            certificateId: "o'reilly",
            subject: "CN=O'Reilly, O=Books",
            thumbprint: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
            expirationDate: date("2030-06-15T12:30:00.5Z")
        ),
        CertificateRecord(
            certificateId: "zürich",
            subject: "CN=Zürich, O=ÉCOLE",
            thumbprint: "1234567890123456789012345678901234567890",
            expirationDate: date("2025-01-01T00:00:00Z")
        ),
        CertificateRecord(
            certificateId: "backslash\\1",
            subject: "CN=a_b\\c",
            thumbprint: "abcdef0123456789abcdef0123456789abcdef01",
            expirationDate: date("2024-02-29T23:59:59Z")
        ),
        CertificateRecord(
            certificateId: "cafe\u{301}",
            subject: "CN=Caf\u{E9}",
            thumbprint: "9999999999999999999999999999999999999999",
            expirationDate: date("2028-01-01T00:00:00Z")
        ),
    ]

    static let all = Set(records.map(\.certificateId))

    /// Legacy filters and the identifiers of the certificates each must select.
    static let cases: [(filter: String, expected: Set<String>)] = [
        ("id eq 'API-PROD'", ["api-prod"]),
        ("id eq 'api-test'", ["API-test"]),
        ("id ne 'api-prod'", all.subtracting(["api-prod"])),
        ("id gt 'b'", ["backend_1", "o'reilly", "zürich", "backslash\\1", "cafe\u{301}"]),
        ("id lt 'B'", ["api-prod", "API-test"]),
        ("id ge 'zürich'", ["zürich"]),
        ("id lt 'zz'", all.subtracting(["zürich"])),
        ("id eq 'caf\u{E9}'", []),
        ("id eq 'cafe\u{301}'", ["cafe\u{301}"]),
        ("subject eq 'cn=zürich, o=école'", []),
        ("subject eq 'cn=zürich, o=École'", ["zürich"]),
        ("subject gt 'cn=b'", ["backend_1", "o'reilly", "zürich", "cafe\u{301}"]),
        ("contains(subject, 'contoso')", ["api-prod", "API-test"]),
        ("substringof('100%', subject)", ["backend_1"]),
        ("contains(subject, '%')", ["backend_1"]),
        ("contains(subject, '_')", ["backslash\\1"]),
        ("contains(id, '_')", ["backend_1"]),
        ("contains(subject, '\\')", ["backslash\\1"]),
        ("startswith(subject, 'cn=a_')", ["backslash\\1"]),
        ("startswith(id, 'API')", ["api-prod", "API-test"]),
        ("endswith(thumbprint, 'ef01')", ["backend_1", "backslash\\1"]),
        ("thumbprint eq 'abcdef0123456789abcdef0123456789abcdef01'", ["backend_1", "backslash\\1"]),
        ("contains(id, '''')", ["o'reilly"]),
        ("subject eq 'CN=O''Reilly, O=Books'", ["o'reilly"]),
        ("contains(subject, 'ü')", ["zürich"]),
        ("contains(subject, 'Ü')", []),
        ("contains(subject, '')", all),
        ("expirationDate lt 2025-01-01", ["api-prod", "backslash\\1"]),
        ("expirationDate le 2025-01-01", ["api-prod", "backslash\\1", "zürich"]),
        ("expirationDate eq datetime'2026-12-01T10:00:00'", ["backend_1"]),
        ("expirationDate eq 2026-12-01T11:00:00+01:00", ["backend_1"]),
        ("expirationDate gt 2030-06-15T12:30:00Z", ["o'reilly"]),
        ("expirationDate ge 2030-06-15T12:30:00.5Z", ["o'reilly"]),
        ("expirationDate gt 2030-06-15T12:30:00.5Z", []),
        ("expirationDate ne 2016-08-21T21:10:42", all.subtracting(["api-prod"])),
        ("not (expirationDate lt 2026-01-01)", ["API-test", "backend_1", "o'reilly", "cafe\u{301}"]),
        ("startswith(subject, 'CN=api') and expirationDate gt 2020-01-01", ["API-test"]),
        ("startswith(id, 'api') or endswith(id, '1')", ["api-prod", "API-test", "backend_1", "backslash\\1"]),
        ("not startswith(id, 'api') and not contains(subject, 'o')", ["backslash\\1", "cafe\u{301}"]),
        ("id eq 'a' or id eq 'b' or not (id ne 'zürich')", ["zürich"]),
        ("substringof('contoso', subject) eq false", all.subtracting(["api-prod", "API-test"])),
        (
            "contains(subject, 'contoso') ne true and contains(subject, 'o') eq true",
            ["backend_1", "o'reilly", "zürich"]
        ),
        (
            "(id eq 'api-prod' or id eq 'backend_1') and (thumbprint lt '5' or expirationDate gt 2026-01-01)",
            ["api-prod", "backend_1"]
        ),
    ]
}
