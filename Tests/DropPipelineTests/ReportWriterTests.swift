import CertDropTestSupport
import Foundation
import Testing

@testable import DropPipeline

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct ReportWriterTests {
    private func render(_ format: ReportFormat, failOn: Severity = .error) throws -> String {
        let (reports, summary) = try validateFixtures()
        let folder = Fixtures.temporaryFolder("report")
        let path = folder.appendingPathComponent("out").path
        let writer = try ReportWriter(format: format, output: try TextOutput.file(path), failOn: failOn)
        for report in reports { writer.write(report) }
        writer.finish(summary)
        try writer.close()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func jsonHasExactlyTheDocumentedNames() throws {
        let text = try render(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["summary", "items"])
        let items = try #require(object["items"] as? [[String: Any]])
        let good = try #require(items.first { ($0["source"] as? String)?.hasSuffix("/ec-p256.pfx") == true })
        #expect(Set(good.keys) == ["source", "verdict", "problems", "id", "certificate", "pkcs12", "path"])
        let path = try #require(good["path"] as? [String: Any])
        #expect(Set(path.keys) == ["elements", "end", "trustChecked", "missingIssuer", "unrelated"])
        #expect(path["end"] as? String == "file")
        let element = try #require((path["elements"] as? [[String: Any]])?.first)
        #expect(
            Set(element.keys) == ["subject", "issuer", "notBefore", "notAfter", "thumbprint", "origin", "selfSigned"])
        let certificate = try #require(good["certificate"] as? [String: Any])
        #expect(
            Set(certificate.keys) == [
                "thumbprint", "sha256", "subject", "issuer", "serialNumber", "notBefore", "expirationDate",
                "selfSigned", "keyAlgorithm", "keyBits", "curve", "signatureAlgorithm", "chain",
            ])
        #expect(certificate["curve"] as? String == "prime256v1")
        #expect((certificate["expirationDate"] as? String)?.hasSuffix("Z") == true)
        let pkcs12 = try #require(good["pkcs12"] as? [String: Any])
        #expect(
            Set(pkcs12.keys) == [
                "macAlgorithm", "macIterations", "certEncryption", "keyEncryption", "legacyEncryption",
                "hasPrivateKey", "keyMatchesCertificate", "privateKeys", "certificates", "passwordCandidate",
            ])
        let bad = try #require(items.first { ($0["source"] as? String)?.hasSuffix("/wrong-password.pfx") == true })
        #expect(bad["certificate"] is NSNull)
        #expect(bad["pkcs12"] is NSNull)
        let problems = try #require(bad["problems"] as? [[String: Any]])
        #expect(problems.first?["code"] as? String == "wrong-password")
        #expect(problems.first?["severity"] as? String == "error")
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["total"] as? Int == items.count)
    }

    @Test func noPasswordEverAppears() throws {
        let passwords = Fixtures.passwords.values.filter { $0.count >= 4 }
        #expect(!passwords.isEmpty)
        // The problem codes' help text (SARIF's rules, the HTML summary) is the program's own, not input: a fixture
        // password may be an ordinary word of it ("anything").
        let help = ProblemCode.allCases.flatMap { [$0.help, $0.plainHelp, HTMLText.escape($0.plainHelp)] }
        for format in ReportFormat.allCases {
            let text = help.reduce(try render(format)) { $0.replacingOccurrences(of: $1, with: "") }
            for password in passwords {
                #expect(!text.contains(password), "\(format) shows a password")
            }
        }
    }

    @Test func jsonLinesEndWithTheSummary() throws {
        let lines = try render(.jsonl).split(separator: "\n")
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil)
        }
        #expect(lines.last?.hasPrefix("{\"summary\"") == true)
    }

    @Test func csvQuotesAndDefusesFormulas() {
        #expect(CSVFormat.quote("plain") == "plain")
        #expect(CSVFormat.quote("a,b") == "\"a,b\"")
        #expect(CSVFormat.quote("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVFormat.quote("=cmd()") == "\"'=cmd()\"")
    }

    @Test func csvHasOneRowPerItem() throws {
        let text = try render(.csv)
        let reports = try validateFixtures().reports
        #expect(text.split(separator: "\n").count == reports.count + 1)
        #expect(text.hasPrefix(CSVFormat.header))
    }

    @Test func junitIsWellFormedWithCounts() throws {
        let text = try render(.junit)
        let parser = XMLParser(data: Data(text.utf8))
        #expect(parser.parse())
        let reports = try validateFixtures().reports
        #expect(text.contains("tests=\"\(reports.count)\""))
        let errors = reports.filter { $0.verdict == .error }.count
        #expect(text.contains("failures=\"\(errors)\""))
        let stricter = try render(.junit, failOn: .warning)
        let failing = reports.filter { $0.verdict == .error || $0.verdict == .warning }.count
        #expect(stricter.contains("failures=\"\(failing)\""))
    }

    @Test func tableEndsWithASummary() throws {
        let text = try render(.table)
        #expect(text.hasPrefix("VERDICT"))
        #expect(text.contains("problems: "))
    }
}
