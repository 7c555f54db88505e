import CertDropTestSupport
import Foundation
import Testing

@testable import DropPipeline

/// The README's "Problem codes" table and the code's help text (SARIF's rule help) are one source of truth.
@Suite struct ProblemCodeHelpTests {
    /// The rows of the README's table: code → (severity, meaning).
    private func readmeTable() throws -> [String: (severity: String, meaning: String)] {
        let readme = try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## Problem codes\n").dropFirst().first)
        let table = section.components(separatedBy: "\n## ")[0]
        var rows: [String: (String, String)] = [:]
        for line in table.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let code = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            #expect(rows[code] == nil, "\(code) is listed twice")
            rows[code] = (cells[1], cells[2...].joined(separator: "|"))
        }
        return rows
    }

    @Test func theReadmeTableAndTheCodeAgree() throws {
        let rows = try readmeTable()
        #expect(Set(rows.keys) == Set(ProblemCode.allCases.map(\.rawValue)))
        for code in ProblemCode.allCases {
            let row = try #require(rows[code.rawValue], "\(code.rawValue) is missing from the README")
            #expect(row.severity == code.defaultSeverity.rawValue, "\(code.rawValue)")
            #expect(row.meaning == code.help, "\(code.rawValue)")
        }
    }

    @Test func plainHelpHasNoMarkdown() {
        #expect(
            ProblemCode.expiringSoon.help
                == "the leaf, or a CA certificate on its path (the message names which), expires within `--min-days`")
        #expect(
            ProblemCode.expiringSoon.plainHelp
                == "the leaf, or a CA certificate on its path (the message names which), expires within --min-days")
        for code in ProblemCode.allCases { #expect(!code.plainHelp.contains("`")) }
    }
}
