import Crypto
import Foundation

/// Text from a drop or a service made safe inside HTML, in element content and in quoted attributes alike.
public enum HTMLText {
    /// Control characters and bidirectional overrides become visible escapes first (as on a terminal), then
    /// `& < > " '` become character references: no name can open an element or leave an attribute.
    public static func escape(_ text: String) -> String {
        // After DisplayText no control character is left for the XML escaping to replace.
        JUnitFormat.escape(DisplayText.escaped(text))
    }
}

/// Writes a self-contained HTML report: summary counts by status and by problem code, an expiry timeline as
/// inline SVG, and a sortable table of every row, rows that need attention first.
///
/// One file, no network: styles and the one script are inline, and the page's Content-Security-Policy allows that
/// script only (by its hash) and nothing from anywhere else, so even a name that slipped through escaping could
/// not run. With JavaScript off the table reads as written, in its order; the script only sorts.
///
/// Rows are spooled to unlinked temporary files (attention first, then the rest) and the document is written at
/// ``finish(notes:)``, once the counts are known; only the timeline's marks stay in memory.
///
/// `@unchecked Sendable`: every method takes `lock`, so `import`'s uploads may add rows from several threads.
public final class HTMLReport: @unchecked Sendable {
    private let title: String
    private let output: TextOutput
    private let minDays: Int
    private let now: Date
    private let lock = NSLock()
    private let attention: Spool
    private let rest: Spool
    private var statuses: [String: (tone: ReportRow.Tone, count: Int)] = [:]
    private var codes: [ProblemCode: (severity: Severity, count: Int)] = [:]
    private var marks: [HTMLTimeline.Mark] = []
    private var total = 0

    /// Makes a report titled `title` (`certdrop validate`); `minDays` draws the "within N days" band.
    public init(title: String, output: TextOutput, minDays: Int, now: Date = Date()) throws(PipelineError) {
        self.title = title
        self.output = output
        self.minDays = minDays
        self.now = now
        attention = try Spool()
        rest = try Spool()
    }

    /// Adds one row.
    public func add(_ row: ReportRow) {
        let html = Self.row(row, now: now)
        lock.withLock {
            total += 1
            statuses[row.status, default: (row.tone, 0)].count += 1
            for code in Set(row.problems.map(\.code)) {
                let severity = row.problems.filter { $0.code == code }.map(\.severity).max() ?? .info
                codes[code, default: (severity, 0)].count += 1
            }
            if let expires = row.expires {
                marks.append(HTMLTimeline.Mark(expires: expires, tone: row.tone, label: row.id ?? row.source))
            }
            (row.needsAttention ? attention : rest).append(html)
        }
    }

    /// Writes the document, with `notes` (a run's target and manifest) under the title, and flushes.
    public func finish(notes: [String] = []) {
        lock.withLock {
            output.write(Self.head(title: title))
            output.write("<header><h1>\(HTMLText.escape(title))</h1><p class=\"meta\">generated ")
            output.write(ISO8601.string(now) + " · \(total) items</p>")
            for note in notes { output.write("<p class=\"meta\">\(HTMLText.escape(note))</p>") }
            output.write("</header>\n")
            output.write(summary())
            output.write(
                "<section id=\"timeline\"><h2>Expiry timeline</h2>"
                    + HTMLTimeline(now: now, minDays: minDays, marks: marks).svg
                    + "<p class=\"legend\"><span class=\"dot error\"></span>error <span class=\"dot warning\"></span>"
                    + "warning <span class=\"dot ok\"></span>ok <span class=\"dot ignored\"></span>other · each band "
                    + "has its own scale; hover a mark for its certificate</p></section>\n")
            output.write(
                "<section><h2>Items</h2><div class=\"scroll\"><table id=\"items\"><thead><tr>"
                    + Self.columns.map { "<th scope=\"col\">\($0)</th>" }.joined() + "</tr></thead><tbody>\n")
            attention.copy(to: output)
            rest.copy(to: output)
            output.write("</tbody></table></div></section>\n<script>\(Self.script)</script>\n</body>\n</html>\n")
            output.flush()
        }
    }

    /// Flushes and closes the output; throws when a write failed.
    public func close() throws(PipelineError) {
        try output.close()
    }

    static let columns = [
        "Source", "Id", "Status", "Problems", "Subject", "Issuer", "Expires", "Days left", "Thumbprint", "Key",
        "Protection",
    ]

    private func summary() -> String {
        var text = "<section id=\"summary\"><h2>Summary</h2><div class=\"counts\">"
        text += "<table id=\"status-counts\"><caption>By status</caption><tbody>"
        for (status, value) in statuses.sorted(by: { ($0.value.tone.order, $0.key) < ($1.value.tone.order, $1.key) }) {
            text +=
                "<tr><td><span class=\"status \(value.tone.rawValue)\">\(HTMLText.escape(status))</span></td>"
                + "<td class=\"number\">\(value.count)</td></tr>"
        }
        text += "</tbody></table><table id=\"problem-counts\"><caption>Items by problem code</caption><tbody>"
        if codes.isEmpty { text += "<tr><td>no problems</td></tr>" }
        for (code, value) in codes.sorted(by: {
            ($1.value.severity, $0.key.rawValue) < ($0.value.severity, $1.key.rawValue)
        }) {
            text +=
                "<tr><td><code class=\"\(value.severity.rawValue)\">\(code.rawValue)</code></td>"
                + "<td class=\"number\">\(value.count)</td><td class=\"help\">\(HTMLText.escape(code.plainHelp))</td></tr>"
        }
        return text + "</tbody></table></div></section>\n"
    }

    static func row(_ row: ReportRow, now: Date) -> String {
        var problems = row.problems.map {
            "<li class=\"\($0.severity.rawValue)\"><code>\($0.code.rawValue)</code> \(HTMLText.escape($0.message))</li>"
        }
        if let reason = row.reason, !row.problems.contains(where: { $0.code.rawValue == reason.code }) {
            problems.append(
                "<li class=\"\(row.tone.rawValue)\"><code>\(HTMLText.escape(reason.code))</code> "
                    + "\(HTMLText.escape(reason.message))</li>")
        }
        let days = row.expires.map { Int(($0.timeIntervalSince(now) / 86_400).rounded(.down)) }
        let cells = [
            "<td class=\"source\">\(HTMLText.escape(row.source))</td>",
            "<td>\(HTMLText.escape(row.id ?? ""))</td>",
            "<td data-sort=\"\(row.tone.order)\"><span class=\"status \(row.tone.rawValue)\">"
                + "\(HTMLText.escape(row.status))</span></td>",
            "<td class=\"problems\">" + (problems.isEmpty ? "" : "<ul>" + problems.joined() + "</ul>") + "</td>",
            "<td>\(HTMLText.escape(row.subject ?? ""))</td>",
            "<td>\(HTMLText.escape(row.issuer ?? ""))</td>",
            "<td data-sort=\"\(row.expires.map(ISO8601.string) ?? "")\">"
                + "\(row.expires.map(HTMLTimeline.dayString) ?? "")</td>",
            "<td class=\"number\" data-sort=\"\(days.map(String.init) ?? "")\">\(days.map(String.init) ?? "")</td>",
            "<td class=\"thumbprint\">\(HTMLText.escape(row.thumbprint ?? ""))</td>",
            "<td>\(HTMLText.escape(row.key ?? ""))</td>",
            "<td class=\"protection\">\(HTMLText.escape(row.protection ?? ""))</td>",
        ]
        return "<tr class=\"item \(row.tone.rawValue)\">" + cells.joined() + "</tr>\n"
    }

    /// Sorts the table by a column when its header is clicked (again: the other way); numbers and dates by their
    /// `data-sort` value. Nothing else.
    static let script = """
        (function () {
          var table = document.getElementById("items");
          var heads = table.tHead.rows[0].cells;
          function key(row, i) {
            var cell = row.cells[i];
            var v = cell.getAttribute("data-sort");
            return v === null ? cell.textContent.toLowerCase() : v;
          }
          for (var i = 0; i < heads.length; i++) {
            (function (i) {
              var th = heads[i];
              th.tabIndex = 0;
              th.className = "sortable";
              function sort() {
                var up = th.getAttribute("aria-sort") !== "ascending";
                for (var j = 0; j < heads.length; j++) heads[j].removeAttribute("aria-sort");
                th.setAttribute("aria-sort", up ? "ascending" : "descending");
                var body = table.tBodies[0];
                var rows = Array.prototype.slice.call(body.rows);
                rows.sort(function (a, b) {
                  var x = key(a, i), y = key(b, i), nx = parseFloat(x), ny = parseFloat(y);
                  var c = (!isNaN(nx) && !isNaN(ny) && String(nx) === x && String(ny) === y)
                    ? nx - ny : (x < y ? -1 : x > y ? 1 : 0);
                  return up ? c : -c;
                });
                rows.forEach(function (r) { body.appendChild(r); });
              }
              th.addEventListener("click", sort);
              th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
            })(i);
          }
        })();
        """

    static let style = """
        body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1b1f24; }
        h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; }
        .meta { color: #57606a; margin: 2px 0; }
        .counts { display: flex; gap: 32px; flex-wrap: wrap; align-items: flex-start; }
        caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
        table { border-collapse: collapse; }
        td, th { padding: 4px 8px; border-bottom: 1px solid #d0d7de; text-align: left; vertical-align: top; }
        #items { width: 100%; font-size: 13px; }
        #items th { background: #f6f8fa; position: sticky; top: 0; white-space: nowrap; }
        th.sortable { cursor: pointer; } th[aria-sort="ascending"]::after { content: " ▲"; }
        th[aria-sort="descending"]::after { content: " ▼"; }
        td.number { text-align: right; } td.help { color: #57606a; }
        td.source, td.thumbprint { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
        td.source { min-width: 12em; } td.thumbprint { font-size: 11px; min-width: 9em; }
        td.problems { min-width: 14em; } div.scroll { overflow-x: auto; } td.protection { min-width: 10em; color: #57606a; font-size: 12px; }
        td.problems ul { margin: 0; padding-left: 16px; }
        .status { display: inline-block; padding: 0 6px; border-radius: 8px; font-weight: 600; }
        .status.error, li.error code, code.error { background: #ffebe9; color: #a40e26; }
        .status.warning, li.warning code, code.warning { background: #fff8c5; color: #7d4e00; }
        .status.ok { background: #dafbe1; color: #116329; }
        .status.ignored, li.info code, code.info { background: #eaeef2; color: #57606a; }
        tr.item.error td:first-child { box-shadow: inset 3px 0 #cf222e; }
        tr.item.warning td:first-child { box-shadow: inset 3px 0 #d4a72c; }
        #timeline-svg { width: 100%; max-width: 1000px; height: auto; display: block; }
        .band-expired { fill: #ffebe9; } .band-soon { fill: #fff1d6; } .band-quarter { fill: #fff8c5; }
        .band-later { fill: #e6f4ea; }
        .band-label { font-size: 12px; fill: #1b1f24; font-weight: 600; }
        .axis { stroke: #57606a; } .axis-label { font-size: 11px; fill: #57606a; }
        .axis-label.end { text-anchor: end; }
        .today { stroke: #0969da; stroke-width: 2; stroke-dasharray: 4 3; }
        .today-label { font-size: 12px; fill: #0969da; text-anchor: middle; font-weight: 600; }
        .mark { stroke: #fff; stroke-width: 1.5; } .mark.error { fill: #cf222e; } .mark.warning { fill: #bf8700; }
        .mark.ok { fill: #1a7f37; } .mark.ignored { fill: #6e7781; }
        .legend { color: #57606a; font-size: 12px; }
        .dot { display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-left: 8px; }
        .dot.error { background: #cf222e; } .dot.warning { background: #bf8700; } .dot.ok { background: #1a7f37; }
        .dot.ignored { background: #6e7781; }
        """

    static func head(title: String) -> String {
        let hash = Data(SHA256.hash(data: Data(script.utf8))).base64EncodedString()
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
            script-src 'sha256-\(hash)'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title))</title>
            <style>\(style)</style>
            </head>
            <body>

            """
    }
}

extension ReportRow.Tone {
    /// Errors first, then warnings, fine, other.
    var order: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .ok: 2
        case .ignored: 3
        }
    }
}
