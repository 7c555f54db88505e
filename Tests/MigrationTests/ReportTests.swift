import CertDropTestSupport
import CertificateAPI
import CertificateClient
import DropPipeline
import Foundation
import Testing

@testable import Migration

@Suite struct ReportTests {
    private func certificate(_ id: String, _ thumbprint: String, keyVault: String? = nil) -> RemoteCertificate {
        RemoteCertificate(
            record: CertificateRecord(
                certificateId: id, subject: "CN=\(id)", thumbprint: thumbprint, expirationDate: Date.distantFuture),
            path: "/certificates/\(id)", keyVault: keyVault.map { KeyVaultReference(secretIdentifier: $0) })
    }

    @Test func diffComparesByIdWithoutCaseAndByThumbprint() {
        let report = DiffReport(
            source: [
                certificate("A", "AA"), certificate("b", "BB"), certificate("c", "CC"),
                certificate("kv", "", keyVault: "s"),
            ],
            target: [
                certificate("a", "aa"), certificate("b", "B2"), certificate("d", "DD"),
                certificate("KV", "", keyVault: "s"),
            ])
        #expect(
            report.rows.map { "\($0.id) \($0.state.rawValue)" } == [
                "A same", "b different", "c only-in-source", "d only-in-target", "kv same",
            ])
        #expect(report.exitStatus == 1)
        #expect(report.summaryText == "5 ids: 2 same, 1 different, 1 only-in-source, 1 only-in-target")
        let table = report.render(json: false, all: false)
        #expect(!table.contains("same ") && table.contains("only-in-source"))
        let json = report.render(json: true, all: true)
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((object?["rows"] as? [Any])?.count == 5)
        #expect(DiffReport(source: [certificate("a", "AA")], target: [certificate("a", "AA")]).exitStatus == 0)
    }

    @Test func verifyReadsWhatAManifestPutOrTriedToPut() throws {
        let path = Fixtures.temporaryFolder("verify").appendingPathComponent("m.jsonl").path
        let writer = try ManifestWriter(path: path)
        func line(_ source: String, _ id: String?, _ thumbprint: String?, _ action: ImportAction) {
            writer.write(
                ManifestEntry(
                    source: source, id: id, thumbprint: thumbprint, subject: nil, expirationDate: nil, action: action))
        }
        line("a.pfx", "a", "AA", .failed)
        line("a.pfx", "a", "AA", .created)  // a resumed run settled it
        line("b.pfx", "b", "BB", .conflict)
        line("c.pfx", "c", "CC", .unchanged)
        line("d.pfx", "d", "DD", .invalid)
        line("/certificates/e", "e", "EE", .missingPFX)
        line("f.pfx", nil, "FF", .unmatched)
        line("g.pfx", "g", "GG", .created)
        line("g2.pfx", "g", "G2", .invalid)  // a duplicate id, not uploaded
        try writer.finish(ImportSummary())
        let expected = try VerifyReport.expectations(manifestPath: path)
        #expect(expected.map { "\($0.id) \($0.thumbprint ?? "-")" } == ["a AA", "b BB", "c CC", "g GG"])
        let report = VerifyReport(
            expectations: expected,
            target: [certificate("A", "aa"), certificate("b", "B2"), certificate("g", "GG")])
        #expect(report.rows.map { "\($0.id) \($0.state.rawValue)" } == ["a ok", "b different", "c missing", "g ok"])
        #expect(report.exitStatus == 1)
        #expect(report.summaryText == "incomplete: 4 ids checked: 2 ok, 1 missing, 1 different")
    }

    @Test func settledSourcesWaitForEveryIdOfASource() throws {
        let path = Fixtures.temporaryFolder("settled").appendingPathComponent("m.jsonl").path
        let writer = try ManifestWriter(path: path)
        func line(_ source: String, _ id: String?, _ action: ImportAction) {
            writer.write(
                ManifestEntry(
                    source: source, id: id, thumbprint: nil, subject: nil, expirationDate: nil, action: action))
        }
        line("x.pfx", "one", .failed)
        line("x.pfx", "two", .created)
        line("y.pfx", "three", .created)
        line("y.pfx", "four", .unchanged)
        line("z.pfx", nil, .unmatched)
        line("/certificates/k", "k", .created)
        #expect(try MigrationRun.settledSources(path: path) == ["y.pfx", "/certificates/k"])
        line("x.pfx", "one", .created)
        #expect(try MigrationRun.settledSources(path: path) == ["x.pfx", "y.pfx", "/certificates/k"])
    }
}
