import CertificateAPI
import Foundation
import Prometheus

/// The formats of `certdrop expiring`.
public enum ExpiryFormat: String, Sendable, CaseIterable {
    case table, json, csv, html, openmetrics
}

/// A certificate of a service that expires within the days asked for, or has expired.
public struct ExpiringCertificate: Sendable, Hashable {
    /// What the service holds.
    public var record: CertificateRecord
    /// Whole days until it expires, rounded down: 0 on its last day, negative once expired.
    public var daysLeft: Int
    /// Whether notAfter has passed.
    public var expired: Bool
}

/// `certdrop expiring`: the certificates of a live instance that expire within N days (or have expired), for
/// cron and CI, and the OpenMetrics gauges of `certdrop list --format openmetrics`.
public enum ExpiryReport {
    private static let day = 86_400.0

    /// The records that expire within `days` days of `now` — on the last second still counts — or have expired,
    /// soonest first (then by id).
    public static func select(_ records: [CertificateRecord], days: Int, now: Date) -> [ExpiringCertificate] {
        let limit = now.addingTimeInterval(Double(days) * day)
        return records.filter { $0.expirationDate <= limit }
            .sorted { ($0.expirationDate, $0.certificateId) < ($1.expirationDate, $1.certificateId) }
            .map {
                ExpiringCertificate(
                    record: $0, daysLeft: Int(($0.expirationDate.timeIntervalSince(now) / day).rounded(.down)),
                    expired: $0.expirationDate <= now)
            }
    }

    /// Writes the report in `format` to `output`; `instance` names the service in the metrics and the HTML page.
    public static func write(
        _ certificates: [ExpiringCertificate], format: ExpiryFormat, days: Int, now: Date, instance: String,
        to output: TextOutput
    ) throws(PipelineError) {
        if format == .html {
            let report = try HTMLReport(title: "certdrop expiring", output: output, minDays: days, now: now)
            for item in certificates {
                let record = item.record
                report.add(
                    ReportRow(
                        source: record.certificateId, id: record.certificateId,
                        status: item.expired ? "expired" : "expiring", tone: item.expired ? .error : .warning,
                        subject: record.subject, expires: record.expirationDate, thumbprint: record.thumbprint))
            }
            report.finish(notes: ["\(instance): certificates that expire within \(days) days, or have expired"])
        } else {
            output.write(render(certificates, format: format, days: days, now: now, instance: instance))
        }
    }

    /// The report in a text format (`html` is ``write(_:format:days:now:instance:to:)``'s).
    static func render(
        _ certificates: [ExpiringCertificate], format: ExpiryFormat, days: Int, now: Date, instance: String
    ) -> String {
        switch format {
        case .table:
            let table = TextTable(
                .init(width: 28, .cut, gap: "  "), .init(width: 10, gap: "  "),
                .init(width: 4, alignment: .right, gap: "  "), .init(width: 40, gap: "  "), .rest)
            var text = table.line("ID", "EXPIRES", "DAYS", "THUMBPRINT", "SUBJECT")
            for item in certificates {
                let record = item.record
                text += table.line(
                    DisplayText.escaped(record.certificateId), String(ISO8601.string(record.expirationDate).prefix(10)),
                    String(item.daysLeft), DisplayText.escaped(record.thumbprint), DisplayText.escaped(record.subject))
            }
            let expired = certificates.filter(\.expired).count
            return text
                + "\n\(certificates.count) certificates expire within \(days) days (\(expired) already expired)\n"
        case .json:
            let rows = certificates.map { ExpiryJSON(item: $0) }
            let document = ExpiryDocument(days: days, now: ISO8601.string(now), certificates: rows)
            // One line, with C1 controls and bidirectional overrides escaped as in every JSON report.
            return JSONText.line(document) + "\n"
        case .csv:
            var text = "id,subject,thumbprint,expirationDate,daysLeft,expired\n"
            for item in certificates {
                let record = item.record
                text +=
                    [
                        record.certificateId, record.subject, record.thumbprint, ISO8601.string(record.expirationDate),
                        String(item.daysLeft), String(item.expired),
                    ].map(CSVFormat.quote).joined(separator: ",") + "\n"
            }
            return text
        case .html:
            return ""
        case .openmetrics:
            return openMetrics(certificates.map(\.record), now: now, instance: instance)
        }
    }

    /// Every record as two gauges, in the conventions of x509-certificate-exporter, for Prometheus' textfile
    /// collector: `certdrop_certificate_expiration_timestamp_seconds` (notAfter, Unix seconds) and
    /// `certdrop_certificate_expires_in_seconds` (from `now`; negative once expired), each labelled with `id`,
    /// `thumbprint`, `subject` and `instance`. Rendered by swift-prometheus (which escapes the label values), with
    /// the `# EOF` OpenMetrics ends with.
    public static func openMetrics(_ records: [CertificateRecord], now: Date, instance: String) -> String {
        let registry = PrometheusCollectorRegistry()
        for record in records {
            let labels = [
                ("id", record.certificateId), ("thumbprint", record.thumbprint), ("subject", record.subject),
                ("instance", instance),
            ]
            registry.makeGauge(
                name: "certdrop_certificate_expiration_timestamp_seconds", labels: labels,
                help: "The certificate's notAfter, in seconds since the Unix epoch."
            ).set(record.expirationDate.timeIntervalSince1970.rounded())
            registry.makeGauge(
                name: "certdrop_certificate_expires_in_seconds", labels: labels,
                help: "Seconds until the certificate expires (negative once it has)."
            ).set(record.expirationDate.timeIntervalSince(now).rounded())
        }
        return sortedFamilies(registry.emitToString()) + "# EOF\n"
    }

    /// The registry keeps its families and samples in hash order; sorted (families by name, then samples by id),
    /// the same store gives the same file, which a textfile collector and a diff both like. Each sample is one line
    /// (label values have their line feeds escaped), each family starts with its `# HELP` line.
    static func sortedFamilies(_ text: String) -> String {
        var families: [(head: [Substring], samples: [Substring])] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") || families.isEmpty {
                families.append(([line], []))
            } else if line.hasPrefix("#") {
                families[families.count - 1].head.append(line)
            } else {
                families[families.count - 1].samples.append(line)
            }
        }
        return families.sorted { $0.head[0] < $1.head[0] }
            .map { family in (family.head + family.samples.sorted()).map { $0 + "\n" }.joined() }.joined()
    }

    private struct ExpiryDocument: Encodable {
        let days: Int
        let now: String
        let certificates: [ExpiryJSON]
    }

    private struct ExpiryJSON: Encodable {
        let id: String
        let subject: String
        let thumbprint: String
        let expirationDate: String
        let daysLeft: Int
        let expired: Bool

        init(item: ExpiringCertificate) {
            id = item.record.certificateId
            subject = item.record.subject
            thumbprint = item.record.thumbprint
            expirationDate = ISO8601.string(item.record.expirationDate)
            daysLeft = item.daysLeft
            expired = item.expired
        }
    }
}
