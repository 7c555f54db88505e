import CertificateAPI
import Foundation

/// The formats of `plan`'s output.
public enum PlanFormat: String, Sendable, CaseIterable {
    case table, json, jsonl, csv, html
}

/// Writes plan entries as they come (JSON is collected in a spool file, as `validate`'s is).
public final class PlanPrinter {
    private let format: PlanFormat
    private let output: TextOutput
    private let spool: Spool?
    private let html: HTMLReport?

    /// Makes a printer; `minDays` draws the HTML report's "within N days" band.
    public init(format: PlanFormat, output: TextOutput, minDays: Int = 30) {
        self.format = format
        self.output = output
        spool = format == .json ? try? Spool() : nil
        html = format == .html ? try? HTMLReport(title: "certdrop plan", output: output, minDays: minDays) : nil
        switch format {
        case .table: output.write(Self.table.line("ACTION", "ID", "SOURCE"))
        case .csv: output.write("source,id,action,thumbprint,currentThumbprint,problems\n")
        default: break
        }
    }

    /// Writes one entry; the HTML report also shows the facts of its item's `report`.
    /// The table's columns: action, id, source (made once, not per row).
    private static let table = TextTable(
        .init(width: 10, .cut, gap: " "), .init(width: 28, .cut, gap: "  "), .rest)

    public func write(_ entry: PlanEntry, report: ItemReport? = nil) {
        switch format {
        case .html:
            html?.add(
                report.map { ReportRow(plan: entry, report: $0) }
                    ?? ReportRow(
                        source: entry.source, id: entry.id, status: entry.action.rawValue,
                        tone: entry.action == .invalid || entry.action == .conflict ? .error : .ok,
                        problems: entry.problems, thumbprint: entry.thumbprint))
        case .table:
            let table = Self.table
            var line = table.line(
                entry.action.rawValue, DisplayText.escaped(entry.id ?? "-"), DisplayText.escaped(entry.source))
            for problem in entry.problems where problem.severity == .error {
                line +=
                    table.indent(before: 2)
                    + "\(problem.code.rawValue): \(DisplayText.escaped(problem.message))\n"
            }
            output.write(line)
        case .jsonl:
            output.write(JSONText.line(entry) + "\n")
        case .json:
            spool?.append((spool?.isEmpty == false ? ",\n" : "") + "    " + JSONText.line(entry))
        case .csv:
            let fields = [
                entry.source, entry.id ?? "", entry.action.rawValue, entry.thumbprint ?? "",
                entry.currentThumbprint ?? "",
                entry.problems.map(\.code.rawValue).joined(separator: ";"),
            ]
            output.write(fields.map(CSVFormat.quote).joined(separator: ",") + "\n")
        }
    }

    /// Writes the counts and flushes.
    public func finish(_ counts: [PlanAction: Int]) {
        let summary = Dictionary(uniqueKeysWithValues: PlanAction.allCases.map { ($0.rawValue, counts[$0] ?? 0) })
        switch format {
        case .table:
            let parts = PlanAction.allCases.compactMap { action in counts[action].map { "\($0) \(action.rawValue)" } }
            output.write("\n" + (parts.isEmpty ? "nothing to do" : parts.joined(separator: ", ")) + "\n")
        case .jsonl:
            output.write(JSONText.line(["summary": summary]) + "\n")
        case .json:
            output.write("{\n  \"summary\": " + JSONText.line(summary) + ",\n  \"items\": [\n")
            if let spool { spool.copy(to: output) }
            output.write("\n  ]\n}\n")
        case .csv:
            break
        case .html:
            if let html { html.finish() } else { output.fail(PipelineError(.output, "cannot spool the HTML report")) }
        }
        output.flush()
    }
}

/// Renders service records for `certdrop list`.
public enum RecordFormat {
    /// A table, or a JSON array of `{id, subject, thumbprint, expirationDate}`.
    public static func render(_ records: [CertificateRecord], json: Bool) -> String {
        if json {
            let rows = records.map {
                [
                    "id": $0.certificateId, "subject": $0.subject, "thumbprint": $0.thumbprint,
                    "expirationDate": ISO8601.string($0.expirationDate),
                ]
            }
            guard let data = try? JSONText.encoder(pretty: true).encode(rows) else { return "[]\n" }
            return String(decoding: data, as: UTF8.self) + "\n"
        }
        let table = TextTable(
            .init(width: 28, .cut, gap: "  "), .init(width: 10, gap: "  "), .init(width: 40, gap: "  "), .rest)
        var text = table.line("ID", "EXPIRES", "THUMBPRINT", "SUBJECT")
        for record in records {
            text += table.line(
                DisplayText.escaped(record.certificateId), String(ISO8601.string(record.expirationDate).prefix(10)),
                DisplayText.escaped(record.thumbprint), DisplayText.escaped(record.subject))
        }
        return text + "\n\(records.count) certificates\n"
    }
}
