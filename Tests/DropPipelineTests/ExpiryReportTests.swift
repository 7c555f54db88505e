import CertDropTestSupport
import CertificateAPI
import Foundation
import Testing

@testable import DropPipeline

@Suite struct ExpiryReportTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let day = 86_400.0

    private func record(_ id: String, _ offset: TimeInterval, subject: String = "CN=x") -> CertificateRecord {
        CertificateRecord(
            certificateId: id, subject: subject, thumbprint: String(repeating: "A", count: 40),
            expirationDate: now.addingTimeInterval(offset))
    }

    @Test func selectsWithinTheDaysOnTheEdgeAndTheExpired() {
        let records = [
            record("later", 30 * day + 1), record("edge", 30 * day), record("inside", 30 * day - 1),
            record("expired", -1), record("now", 0),
        ]
        let selected = ExpiryReport.select(records, days: 30, now: now)
        #expect(selected.map(\.record.certificateId) == ["expired", "now", "inside", "edge"])
        #expect(selected.map(\.expired) == [true, true, false, false])
        #expect(selected.map(\.daysLeft) == [-1, 0, 29, 30])
    }

    @Test func zeroDaysListsOnlyTheExpired() {
        let selected = ExpiryReport.select([record("a", 1), record("b", -day)], days: 0, now: now)
        #expect(selected.map(\.record.certificateId) == ["b"])
    }

    private func text(_ format: ExpiryFormat, _ records: [CertificateRecord]) throws -> String {
        let path = Fixtures.temporaryFolder("expiry").appendingPathComponent("out").path
        let output = try TextOutput.file(path)
        try ExpiryReport.write(
            ExpiryReport.select(records, days: 30, now: now), format: format, days: 30, now: now, instance: "apim",
            to: output)
        try output.close()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func jsonHasDaysLeft() throws {
        let json = try text(.json, [record("a", 2 * day + 5)])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["days"] as? Int == 30)
        let rows = try #require(object["certificates"] as? [[String: Any]])
        #expect(rows.first?["daysLeft"] as? Int == 2)
        #expect(rows.first?["expired"] as? Bool == false)
        #expect(
            Set(rows.first?.keys ?? [:].keys) == [
                "id", "subject", "thumbprint", "expirationDate", "daysLeft", "expired",
            ])
    }

    @Test func csvQuotesFormulas() throws {
        let csv = try text(.csv, [record("=cmd", day, subject: "CN=a, O=b")])
        #expect(csv.hasPrefix("id,subject,thumbprint,expirationDate,daysLeft,expired\n"))
        #expect(csv.contains("\"'=cmd\",\"CN=a, O=b\""))
    }

    @Test func tableAndHTMLEscapeNames() throws {
        let table = try text(.table, [record("evil\u{1b}[2J", day)])
        #expect(!table.contains("\u{1b}"))
        #expect(table.contains("1 certificates expire within 30 days (0 already expired)"))
        let html = try text(.html, [record("<img src=x onerror=alert(1)>", -day)])
        #expect(!html.contains("<img"))
        #expect(html.contains("<circle class=\"mark error\""))
    }

    @Test func openMetricsGauges() {
        let text = ExpiryReport.openMetrics(
            [record("a\"b", 100, subject: "CN=x\\y\nz")], now: now, instance: "apim")
        #expect(text.hasSuffix("# EOF\n"))
        #expect(text.contains("# TYPE certdrop_certificate_expiration_timestamp_seconds gauge"))
        #expect(text.contains("# TYPE certdrop_certificate_expires_in_seconds gauge"))
        #expect(text.contains("id=\"a\\\"b\""))
        #expect(text.contains("subject=\"CN=x\\\\y\\nz\""))
        #expect(text.contains("instance=\"apim\""))
        #expect(text.contains("} 1800000100.0\n"))
        #expect(text.contains("} 100.0\n"))
    }

    @Test func openMetricsIsTheSameForTheSameStore() {
        let records = (0..<20).map { record(String(format: "c%02d", $0), Double($0) * day) }
        let first = ExpiryReport.openMetrics(records, now: now, instance: "x")
        #expect(ExpiryReport.openMetrics(records.reversed(), now: now, instance: "x") == first)
        let lines = first.split(separator: "\n")
        #expect(
            lines.first
                == "# HELP certdrop_certificate_expiration_timestamp_seconds The certificate's notAfter, in seconds since the Unix epoch."
        )
        let ids = lines.filter { $0.hasPrefix("certdrop_certificate_expires_in_seconds{") }
            .compactMap { $0.split(separator: "\"").dropFirst().first }
        #expect(ids == records.map { Substring($0.certificateId) })
    }

    @Test func openMetricsOfNothingIsJustTheEnd() {
        #expect(ExpiryReport.openMetrics([], now: now, instance: "x") == "# EOF\n")
    }
}
