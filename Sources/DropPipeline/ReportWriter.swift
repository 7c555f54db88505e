import Foundation

/// The formats a report can be written in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case table, json, jsonl, csv, junit
}

/// Writes text to standard output or a file, buffered.
///
/// `@unchecked Sendable`: used from one thread at a time (the consumer of the pipeline).
public final class TextOutput: @unchecked Sendable {
    private let handle: FileHandle
    private let closes: Bool
    private var buffer = Data()

    /// Standard output.
    public static func standardOutput() -> TextOutput { TextOutput(handle: .standardOutput, closes: false) }

    /// A new file at `path` (replaced if it exists).
    public static func file(_ path: String) throws(PipelineError) -> TextOutput {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw PipelineError(.output, "cannot write the report to \(path)") }
        return TextOutput(handle: handle, closes: true)
    }

    init(handle: FileHandle, closes: Bool) {
        self.handle = handle
        self.closes = closes
    }

    /// Appends text.
    public func write(_ text: String) {
        buffer.append(contentsOf: Array(text.utf8))
        if buffer.count >= 64 * 1024 { flush() }
    }

    /// Writes what is buffered.
    public func flush() {
        guard !buffer.isEmpty else { return }
        try? handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes a file (standard output stays open).
    public func close() {
        flush()
        if closes { try? handle.close() }
    }
}

/// Writes a validation report item by item, in one of the ``ReportFormat``s.
public final class ReportWriter {
    private let format: ReportFormat
    private let output: TextOutput
    private let failOn: Severity
    private var spool: Spool?

    /// Makes a writer. `failOn` decides which items JUnit counts as failures.
    public init(format: ReportFormat, output: TextOutput, failOn: Severity = .error) throws(PipelineError) {
        self.format = format
        self.output = output
        self.failOn = failOn
        switch format {
        case .json, .junit: spool = try Spool()
        case .table: output.write(TableFormat.header)
        case .csv: output.write(CSVFormat.header)
        case .jsonl: break
        }
    }

    /// Writes one item.
    public func write(_ report: ItemReport) {
        switch format {
        case .table: output.write(TableFormat.row(report))
        case .csv: output.write(CSVFormat.row(report))
        case .jsonl: output.write(JSONText.line(ItemJSON(report: report)) + "\n")
        case .json:
            spool?.append((spool?.isEmpty == false ? ",\n" : "") + "    " + JSONText.line(ItemJSON(report: report)))
        case .junit: spool?.append(JUnitFormat.testCase(report, failOn: failOn))
        }
    }

    /// Writes the summary (or the spooled document) and flushes.
    public func finish(_ summary: ValidationSummary) {
        switch format {
        case .table:
            output.write(TableFormat.summary(summary))
        case .csv:
            break
        case .jsonl:
            output.write(JSONText.line(["summary": SummaryJSON(summary: summary)]) + "\n")
        case .json:
            output.write("{\n  \"summary\": " + JSONText.line(SummaryJSON(summary: summary)) + ",\n  \"items\": [\n")
            spool?.copy(to: output)
            output.write("\n  ]\n}\n")
        case .junit:
            let failures = summary.verdicts.filter {
                failOn == .warning ? $0.key == .warning || $0.key == .error : $0.key == .error
            }
            .map(\.value).reduce(0, +)
            output.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            output.write(
                "<testsuites>\n  <testsuite name=\"certdrop validate\" tests=\"\(summary.total)\" "
                    + "failures=\"\(failures)\" errors=\"0\" skipped=\"\(summary.verdicts[.ignored] ?? 0)\">\n")
            spool?.copy(to: output)
            output.write("  </testsuite>\n</testsuites>\n")
        }
        output.flush()
    }

    /// Flushes and closes the output.
    public func close() {
        output.close()
    }
}

/// An unlinked temporary file that holds a document's items until its header (with the counts) can be written,
/// so that memory does not grow with the number of items.
final class Spool {
    private let handle: FileHandle
    private(set) var isEmpty = true

    init() throws(PipelineError) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("certdrop-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forUpdatingAtPath: path)
        else { throw PipelineError(.output, "cannot create a temporary file for the report") }
        unlink(path)
        self.handle = handle
    }

    deinit { try? handle.close() }

    func append(_ text: String) {
        isEmpty = false
        try? handle.write(contentsOf: Data(text.utf8))
    }

    func copy(to output: TextOutput) {
        try? handle.seek(toOffset: 0)
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            output.write(String(decoding: chunk, as: UTF8.self))
        }
    }
}
