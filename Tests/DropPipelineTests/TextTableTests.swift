import CertificateAPI
import Foundation
import Testing

@testable import DropPipeline

@Suite struct TextTableTests {
    /// Every overflow rule at its edge: one character short of the width, exactly on it, one over.
    @Test(arguments: [
        (TextTable.Overflow.cut, "abc", "abc |"), (.cut, "abcd", "abcd|"), (.cut, "abcde", "abcd|"),
        (.ellipsis, "abc", "abc |"), (.ellipsis, "abcd", "abcd|"), (.ellipsis, "abcde", "abc…|"),
        (.spill, "abc", "abc |"), (.spill, "abcd", "abcd |"), (.spill, "abcde", "abcde |"),
        (.grow, "abc", "abc |"), (.grow, "abcd", "abcd|"), (.grow, "abcde", "abcde|"),
    ])
    func overflowAtTheEdges(overflow: TextTable.Overflow, cell: String, shown: String) {
        let table = TextTable(.init(width: 4, overflow), .rest)
        #expect(table.line(cell, "|") == shown + "\n")
    }

    @Test func rightAlignmentPadsOnTheLeftAndGapsFollowEveryCell() {
        let table = TextTable(.init(width: 4, alignment: .right, gap: "  "), .init(width: 3, .cut, gap: " "), .rest)
        #expect(table.line("7", "xy", "rest") == "   7  xy  rest\n")
        #expect(table.line("12345", "wxyz", "") == "12345  wxy \n")
        #expect(table.indent(before: 0) == "")
        #expect(table.indent(before: 2) == String(repeating: " ", count: 10))
    }

    @Test func cellsAreCountedInCharactersNotBytes() {
        let table = TextTable(.init(width: 4, .ellipsis), .rest)
        #expect(table.line("Zü", "|") == "Zü  |\n")
        #expect(table.line("éééé", "|") == "éééé|\n")
        #expect(table.line("ééééé", "|") == "ééé…|\n")
    }

    @Test func missingCellsAreEmptyAndExtraCellsAreAppended() {
        let table = TextTable(.init(width: 3, gap: "."), .rest)
        #expect(table.line("a") == "a  .\n")
        #expect(table.line("a", "b", "c") == "a  .bc\n")
    }

    /// `list` and `verify` show what a service or a manifest says: a hostile thumbprint is escaped like the rest.
    @Test func listEscapesAThumbprintTheServiceSent() {
        let record = CertificateRecord(
            certificateId: "id", subject: "CN=x", thumbprint: "AB\u{1B}[2J",
            expirationDate: Date(timeIntervalSince1970: 0))
        let text = RecordFormat.render([record], json: false)
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("AB\\x1b[2J"))
    }
}

@Suite struct PlanTableTests {
    /// `plan`'s table: the header and a row line up (action 10 + 1, id 28 + 2), a long id is cut, not spilled.
    @Test func headerAndRowsShareTheColumns() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID()).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try TextOutput.file(path)
        let printer = PlanPrinter(format: .table, output: output)
        var entry = PlanEntry(
            source: "drop/a.pfx", id: String(repeating: "x", count: 29), action: .create, thumbprint: nil,
            currentThumbprint: nil, problems: [])
        printer.write(entry)
        entry.id = "short"
        printer.write(entry)
        try output.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "ACTION     ID                            SOURCE")
        #expect(lines[1] == "create     " + String(repeating: "x", count: 28) + "  drop/a.pfx")
        #expect(lines[2] == "create     short                         drop/a.pfx")
    }
}
