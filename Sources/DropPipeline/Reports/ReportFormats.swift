import Foundation

enum TableFormat {
    private static let table = TextTable(
        .init(width: 8, .ellipsis, gap: "  "), .init(width: 28, .ellipsis, gap: "  "),
        .init(width: 10, .ellipsis, gap: "  "),
        .rest)

    static let header = table.line("VERDICT", "ID", "EXPIRES", "SOURCE / PROBLEMS")

    static func row(_ report: ItemReport) -> String {
        let expires = report.certificate.map { String(ISO8601.string($0.expirationDate).prefix(10)) } ?? "-"
        var text = table.line(
            report.verdict.rawValue, DisplayText.escaped(report.id ?? "-"), expires, DisplayText.escaped(report.source))
        for problem in report.problems {
            text +=
                table.indent(before: 3) + "  "
                + "\(problem.severity.rawValue) \(problem.code.rawValue): \(DisplayText.escaped(problem.message))\n"
        }
        return text
    }

    static func summary(_ summary: ValidationSummary) -> String {
        let verdicts = Verdict.allCases.map { "\(summary.verdicts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        var text = "\n\(summary.total) items: \(verdicts)\n"
        if !summary.problems.isEmpty {
            let codes = summary.problems.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
            text += "problems: \(codes)\n"
        }
        return text
    }
}

enum CSVFormat {
    static let header = "source,verdict,id,thumbprint,subject,expirationDate,problems,messages\n"

    static func row(_ report: ItemReport) -> String {
        let fields = [
            report.source, report.verdict.rawValue, report.id ?? "", report.certificate?.thumbprint ?? "",
            report.certificate?.subject ?? "", report.certificate.map { ISO8601.string($0.expirationDate) } ?? "",
            report.problems.map(\.code.rawValue).joined(separator: ";"),
            report.problems.map(\.message).joined(separator: "; "),
        ]
        return fields.map(quote).joined(separator: ",") + "\n"
    }

    /// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so spreadsheets do not run it.
    static func quote(_ field: String) -> String {
        var field = field
        if let first = field.first, "=+-@".contains(first) { field = "'" + field }
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || field.hasPrefix("'")
        else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

enum JUnitFormat {
    static func testCase(_ report: ItemReport, failOn: Severity) -> String {
        var text = "    <testcase classname=\"certdrop.validate\" name=\"\(escape(report.source))\">\n"
        let failing = report.problems.filter { $0.severity >= failOn }
        if report.verdict == .ignored {
            text += "      <skipped message=\"not a certificate\"/>\n"
        } else if !failing.isEmpty {
            let codes = failing.map(\.code.rawValue).joined(separator: ",")
            let body = failing.map { "\($0.code.rawValue): \($0.message)" }.joined(separator: "\n")
            text +=
                "      <failure type=\"\(escape(codes))\" message=\"\(escape(failing[0].message))\">"
                + escape(body) + "</failure>\n"
        }
        let others = report.problems.filter { $0.severity < failOn }
        if !others.isEmpty {
            let body = others.map { "\($0.severity.rawValue) \($0.code.rawValue): \($0.message)" }.joined(
                separator: "\n")
            text += "      <system-out>" + escape(body) + "</system-out>\n"
        }
        return text + "    </testcase>\n"
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t": result += "?"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
