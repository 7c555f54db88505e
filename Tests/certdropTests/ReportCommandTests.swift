import CertDropTestSupport
import Foundation
import Testing

/// The reports of the command line, read by real checkers: the official SARIF schema, Prometheus' parsers and a
/// browser.
@Suite(.serialized) struct ReportCommandTests {
    static let hostileName = "<img src=x onerror=alert(1)>.pfx"

    /// A drop whose file names are markup: a real PKCS#12 under the hostile name, loose and inside a zip; and a
    /// password map (outside the drop) that opens it.
    static func hostileDrop() throws -> (drop: URL, passwords: String) {
        let folder = Fixtures.temporaryFolder("hostile")
        let map = Fixtures.temporaryFolder("hostile-map").appendingPathComponent("passwords.json")
        let password = try #require(Fixtures.password("rsa-default.pfx"))
        try JSONSerialization.data(withJSONObject: ["*": [password]]).write(to: map)
        let inner = folder.appendingPathComponent("inner")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        let pfx = Data(Fixtures.bytes("rsa-default.pfx"))
        try pfx.write(to: inner.appendingPathComponent(hostileName))
        try pfx.write(to: folder.appendingPathComponent(hostileName))
        let zip = Fixtures.output(
            [
                "/usr/bin/bsdtar", "--format", "zip", "-cf", folder.appendingPathComponent("drop.zip").path, "-C",
                inner.path, hostileName,
            ])
        #expect(zip.status == 0)
        try FileManager.default.removeItem(at: inner)
        return (folder, map.path)
    }

    private var samples: String { Fixtures.samples.path }

    @Test func importNamesTheItemsNotUploaded() throws {
        let home = Fixtures.temporaryFolder("home")
        let report = home.appendingPathComponent("run.html").path
        let result = certdrop(
            ["import", samples + "/drop", "--passwords", samples + "/passwords.json", "--quiet", "--report", report],
            environment: ["CERTDROP_HOME": home.path])
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        let list = try #require(result.stdout.components(separatedBy: "not uploaded (3):\n").last)
        #expect(result.stdout.contains("not uploaded (3):\n"))
        #expect(list.contains("invalid     old-intranet"))
        #expect(list.contains("expired: "))
        #expect(list.contains("invalid     partner-upload"))
        #expect(list.contains("wrong-password: "))
        #expect(list.contains("skipped"))
        #expect(list.contains("README.txt"))
        #expect(list.contains("ignored: not a certificate"))
        #expect(!list.contains("shop-web"))
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.components(separatedBy: "<tr class=\"item ").count == 10)
        #expect(html.contains(">created</span>"))
        #expect(html.contains(">invalid</span>"))
        // Everything went up the second time: no list.
        let again = certdrop(
            ["import", samples + "/drop", "--passwords", samples + "/passwords.json", "--quiet"],
            environment: ["CERTDROP_HOME": home.path])
        #expect(again.stdout.contains("6 unchanged"))
        #expect(again.stdout.contains("not uploaded (3):"))
    }

    @Test func aReportThatCannotBeWrittenIsExitTwo() {
        let home = Fixtures.temporaryFolder("home")
        let result = certdrop(
            [
                "import", samples + "/drop", "--passwords", samples + "/passwords.json", "--quiet", "--report",
                "/nonexistent/r.html",
            ], environment: ["CERTDROP_HOME": home.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/r.html"))
    }

    @Test func expiringExitsOneWhenACertificateExpiresWithinTheDays() throws {
        let home = Fixtures.temporaryFolder("home")
        let env = ["CERTDROP_HOME": home.path]
        // Nothing in the store yet: nothing expires.
        #expect(certdrop(["expiring"], environment: env).status == 0)
        _ = certdrop(
            ["import", samples + "/drop", "--passwords", samples + "/passwords.json", "--quiet"], environment: env)
        // The "expiring soon" sample expires in 10 to 20 days (scripts/make-expiring-sample.sh).
        let soon = certdrop(["expiring", "--days", "30"], environment: env)
        #expect(soon.status == 1, "\(soon.stdout) \(soon.stderr)")
        #expect(soon.stdout.contains("vpn-gateway"))
        #expect(!soon.stdout.contains("shop-web"))
        #expect(soon.stdout.contains("1 certificates expire within 30 days (0 already expired)"))
        #expect(certdrop(["expiring", "--days", "9"], environment: env).status == 0)
        #expect(certdrop(["expiring", "--filter", "id eq 'shop-web'"], environment: env).status == 0)
        #expect(certdrop(["expiring", "--filter", "id eq 'vpn-gateway'"], environment: env).status == 1)
        #expect(certdrop(["expiring", "--days", "21"], environment: env).status == 1)
        let json = certdrop(["expiring", "--format", "json"], environment: env)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let rows = try #require(object["certificates"] as? [[String: Any]])
        #expect(rows.map { $0["id"] as? String } == ["vpn-gateway"])
        let days = try #require(rows.first?["daysLeft"] as? Int)
        #expect((9...20).contains(days))
        let csv = certdrop(["expiring", "--format", "csv"], environment: env)
        #expect(csv.stdout.hasPrefix("id,subject,thumbprint,expirationDate,daysLeft,expired\nvpn-gateway,"))
        let html = certdrop(["expiring", "--format", "html"], environment: env)
        #expect(html.stdout.contains("<circle class=\"mark warning\""))
        #expect(html.status == 1)
    }

    @Test(arguments: [["expiring", "--days", "-1"], ["expiring", "--days", "36501"], ["expiring", "--format", "x"]])
    func expiringUsageErrorsAreExitTwo(arguments: [String]) {
        let result = certdrop(arguments, environment: ["CERTDROP_HOME": Fixtures.temporaryFolder("home").path])
        #expect(result.status == 2, "\(result.stderr)")
    }

    @Test(arguments: ["0", "36500"])
    func expiringTakesDaysAtTheEdgesOfTheRange(days: String) {
        let result = certdrop(
            ["expiring", "--days", days], environment: ["CERTDROP_HOME": Fixtures.temporaryFolder("home").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("0 certificates expire within \(days) days"))
    }

    @Test func expiringAServiceThatCannotBeListedIsExitTwo() throws {
        let folder = Fixtures.temporaryFolder("token")
        let token = folder.appendingPathComponent("t").path
        try Data("SharedAccessSignature uid=x&ex=2099-01-01T00:00:00Z&sn=x".utf8).write(to: URL(fileURLWithPath: token))
        let result = certdrop(
            ["expiring", "--service", "http://127.0.0.1:1", "--sas-token-file", token, "--max-attempts", "1"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("cannot list"))
    }

    @Test func openMetricsIsReadByPrometheusParsers() throws {
        let home = Fixtures.temporaryFolder("home")
        let env = ["CERTDROP_HOME": home.path]
        _ = certdrop(
            ["import", samples + "/drop", "--passwords", samples + "/passwords.json", "--quiet"], environment: env)
        let list = certdrop(["list", "--format", "openmetrics"], environment: env)
        #expect(list.status == 0)
        let expiring = certdrop(["expiring", "--format", "openmetrics"], environment: env)
        #expect(expiring.status == 1)
        for (name, text, count) in [("list", list.stdout, 6), ("expiring", expiring.stdout, 1)] {
            let file = home.appendingPathComponent("\(name).prom")
            try Data(text.utf8).write(to: file)
            let parsed = try ReportTools.check("check-openmetrics.py", [file.path])
            #expect(parsed.status == 0, "\(parsed.stderr)")
            let samples = try #require(
                try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[String: Any]])
            #expect(samples.count == 2 * count)
            let stamps = samples.filter { $0["name"] as? String == "certdrop_certificate_expiration_timestamp_seconds" }
            #expect(stamps.count == count)
            #expect(stamps.allSatisfy { $0["type"] as? String == "gauge" })
            let labels = try #require(stamps.first?["labels"] as? [String: String])
            #expect(Set(labels.keys) == ["id", "thumbprint", "subject", "instance"])
            #expect(labels["instance"] == "embedded")
            let left = samples.filter { $0["name"] as? String == "certdrop_certificate_expires_in_seconds" }
            #expect(left.allSatisfy { (($0["value"] as? Double) ?? -1) > 0 })
        }
    }

    @Test func aBrokenExpositionIsRefusedByTheParser() throws {
        let file = Fixtures.temporaryFolder("prom").appendingPathComponent("bad.prom")
        try Data("certdrop_certificate_expires_in_seconds{id=\"a} 1\n# EOF\n".utf8).write(to: file)
        #expect(try ReportTools.check("check-openmetrics.py", [file.path]).status == 1)
    }

    @Test func sarifValidatesAgainstTheOfficialSchema() throws {
        let folder = Fixtures.temporaryFolder("sarif")
        var files: [String] = []
        let hostile = try Self.hostileDrop()
        for (name, drop, map) in [
            ("fixtures", Fixtures.directory.path, Fixtures.path("passwords.json")),
            ("samples", samples + "/drop", samples + "/passwords.json"),
            ("hostile", hostile.drop.path, hostile.passwords),
        ] {
            let path = folder.appendingPathComponent("\(name).sarif").path
            let result = certdrop(["validate", drop, "--passwords", map, "--format", "sarif", "-o", path])
            #expect(result.status <= 1, "\(result.stderr)")
            files.append(path)
        }
        let checked = try ReportTools.check("check-sarif.py", files)
        #expect(checked.status == 0, "\(checked.stdout) \(checked.stderr)")
        #expect(checked.stdout.components(separatedBy: "valid SARIF 2.1.0").count == files.count + 1)
        // The hostile drop's archive member is a logical location of the zip.
        let text = try String(contentsOfFile: files[2], encoding: .utf8)
        #expect(text.contains("drop.zip\"}"))
        #expect(text.contains("\"kind\":\"member\""))
    }

    @Test func aDocumentThatBreaksTheSchemaIsRefused() throws {
        let file = Fixtures.temporaryFolder("sarif").appendingPathComponent("bad.sarif")
        try Data(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"level": "fatal"}]}]}"#.utf8)
            .write(to: file)
        let checked = try ReportTools.check("check-sarif.py", [file.path])
        #expect(checked.status == 1)
        #expect(checked.stdout.contains("'name' is a required property"))
    }
}

extension ReportCommandTests {
    @Test func planWritesAnHTMLReport() throws {
        let home = Fixtures.temporaryFolder("home")
        let plan = certdrop(
            ["plan", samples + "/drop", "--passwords", samples + "/passwords.json", "--format", "html"],
            environment: ["CERTDROP_HOME": home.path])
        #expect(plan.status == 1, "\(plan.stderr)")
        #expect(plan.stdout.hasPrefix("<!DOCTYPE html>"))
        #expect(plan.stdout.components(separatedBy: "<tr class=\"item ").count == 10)
        #expect(plan.stdout.contains(">create</span>"))
        #expect(plan.stdout.contains(">invalid</span>"))
        #expect(plan.stdout.contains("<title>certdrop plan</title>"))
    }
}

extension ReportCommandTests {
    @Test func expiringAndOpenMetricsOfAnARMInstance() throws {
        let folder = Fixtures.temporaryFolder("arm")
        let service = try ServeProcess(folder: folder)
        let seed = certdrop(
            [
                "import", samples + "/drop", "--passwords", samples + "/passwords.json", "--quiet", "--service",
                service.url, "--sas-key-file", service.keyFile, "--manifest", folder.path + "/m.jsonl",
            ])
        #expect(seed.status == 1, "\(seed.stdout) \(seed.stderr)")
        let token = certdrop(["token", "--bearer", "--key-file", service.keyFile])
        #expect(token.status == 0)
        let tokenFile = folder.appendingPathComponent("token").path
        try Data(token.stdout.utf8).write(to: URL(fileURLWithPath: tokenFile))
        let arm = [
            "--service", service.url, "--dialect", "arm", "--subscription", "sub", "--resource-group", "rg",
            "--instance", "certdrop", "--token-file", tokenFile,
        ]
        let expiring = certdrop(["expiring", "--format", "json"] + arm)
        #expect(expiring.status == 1, "\(expiring.stderr)")
        #expect(expiring.stdout.contains("\"id\":\"vpn-gateway\""))
        let metrics = certdrop(["list", "--format", "openmetrics"] + arm)
        #expect(metrics.status == 0, "\(metrics.stderr)")
        #expect(metrics.stdout.contains("instance=\"certdrop\""))
        #expect(metrics.stdout.components(separatedBy: "certdrop_certificate_expires_in_seconds{").count == 7)
    }
}
