import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The formats a report can be written in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case table, json, jsonl, csv, junit, sarif, html
}

/// Writes text to standard output or a file, buffered.
///
/// The first write that fails (`ENOSPC`, `EIO`, a closed pipe, `/dev/full`) is kept as ``failure``, later
/// writes are dropped, and ``close()`` (or ``check()``) throws it, naming the file: a report never ends short
/// without an error.
///
/// `@unchecked Sendable`: used from one thread at a time (the consumer of the pipeline).
public final class TextOutput: @unchecked Sendable {
    private let handle: FileHandle
    private let closes: Bool
    private let name: String
    private var buffer: [UInt8] = []
    /// The first write that failed.
    public private(set) var failure: PipelineError?

    /// Standard output.
    public static func standardOutput() -> TextOutput {
        TextOutput(handle: .standardOutput, closes: false, name: "standard output")
    }

    /// A new file at `path` (emptied if it exists). Opened in place, never replaced by a rename, so that a
    /// device (`/dev/stdout`, `/dev/full`) stays what it is.
    public static func file(_ path: String) throws(PipelineError) -> TextOutput {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw PipelineError(.output, "cannot write the report to \(path): \(String(cString: strerror(errno)))")
        }
        return TextOutput(
            handle: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true), closes: true, name: path)
    }

    init(handle: FileHandle, closes: Bool, name: String) {
        self.handle = handle
        self.closes = closes
        self.name = name
    }

    /// Appends text.
    public func write(_ text: String) {
        guard failure == nil else { return }
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 64 * 1024 { flush() }
    }

    /// Writes what is buffered.
    public func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == nil else { return }
        if let error = writeAll(buffer[...], to: handle.fileDescriptor) {
            failure = PipelineError(.output, "cannot write to \(name): \(String(cString: strerror(error)))")
        }
    }

    /// Records a failure of a part of the output written elsewhere first (a spool), unless one is recorded.
    func fail(_ error: PipelineError) {
        if failure == nil { failure = error }
    }

    /// Flushes and throws the first failure, if any.
    public func check() throws(PipelineError) {
        flush()
        if let failure { throw failure }
    }

    /// Flushes, syncs and closes a file (standard output stays open); throws the first failure, if any.
    public func close() throws(PipelineError) {
        flush()
        if closes {
            if failure == nil, fsync(handle.fileDescriptor) != 0, errno != EINVAL, errno != EROFS {
                failure = PipelineError(.output, "cannot write to \(name): \(String(cString: strerror(errno)))")
            }
            try? handle.close()
        }
        if let failure { throw failure }
    }
}

/// Writes a validation report item by item, in one of the ``ReportFormat``s.
public final class ReportWriter {
    private let format: ReportFormat
    private let output: TextOutput
    private let failOn: Severity
    private var spool: Spool?
    private var html: HTMLReport?
    private var results = 0

    /// Makes a writer. `failOn` decides which items JUnit counts as failures; `minDays` and `title` are the HTML
    /// report's "within N days" band and heading.
    public init(
        format: ReportFormat, output: TextOutput, failOn: Severity = .error, minDays: Int = 30,
        title: String = "certdrop validate"
    ) throws(PipelineError) {
        self.format = format
        self.output = output
        self.failOn = failOn
        switch format {
        case .json, .junit: spool = try Spool()
        case .table: output.write(TableFormat.header)
        case .csv: output.write(CSVFormat.header)
        case .sarif: output.write(SARIFFormat.header)
        case .html: html = try HTMLReport(title: title, output: output, minDays: minDays)
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
        case .sarif:
            for result in SARIFFormat.results(report) {
                output.write((results == 0 ? "        " : ",\n        ") + result)
                results += 1
            }
        case .html: html?.add(ReportRow(report))
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
        case .sarif:
            output.write(SARIFFormat.footer)
        case .html:
            html?.finish()
        }
        output.flush()
    }

    /// Whether the output could not be written: the reader can stop at once.
    public var hasFailed: Bool { output.failure != nil }

    /// Flushes and closes the output; throws when a write failed (the report is incomplete).
    public func close() throws(PipelineError) {
        try output.close()
    }
}

/// An unlinked temporary file that holds a document's items until its header (with the counts) can be written,
/// so that memory does not grow with the number of items.
package final class Spool {
    private let handle: FileHandle
    private(set) var isEmpty = true

    package init() throws(PipelineError) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("certdrop-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forUpdatingAtPath: path)
        else { throw PipelineError(.output, "cannot create a temporary file for the report") }
        unlink(path)
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Set when a write to the spool failed: the document would miss items.
    private(set) var failed = false

    package func append(_ text: String) {
        isEmpty = false
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            failed = true
        }
    }

    package func copy(to output: TextOutput) {
        if failed {
            output.fail(PipelineError(.output, "cannot write the report's temporary file (the disk is full?)"))
        }
        try? handle.seek(toOffset: 0)
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            output.write(String(decoding: chunk, as: UTF8.self))
        }
    }
}
