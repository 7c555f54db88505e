import CertDropTestSupport
import Foundation
import Testing

/// The HTML reports in a real browser: headless Chromium loads each report, and the DOM it built (after any script
/// ran) is read back with `--dump-dom`.
@Suite(.serialized) struct BrowserReportTests {
    /// Where the screenshots go for people to look at (under `.build`, not committed).
    static let screenshots = Fixtures.repositoryRoot.appendingPathComponent(".build/report-screenshots")

    private static func chromium(_ browser: String, _ arguments: [String], file: String) -> (Int32, String, String) {
        // Root cannot use Chromium's sandbox; the page is our own file and --no-sandbox is for this test only.
        let profile = Fixtures.temporaryFolder("chromium-profile").path
        let result = Fixtures.output(
            [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + profile, "--hide-scrollbars",
            ] + arguments + ["file://" + file])
        return (
            result.status, String(decoding: result.stdout, as: UTF8.self),
            String(decoding: result.stderr, as: UTF8.self)
        )
    }

    private static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    private func report(_ drop: String, passwords: String, name: String) throws -> String {
        let path = Fixtures.temporaryFolder("html").appendingPathComponent(name + ".html").path
        let result = certdrop(["validate", drop, "--passwords", passwords, "--format", "html", "-o", path])
        #expect(result.status <= 1, "\(result.stderr)")
        return path
    }

    @Test func theSamplesReportInABrowser() throws {
        let browser = try ReportTools.chromium()
        let samples = Fixtures.samples.path
        let path = try report(samples + "/drop", passwords: samples + "/passwords.json", name: "samples")
        let (status, dom, stderr) = Self.chromium(browser, ["--dump-dom"], file: path)
        #expect(status == 0, "\(stderr)")
        // Nine items: eight PFX files and the README; seven certificates could be read (not the wrong password's).
        #expect(Self.count("<tr class=\"item ", in: dom) == 9)
        #expect(Self.count("<circle class=\"mark ", in: dom) == 7)
        #expect(Self.count("<rect class=\"band ", in: dom) == 4)
        #expect(dom.contains("<line class=\"today\""))
        // Problems first: the two errors, then the warnings, before the fine ones.
        let error = try #require(dom.range(of: "<tr class=\"item error\">"))
        let ok = try #require(dom.range(of: "<tr class=\"item ok\">"))
        #expect(error.lowerBound < ok.lowerBound)
        // The sorting script ran (the page's policy allows it by hash): headers became sortable.
        #expect(Self.count("class=\"sortable\"", in: dom) == 11)
        #expect(dom.contains("<code>expiring-soon</code>"))
        // With JavaScript off the page reads the same, in its own order; only the sorting is gone. (Chromium's
        // --dump-dom needs scripts on, so the page is loaded without its script instead.)
        let page = try String(contentsOfFile: path, encoding: .utf8)
        let script = try #require(page.range(of: "<script>")?.lowerBound)
        let end = try #require(page.range(of: "</script>")?.upperBound)
        let bare = path.replacingOccurrences(of: ".html", with: "-noscript.html")
        try page.replacingCharacters(in: script..<end, with: "").write(toFile: bare, atomically: true, encoding: .utf8)
        let (_, still, _) = Self.chromium(browser, ["--dump-dom"], file: bare)
        #expect(Self.count("<tr class=\"item ", in: still) == 9)
        #expect(Self.count("<circle class=\"mark ", in: still) == 7)
        #expect(Self.count("class=\"sortable\"", in: still) == 0)
        try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
        let png = Self.screenshots.appendingPathComponent("samples.png").path
        let shot = Self.chromium(browser, ["--screenshot=" + png, "--window-size=1400,1500"], file: path)
        #expect(shot.0 == 0, "\(shot.2)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        print("screenshot of the samples' report: \(png)")
    }

    @Test func aHostileNameStaysText() throws {
        let browser = try ReportTools.chromium()
        let hostile = try ReportCommandTests.hostileDrop()
        let path = try report(hostile.drop.path, passwords: hostile.passwords, name: "hostile")
        let (status, dom, stderr) = Self.chromium(browser, ["--dump-dom"], file: path)
        #expect(status == 0, "\(stderr)")
        // The loose file and the zip's member: two rows, two marks, and no element the names could have made.
        #expect(Self.count("<tr class=\"item ", in: dom) == 2)
        #expect(Self.count("<circle class=\"mark ", in: dom) == 2)
        #expect(!dom.contains("<img"))
        #expect(!dom.contains("onerror=\"alert"))
        #expect(Self.count("&lt;img src=x onerror=alert(1)&gt;.pfx", in: dom) >= 2)
        #expect(dom.contains("drop.zip!&lt;img src=x onerror=alert(1)&gt;.pfx"))
        let png = Self.screenshots.appendingPathComponent("hostile.png").path
        try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
        #expect(Self.chromium(browser, ["--screenshot=" + png, "--window-size=1400,900"], file: path).0 == 0)
    }
}
