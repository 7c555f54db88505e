import DropPipeline
import Foundation

/// The formats of `migrate`'s report.
public enum MigrationReportFormat: String, Sendable, CaseIterable {
    case table, json
}

/// Prints `migrate`'s report: for a dry run every line as it comes (what `migrate` would write), then the summary
/// and the certificates of the source that would not (or did not) move, each with its reason.
///
/// `@unchecked Sendable`: lines arrive from several threads; everything is done under `lock`.
public final class MigrationPrinter: @unchecked Sendable {
    private let format: MigrationReportFormat
    private let output: TextOutput
    private let everyLine: Bool
    private let lock = NSLock()
    private let spool: Spool?
    private var started = false

    /// Makes a printer; `everyLine` prints each line as it comes (a dry run), else only the end.
    public init(format: MigrationReportFormat, output: TextOutput, everyLine: Bool) {
        self.format = format
        self.output = output
        self.everyLine = everyLine
        spool = everyLine && format == .json ? try? Spool() : nil
    }

    /// Takes one line.
    public func write(_ entry: ManifestEntry) {
        guard everyLine else { return }
        lock.withLock {
            switch format {
            case .table:
                if !started { output.write(Self.header) }
                output.write(Self.row(entry))
            case .json:
                spool?.append((started ? ",\n" : "") + "    " + JSONText.line(entry))
            }
            started = true
        }
    }

    /// Prints the summary, the certificates not moved and the drop items not uploaded (those not already listed as
    /// not moved), and flushes.
    public func finish(_ summary: MigrationSummary, manifest: String?, notUploaded: NotUploadedList? = nil) {
        let notMoved = Set(summary.notMoved)
        lock.withLock {
            switch format {
            case .table:
                if started { output.write("\n") }
                if summary.dryRun { output.write("dry run: nothing was written to the target\n") }
                output.write(summary.text + "\n")
                if !summary.notMoved.isEmpty {
                    output.write("\n" + (summary.dryRun ? "would not move:\n" : "not moved:\n") + Self.header)
                    for entry in summary.notMoved { output.write(Self.row(entry)) }
                }
                if let notUploaded {
                    output.write(notUploaded.text(except: notMoved, manifest: manifest, dryRun: summary.dryRun))
                }
                if let manifest { output.write("\nmanifest: \(manifest)\n") }
            case .json:
                var text = "{\n  \"dryRun\": \(summary.dryRun),\n  \"sourceCertificates\": \(summary.sourceCount),\n"
                text += "  \"summary\": " + JSONText.line(summary.lines) + ",\n"
                text += "  \"manifest\": " + String(JSONText.line([manifest]).dropFirst().dropLast()) + ",\n"
                text += "  \"notMoved\": [\n"
                text += summary.notMoved.map { "    " + JSONText.line($0) }.joined(separator: ",\n")
                text += (summary.notMoved.isEmpty ? "" : "\n") + "  ]"
                if let notUploaded {
                    let lines = notUploaded.entries.filter { !notMoved.contains($0) }
                    text +=
                        ",\n  \"notUploaded\": [\n" + lines.map { "    " + JSONText.line($0) }.joined(separator: ",\n")
                    text += (lines.isEmpty ? "" : "\n") + "  ]"
                }
                output.write(text)
                if let spool {
                    output.write(",\n  \"items\": [\n")
                    spool.copy(to: output)
                    output.write((started ? "\n" : "") + "  ]")
                }
                output.write("\n}\n")
            }
            output.flush()
        }
    }

    private static let table = TextTable.manifestEntries

    static let header = table.line("ACTION", "ID", "SOURCE")

    static func row(_ entry: ManifestEntry) -> String {
        var text = table.line(
            entry.action.rawValue, DisplayText.escaped(entry.id ?? "-"), DisplayText.escaped(entry.source))
        if let error = entry.error {
            text += table.indent(before: 2) + "\(error.code): \(DisplayText.escaped(error.message))\n"
        }
        return text
    }
}
