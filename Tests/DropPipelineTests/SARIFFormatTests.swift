import CertDropTestSupport
import Foundation
import Testing

@testable import DropPipeline

@Suite struct SARIFFormatTests {
    private func document(_ reports: [ItemReport]) throws -> [String: Any] {
        let path = Fixtures.temporaryFolder("sarif").appendingPathComponent("out.sarif").path
        let writer = try ReportWriter(format: .sarif, output: try TextOutput.file(path))
        for report in reports { writer.write(report) }
        writer.finish(ValidationSummary())
        try writer.close()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func run(_ document: [String: Any]) throws -> [String: Any] {
        let runs = try #require(document["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        return runs[0]
    }

    @Test func oneRulePerCodeWithTheReadmeHelp() throws {
        let run = try run(try document([]))
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "certdrop")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.map { $0["id"] as? String } == ProblemCode.allCases.map(\.rawValue))
        let wrong = try #require(rules.first { $0["id"] as? String == "wrong-password" })
        #expect(wrong["name"] as? String == "WrongPassword")
        #expect((wrong["help"] as? [String: Any])?["text"] as? String == ProblemCode.wrongPassword.plainHelp)
        #expect((wrong["help"] as? [String: Any])?["markdown"] as? String == ProblemCode.wrongPassword.help)
        let selfSigned = try #require(rules.first { $0["id"] as? String == "self-signed" })
        #expect((selfSigned["defaultConfiguration"] as? [String: Any])?["level"] as? String == "note")
        #expect((run["results"] as? [Any])?.isEmpty == true)
    }

    @Test func oneResultPerProblemWithItsLevel() throws {
        let report = ItemReport(
            source: "drop/a.pfx",
            problems: [
                Problem(.expired, "expired on 2021-01-01"), Problem(.weakKey, "RSA 1024"),
                Problem(.selfSigned, "self-signed"),
            ])
        let clean = ItemReport(source: "drop/b.pfx", problems: [])
        let results = try #require(try run(try document([report, clean]))["results"] as? [[String: Any]])
        #expect(results.map { $0["ruleId"] as? String } == ["expired", "weak-key", "self-signed"])
        #expect(results.map { $0["level"] as? String } == ["error", "warning", "note"])
        #expect(results[0]["ruleIndex"] as? Int == ProblemCode.allCases.firstIndex(of: .expired))
        #expect((results[0]["message"] as? [String: Any])?["text"] as? String == "expired on 2021-01-01")
        let location = try #require((results[0]["locations"] as? [[String: Any]])?.first)
        let physical = location["physicalLocation"] as? [String: Any]
        #expect((physical?["artifactLocation"] as? [String: Any])?["uri"] as? String == "drop/a.pfx")
        #expect(location["logicalLocations"] == nil)
    }

    @Test func aPolicyThatRaisesASeverityRaisesTheLevel() throws {
        let report = ItemReport(source: "a.pfx", problems: [Problem(.selfSigned, "self-signed", severity: .error)])
        let results = try #require(try run(try document([report]))["results"] as? [[String: Any]])
        #expect(results.first?["level"] as? String == "error")
    }

    @Test func anArchiveMemberIsALogicalLocationInTheArchive() throws {
        let report = ItemReport(
            source: "/d/drop.zip!inner.tar!certs/a.pfx", problems: [Problem(.wrongPassword, "no candidate opens it")],
            archive: ArchiveFacts(containers: ["/d/drop.zip", "/d/drop.zip!inner.tar"], entrySize: 10))
        let results = try #require(try run(try document([report]))["results"] as? [[String: Any]])
        let location = try #require((results.first?["locations"] as? [[String: Any]])?.first)
        let physical = location["physicalLocation"] as? [String: Any]
        #expect((physical?["artifactLocation"] as? [String: Any])?["uri"] as? String == "file:///d/drop.zip")
        let logical = try #require((location["logicalLocations"] as? [[String: Any]])?.first)
        #expect(logical["name"] as? String == "inner.tar!certs/a.pfx")
        #expect(logical["fullyQualifiedName"] as? String == "/d/drop.zip!inner.tar!certs/a.pfx")
        #expect(logical["kind"] as? String == "member")
    }

    @Test(arguments: [
        ("drop/a.pfx", "drop/a.pfx"),
        ("/abs/a b.pfx", "file:///abs/a%20b.pfx"),
        ("<img src=x onerror=alert(1)>.pfx", "%3Cimg%20src=x%20onerror=alert(1)%3E.pfx"),
        ("c:x.pfx", "c%3Ax.pfx"),
        ("100%.pfx", "100%25.pfx"),
        ("ü.pfx", "%C3%BC.pfx"),
    ])
    func artifactURIsAreEncoded(path: String, uri: String) {
        #expect(SARIFFormat.uri(path) == uri)
    }
}
