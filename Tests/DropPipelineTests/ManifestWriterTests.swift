import CertDropTestSupport
import Foundation
import Testing

@testable import DropPipeline

private func entry(_ source: String, _ action: ImportAction = .created) -> ManifestEntry {
    ManifestEntry(
        source: source, id: "id-" + source, thumbprint: nil, subject: nil, expirationDate: nil, action: action)
}

@Suite struct ManifestWriterTests {
    @Test func aFullDeviceStopsWritingAndNamesTheFile() throws {
        let writer = try ManifestWriter(path: "/dev/full")
        #expect(writer.failure == nil)
        #expect(!writer.write(entry("a")))
        #expect(writer.failure?.code == .output)
        #expect(writer.failure?.message.contains("/dev/full") == true)
        // Later lines are refused too, and closing throws the first failure.
        #expect(!writer.write(entry("b")))
        #expect(throws: PipelineError.self) { try writer.close() }
        #expect(throws: PipelineError.self) { try writer.finish(ImportSummary()) }
    }

    @Test func aGoodManifestClosesCleanly() throws {
        let path = Fixtures.temporaryFolder("manifest").appendingPathComponent("m.jsonl").path
        let writer = try ManifestWriter(path: path)
        #expect(writer.write(entry("a")))
        try writer.finish(ImportSummary())
        #expect(try ManifestWriter.settledSources(path: path) == ["a"])
        // /dev/null cannot fsync, and that is no failure.
        try ManifestWriter(path: "/dev/null").finish(ImportSummary())
    }

    @Test func aLastLineCutShortIsPassedOverAndTheNextRunStartsALineOfItsOwn() throws {
        let path = Fixtures.temporaryFolder("manifest").appendingPathComponent("m.jsonl").path
        let whole = JSONText.line(entry("a")) + "\n"
        let cut = String(JSONText.line(entry("b")).prefix(20))
        try Data((whole + cut).utf8).write(to: URL(fileURLWithPath: path))
        #expect(try ManifestWriter.settledSources(path: path) == ["a"])
        let writer = try ManifestWriter(path: path)
        writer.write(entry("c"))
        try writer.close()
        #expect(try ManifestWriter.settledSources(path: path) == ["a", "c"])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n" + cut + "\n" + JSONText.line(entry("c")) + "\n"))
    }

    @Test func aLaterFailureUnsettlesAndAWholeLastLineWithoutNewlineCounts() throws {
        let path = Fixtures.temporaryFolder("manifest").appendingPathComponent("m.jsonl").path
        let text = [entry("a"), entry("b"), entry("a", .failed)].map(JSONText.line).joined(separator: "\n")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try ManifestWriter.settledSources(path: path) == ["b"])
    }

    @Test func formatsAreNeverMixedInOneFile() throws {
        let folder = Fixtures.temporaryFolder("manifest")
        let csv = folder.appendingPathComponent("m.csv").path
        let writer = try ManifestWriter(path: csv, format: .csv)
        writer.write(entry("a"))
        try writer.close()
        #expect(try ManifestWriter.detectFormat(path: csv) == .csv)
        #expect(throws: PipelineError.self) { try ManifestWriter(path: csv, format: .jsonl) }
        // Resuming a CSV manifest is refused with a clear error, as migrate refuses it.
        #expect {
            try ManifestWriter.settledSources(path: csv)
        } throws: { error in
            (error as? PipelineError)?.message.contains("--resume and verify read jsonl manifests only") == true
        }
        let jsonl = folder.appendingPathComponent("m.jsonl").path
        try ManifestWriter(path: jsonl).finish(ImportSummary())
        #expect(throws: PipelineError.self) { try ManifestWriter(path: jsonl, format: .csv) }
        // A CSV file appended to as CSV keeps one header.
        let again = try ManifestWriter(path: csv, format: .csv)
        again.write(entry("b"))
        try again.close()
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.filter { $0.hasPrefix("source,") }.count == 1)
    }

    @Test func anEmptyFileTakesEitherFormat() throws {
        let path = Fixtures.temporaryFolder("manifest").appendingPathComponent("m").path
        FileManager.default.createFile(atPath: path, contents: nil)
        #expect(try ManifestWriter.detectFormat(path: path) == nil)
        #expect(try ManifestWriter.settledSources(path: path).isEmpty)
        _ = try ManifestWriter(path: path, format: .csv)
    }

    @Test func anOverlongLineIsRefused() throws {
        let path = Fixtures.temporaryFolder("manifest").appendingPathComponent("m.jsonl").path
        try Data(("{" + String(repeating: "x", count: ManifestWriter.maxLineBytes + 1)).utf8).write(
            to: URL(fileURLWithPath: path))
        #expect(throws: PipelineError.self) { try ManifestWriter.settledSources(path: path) }
    }

    @Test func aReportToAFullDeviceFailsNamingIt() throws {
        let output = try TextOutput.file("/dev/full")
        output.write("row\n")
        #expect(throws: PipelineError.self) { try output.close() }
        #expect(output.failure?.message.contains("/dev/full") == true)
    }
}

@Suite struct ReportFailureTests {
    /// A report that cannot be written stops the reading: far fewer files are read than the drop holds.
    @Test func aFullReportStopsTheValidation() throws {
        let folder = Fixtures.temporaryFolder("many")
        let count = 3000
        for index in 0..<count {
            FileManager.default.createFile(
                atPath: folder.appendingPathComponent(String(format: "file-%05d.txt", index)).path,
                contents: Data("not a certificate".utf8))
        }
        let writer = try ReportWriter(format: .table, output: try TextOutput.file("/dev/full"))
        let validation = DropValidation(
            reader: DropReader(paths: [folder.path], unpacker: nil),
            inspector: Inspector(policy: ValidationPolicy(), passwords: PasswordBook()))
        let failed = Flag()
        var seen = 0
        validation.run(until: { failed.isSet }) { report in
            seen += 1
            writer.write(report)
            if writer.hasFailed { failed.set() }
        }
        #expect(writer.hasFailed)
        // The first flush (64 KiB of rows, each more than 60 bytes) fails; then at most the window in flight.
        #expect(seen <= (64 << 10) / 60 + ProcessInfo.processInfo.activeProcessorCount * 4 + 2)
        #expect(seen < count)
        #expect(throws: PipelineError.self) { try writer.close() }
    }
}

/// `@unchecked Sendable`: guarded by `lock`.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
