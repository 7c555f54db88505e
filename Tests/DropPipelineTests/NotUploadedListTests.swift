import Foundation
import Testing

@testable import DropPipeline

@Suite struct NotUploadedListTests {
    private func entry(_ source: String, _ action: ImportAction, code: String? = nil, message: String = "")
        -> ManifestEntry
    {
        ManifestEntry(
            source: source, id: source, thumbprint: nil, subject: nil, expirationDate: nil, action: action,
            error: code.map { ManifestEntry.Failure(code: $0, message: message) })
    }

    @Test func keepsEveryActionButTheUploadedOnes() {
        let list = NotUploadedList()
        for action in ImportAction.allCases { list.record(entry("x-\(action.rawValue)", action)) }
        #expect(
            Set(list.entries.map(\.action))
                == [.conflict, .invalid, .failed, .skipped, .missingPFX, .unmatched])
    }

    @Test func namesEachItemWithItsSourceAndReasonOnce() {
        let list = NotUploadedList()
        list.record(entry("drop/b.pfx", .invalid, code: "expired", message: "expired: notAfter 2021-01-01"))
        list.record(entry("drop/a.pfx", .failed, code: "http-500", message: "the service answered 500"))
        list.record(entry("drop/c.pfx", .created))
        let text = list.text()
        #expect(text.hasPrefix("\nnot uploaded (2):\n"))
        #expect(text.contains("expired: notAfter 2021-01-01\n"))
        #expect(!text.contains("expired: expired:"))
        #expect(text.contains("http-500: the service answered 500\n"))
        #expect(!text.contains("drop/c.pfx"))
        // Sorted by source, whatever order the uploads ended in.
        let a = text.range(of: "drop/a.pfx")
        let b = text.range(of: "drop/b.pfx")
        #expect(a != nil && b != nil && a!.lowerBound < b!.lowerBound)
    }

    @Test func aDryRunSaysWhatWouldNotGoUp() {
        let list = NotUploadedList()
        list.record(entry("a", .invalid, code: "corrupt", message: "damaged"))
        #expect(list.text(dryRun: true).hasPrefix("\nwould not upload (1):\n"))
    }

    @Test func nothingWhenEveryItemWentUp() {
        let list = NotUploadedList()
        list.record(entry("a", .unchanged))
        #expect(list.text() == "")
    }

    @Test(arguments: [(2, 2, 0), (3, 3, 0), (4, 3, 1)])
    func keepsAtMostTheLimit(recorded: Int, kept: Int, more: Int) {
        let list = NotUploadedList(limit: 3)
        for index in 0..<recorded { list.record(entry("s\(index)", .invalid, code: "corrupt")) }
        #expect(list.entries.count == kept)
        #expect(list.more == more)
        let text = list.text(manifest: "m.jsonl")
        #expect(text.contains("not uploaded (\(recorded)):"))
        #expect(text.contains("and \(more) more (every line is in m.jsonl)") == (more > 0))
    }

    @Test func leavesOutLinesListedElsewhere() {
        let list = NotUploadedList()
        let shown = entry("/certificates/a", .missingPFX, code: "missing-pfx", message: "no PFX")
        list.record(shown)
        list.record(entry("drop/x.pfx", .unmatched, code: "unmatched", message: "the source does not hold it"))
        let text = list.text(except: [shown])
        #expect(text.contains("not uploaded (1):"))
        #expect(!text.contains("/certificates/a"))
    }

    @Test func hostileNamesAreEscaped() {
        let list = NotUploadedList()
        list.record(entry("evil\u{1b}[2J.pfx", .invalid, code: "corrupt", message: "bad\u{1b}[31m"))
        #expect(!list.text().contains("\u{1b}"))
    }
}
