import CertDropTestSupport
import CertificateAPI
import Foundation
import Testing

@testable import DropPipeline

@Suite struct HTMLReportTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let day = 86_400.0

    private func render(_ rows: [ReportRow], minDays: Int = 30) throws -> String {
        let path = Fixtures.temporaryFolder("html").appendingPathComponent("r.html").path
        let report = try HTMLReport(
            title: "certdrop test", output: try TextOutput.file(path), minDays: minDays, now: now)
        for row in rows { report.add(row) }
        report.finish(notes: ["into <the service>"])
        try report.close()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test(arguments: [
        ("<img src=x onerror=alert(1)>.pfx", "&lt;img src=x onerror=alert(1)&gt;.pfx"),
        ("a&b", "a&amp;b"),
        ("\"quoted\" 'single'", "&quot;quoted&quot; &apos;single&apos;"),
        ("clear\u{1b}[2J", "clear\\x1b[2J"),
        ("rtl\u{202E}txt", "rtl\\u{202e}txt"),
        ("plain ü", "plain ü"),
    ])
    func everyStringIsEscaped(raw: String, escaped: String) {
        #expect(HTMLText.escape(raw) == escaped)
    }

    @Test func hostileNamesAreTextNotMarkup() throws {
        let hostile = "<img src=x onerror=alert(1)>.pfx"
        let row = ReportRow(
            source: "drop/" + hostile, id: "<b>id</b>", status: "error", tone: .error,
            problems: [Problem(.corrupt, "<script>alert(1)</script>")], subject: "CN=\"><svg onload=alert(1)>",
            expires: now.addingTimeInterval(-day), thumbprint: "AB")
        let html = try render([row])
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>id"))
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<svg onload"))
        #expect(html.contains("drop/&lt;img src=x onerror=alert(1)&gt;.pfx"))
        #expect(html.contains("into &lt;the service&gt;"))
        // Exactly one script, allowed by its hash.
        #expect(html.components(separatedBy: "<script>").count == 2)
        #expect(html.contains("script-src 'sha256-"))
        #expect(html.contains("default-src 'none'"))
    }

    @Test func noNetworkReference() throws {
        let html = try render([ReportRow(source: "a", id: "a", status: "ok", tone: .ok, expires: now)])
        for needle in ["http://", "https://", "src=", "href=", "@import", "url("] {
            // The SVG namespace is a name, not a fetch.
            let stripped = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
            #expect(!stripped.contains(needle), "\(needle)")
        }
    }

    @Test func rowsWithProblemsComeFirstAndCountsAreRight() throws {
        let rows = [
            ReportRow(source: "ok-1", id: "ok-1", status: "ok", tone: .ok, expires: now.addingTimeInterval(400 * day)),
            ReportRow(
                source: "bad", id: "bad", status: "error", tone: .error,
                problems: [Problem(.expired, "expired")], expires: now.addingTimeInterval(-10 * day)),
            ReportRow(source: "readme", id: nil, status: "ignored", tone: .ignored),
            ReportRow(
                source: "soon", id: "soon", status: "warning", tone: .warning,
                problems: [Problem(.expiringSoon, "in 5 days")], expires: now.addingTimeInterval(5 * day)),
        ]
        let html = try render(rows)
        let order = ["bad", "soon", "ok-1", "readme"].map { html.range(of: "<td class=\"source\">\($0)</td>") }
        #expect(order.allSatisfy { $0 != nil })
        let bounds = order.compactMap { $0?.lowerBound }
        #expect(bounds == bounds.sorted())
        #expect(html.components(separatedBy: "<tr class=\"item ").count == 5)
        // Three certificates with an expiry: three marks.
        #expect(html.components(separatedBy: "<circle class=\"mark ").count == 4)
        #expect(html.contains("<code class=\"error\">expired</code></td><td class=\"number\">1</td>"))
        #expect(html.contains(">5 items<") || html.contains(" · 4 items</p>"))
    }

    @Test func theTimelineHasItsBandsAndToday() {
        let timeline = HTMLTimeline(
            now: now, minDays: 30,
            marks: [HTMLTimeline.Mark(expires: now.addingTimeInterval(-100 * day), tone: .error, label: "x")])
        let bands = timeline.bands
        #expect(bands.map(\.name) == ["expired", "soon", "quarter", "later"])
        #expect(bands[1].title == "within 30 days")
        // Band edges: today ends "expired", today + 30 days ends "soon", today + 90 days ends "quarter".
        #expect(bands[0].end == now)
        #expect(bands[1].end == now.addingTimeInterval(30 * day))
        #expect(bands[2].end == now.addingTimeInterval(90 * day))
        let svg = timeline.svg
        #expect(svg.contains("<line class=\"today\""))
        #expect(svg.contains("today 2027-01-15"))
        #expect(svg.components(separatedBy: "<rect class=\"band ").count == 5)
    }

    @Test(arguments: [(89, 4), (90, 3), (91, 3)])
    func aMinDaysOf90OrMoreLeavesNoQuarterBand(minDays: Int, count: Int) {
        let bands = HTMLTimeline(now: now, minDays: minDays, marks: []).bands
        #expect(bands.count == count)
        #expect(abs(bands.map(\.share).reduce(0, +) - 1) < 1e-9)
    }

    @Test func marksFallInTheirBands() {
        let timeline = HTMLTimeline(now: now, minDays: 30, marks: [])
        let bands = timeline.bands
        let x = { (days: Double) in timeline.x(self.now.addingTimeInterval(days * self.day), in: bands) }
        // Just before today, on today, just after; on the 30-day edge and past it.
        #expect(x(-0.01) < x(0))
        #expect(x(0) < x(0.01))
        #expect(abs(x(0) - (20 + 0.2 * 960)) < 0.01)
        #expect(abs(x(30) - (20 + 0.4 * 960)) < 0.01)
        #expect(x(30.01) > x(30))
        #expect(abs(x(90) - (20 + 0.6 * 960)) < 0.01)
        // Far beyond the last band: at the right edge, never outside.
        #expect(x(1_000_000) <= 980)
    }

    @Test func aValidationReportShowsTheFactsOfEachItem() throws {
        let (reports, summary) = try validateFixtures()
        let path = Fixtures.temporaryFolder("html").appendingPathComponent("v.html").path
        let writer = try ReportWriter(format: .html, output: try TextOutput.file(path), minDays: 30)
        for report in reports { writer.write(report) }
        writer.finish(summary)
        try writer.close()
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.components(separatedBy: "<tr class=\"item ").count == reports.count + 1)
        #expect(html.contains("RSA 2048"))
        #expect(html.contains("MAC SHA256 × 2048") || html.contains("MAC sha256 × 2048"))
        #expect(html.contains("<code>wrong-password</code>"))
        let certificates = reports.filter { $0.certificate != nil }.count
        #expect(html.components(separatedBy: "<circle class=\"mark ").count == certificates + 1)
    }
}
