import CertDropTestSupport
import Foundation
import Testing

/// `diff`, `migrate` and `verify` against two `certdrop serve` processes: a legacy source and an ARM target.
@Suite(.serialized) struct MigrateCommandTests {
    @Test func rehearsalOnTwoLocalInstances() throws {
        let folder = Fixtures.temporaryFolder("rehearsal")
        let drop = Fixtures.drop(count: 6)
        let map = drop.appendingPathComponent("passwords.json").path
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        let a = try ServeProcess(folder: folder.appendingPathComponent("a"))
        let b = try ServeProcess(folder: folder.appendingPathComponent("b"))
        let from = ["--from", a.url, "--from-sas-key-file", a.keyFile]
        let targetURL =
            b.url + "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ApiManagement/service/certdrop"
        let to = ["--to", targetURL, "--to-sas-key-file", b.keyFile]

        // A holds the drop under ids of its own; then one PFX goes missing.
        let seed = certdrop(
            [
                "import", drop.path, "--passwords", map, "--service", a.url, "--sas-key-file", a.keyFile,
                "--id-template", "svc-{stem}", "--manifest", folder.appendingPathComponent("seed.jsonl").path,
                "--quiet",
            ])
        #expect(seed.status == 0, "\(seed.stdout) \(seed.stderr)")
        try FileManager.default.removeItem(at: drop.appendingPathComponent("cert-00006.pfx"))

        let before = certdrop(["diff"] + from + to)
        #expect(before.status == 1)
        #expect(before.stdout.contains("6 only-in-source"), "\(before.stdout) \(before.stderr)")

        let manifest = folder.appendingPathComponent("migrate.jsonl").path
        let report = folder.appendingPathComponent("migrate.html").path
        let migrate = certdrop(
            ["migrate", drop.path, "--passwords", map, "--manifest", manifest, "--quiet", "--report", report] + from
                + to)
        #expect(migrate.status == 1, "\(migrate.stdout) \(migrate.stderr)")
        #expect(migrate.stdout.contains("5 created"))
        #expect(migrate.stdout.contains("1 missing-pfx"))
        #expect(migrate.stdout.contains("not moved:"))
        #expect(migrate.stdout.contains("svc-cert-00006"))
        // The drop item not uploaded (the password map is no certificate), once; not the line already "not moved".
        let notUploaded = try #require(migrate.stdout.components(separatedBy: "not uploaded (1):\n").last)
        #expect(notUploaded.contains("passwords.json"))
        #expect(!notUploaded.contains("svc-cert-00006"))
        // The report: every line, the source's own line without a PFX among them.
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.components(separatedBy: "<tr class=\"item ").count == 8)
        #expect(html.contains(">missing-pfx</span>"))

        let verified = certdrop(["verify", "--manifest", manifest, "--to", targetURL, "--to-sas-key-file", b.keyFile])
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        #expect(verified.stdout.contains("complete: 5 ids checked: 5 ok"))
        let strict = certdrop(["verify"] + from + to)
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("missing") && strict.stdout.contains("svc-cert-00006"))

        let after = certdrop(["diff", "--format", "json"] + from + to)
        #expect(after.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any]
        let summary = object?["summary"] as? [String: Int]
        #expect(summary?["same"] == 5 && summary?["only-in-source"] == 1)

        // The same two instances by a profile; a second migration changes nothing.
        let profile = folder.appendingPathComponent("migration.json").path
        let profileText = """
            { "from": { "service": "\(a.url)", "sasKeyFile": "a/service.keys.json" },
              "to": { "service": "\(targetURL)", "sasKeyFile": "b/service.keys.json" } }
            """
        try profileText.write(toFile: profile, atomically: true, encoding: .utf8)
        let again = certdrop(
            [
                "migrate", drop.path, "--passwords", map, "--profile", profile, "--quiet",
                "--manifest", folder.appendingPathComponent("again.jsonl").path,
            ])
        #expect(again.status == 1, "\(again.stdout) \(again.stderr)")
        #expect(again.stdout.contains("5 unchanged"))
        #expect(!again.stdout.contains("created"))

        let dryRun = certdrop(
            [
                "migrate", drop.path, "--passwords", map, "--profile", profile, "--dry-run", "--format", "json",
                "--quiet",
            ])
        #expect(dryRun.status == 1)
        let plan = try JSONSerialization.jsonObject(with: Data(dryRun.stdout.utf8)) as? [String: Any]
        #expect(plan?["dryRun"] as? Bool == true)
        #expect((plan?["items"] as? [Any])?.count == 7)
        let planned = try #require(plan?["notUploaded"] as? [[String: Any]])
        #expect(planned.map { ($0["source"] as? String)?.hasSuffix("/passwords.json") } == [true])

        // No key reaches a manifest or the output.
        var secrets: [String] = []
        for file in [a.keyFile, b.keyFile] {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let object = try JSONSerialization.jsonObject(with: data) as? [String: String]
            secrets += [object?["primaryKey"], object?["secondaryKey"]].compactMap { $0 }
        }
        #expect(secrets.count == 4)
        let written = try String(contentsOfFile: manifest, encoding: .utf8) + migrate.stdout + dryRun.stdout
        for secret in secrets {
            #expect(!written.contains(secret))
        }
    }

    @Test(arguments: [
        ["migrate", "."],
        ["migrate", ".", "--from", "http://127.0.0.1:1", "--to", "http://127.0.0.1:2", "--dry-run", "--manifest", "m"],
        ["migrate", ".", "--from", "ftp://x", "--from-token-file", "t", "--to", "http://y", "--to-token-file", "t"],
        ["migrate", ".", "--from", "http://127.0.0.1:1", "--to", "http://127.0.0.1:2"],
        ["migrate", ".", "--from-dialect", "soap"],
        ["migrate", ".", "--profile", "/nonexistent/profile.json"],
        ["diff", "--from", "http://127.0.0.1:1"],
        ["diff", "--from", "http://127.0.0.1:1", "--from-token-file", "/nonexistent", "--to", "http://127.0.0.1:2"],
        ["verify"],
        ["verify", "--manifest", "m.jsonl", "--from", "http://127.0.0.1:1"],
        ["verify", "--manifest", "m.jsonl", "--include-expired"],
    ])
    func usageErrorsExitTwo(arguments: [String]) {
        let result = certdrop(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stdout) \(result.stderr)")
    }

    @Test func anInstanceThatCannotBeListedExitsTwo() throws {
        let folder = Fixtures.temporaryFolder("unreachable")
        let token = folder.appendingPathComponent("token").path
        try "abc".write(toFile: token, atomically: true, encoding: .utf8)
        let endpoints = ["--from", "http://127.0.0.1:9", "--from-token-file", token, "--to", "http://127.0.0.1:9"]
        let diff = certdrop(["diff", "--to-token-file", token, "--max-attempts", "1", "--timeout", "2"] + endpoints)
        #expect(diff.status == 2)
        #expect(diff.stderr.contains("cannot list the source"), "\(diff.stderr)")
        let verify = certdrop(
            ["verify", "--manifest", "/nonexistent.jsonl", "--to", "http://127.0.0.1:9", "--to-token-file", token])
        #expect(verify.status == 2)
        #expect(verify.stderr.contains("cannot read the manifest"))
    }
}
