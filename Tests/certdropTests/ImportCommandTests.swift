import CertDropTestSupport
import Foundation
import Testing

/// `certdrop serve` run as its own process for a test, stopped at the end.
final class ServeProcess {
    let process = Process()
    let url: String
    let keyFile: String

    init(folder: URL, arguments: [String] = []) throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("certdrop")
        let store = folder.appendingPathComponent("service.sqlite").path
        keyFile = folder.appendingPathComponent("service.keys.json").path
        process.executableURL = executable
        process.arguments = ["serve", "--store", store, "--port", "0", "--log-level", "error"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        var found: String?
        // The first lines say where it listens; give it a bounded number of reads.
        for _ in 0..<200 where found == nil {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: #"listening on (http://[0-9.:]+)"#, options: .regularExpression) {
                found = String(text[range].dropFirst("listening on ".count))
            }
        }
        guard let found else {
            process.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        url = found
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

@Suite(.serialized) struct ImportCommandTests {
    @Test func importIntoTheEmbeddedService() throws {
        let home = Fixtures.temporaryFolder("home")
        let samples = Fixtures.samples.path
        let env = ["CERTDROP_HOME": home.path]
        let first = certdrop(
            ["import", samples + "/drop", "--passwords", samples + "/passwords.json", "--quiet"],
            environment: env)
        #expect(first.status == 1, "\(first.stdout) \(first.stderr)")
        #expect(first.stdout.contains("6 created"))
        #expect(first.stdout.contains("2 invalid"))
        let manifests = try FileManager.default.contentsOfDirectory(atPath: home.path + "/manifests")
        #expect(manifests.count == 1)
        let second = certdrop(
            ["import", samples + "/drop", "--passwords", samples + "/passwords.json", "--quiet"],
            environment: env)
        #expect(second.stdout.contains("6 unchanged"))
        let list = certdrop(["list", "--format", "json"], environment: env)
        #expect(list.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.count == 6)
        let plan = certdrop(
            ["plan", samples + "/drop", "--passwords", samples + "/passwords.json"], environment: env)
        #expect(plan.stdout.contains("6 unchanged"))
        // Nothing secret in the manifest.
        let manifest = try String(contentsOfFile: home.path + "/manifests/" + manifests[0], encoding: .utf8)
        for password in ["shop-web-pw", "changeit"] { #expect(!manifest.contains(password)) }
    }

    @Test(arguments: [
        ["import", ".", "--service", "http://127.0.0.1:1"],
        ["import", ".", "--concurrency", "0"],
        ["import", ".", "--service", "http://x", "--dialect", "arm", "--token-file", "t"],
        ["import", ".", "--on-existing", "maybe"],
        ["import", ".", "--allow", "nonsense"],
        ["import", ".", "--reencrypt", "rc2"],
        ["import", ".", "--reencrypt", "auto"],
        ["plan", ".", "--reencrypt", "auto"],
        ["import", ".", "--target", "windows-2012"],
        ["validate", ".", "--target", "windows-2012"],
        ["validate", ".", "--usage", "both"],
        ["import", ".", "--sas-key-file", "k"],
        ["plan"],
    ])
    func usageErrorsExitTwo(arguments: [String]) {
        let result = certdrop(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
    }

    @Test func killedMidwayThenResumedEndsAsOneCleanRun() throws {
        let folder = Fixtures.temporaryFolder("kill")
        let drop = Fixtures.drop(count: 30)
        let serve = try ServeProcess(folder: folder, arguments: ["--latency", "60"])
        let manifest = folder.appendingPathComponent("manifest.jsonl").path
        let common = [
            "--passwords", drop.appendingPathComponent("passwords.json").path, "--service", serve.url,
            "--sas-key-file", serve.keyFile, "--concurrency", "2", "--quiet",
        ]

        let importer = Process()
        importer.executableURL = serve.process.executableURL
        importer.arguments = ["import", drop.path, "--manifest", manifest] + common
        importer.standardOutput = FileHandle.nullDevice
        importer.standardError = FileHandle.nullDevice
        try importer.run()
        // Wait until some, not all, items have a line; then kill it without warning.
        var lines = 0
        for _ in 0..<400 {
            usleep(10_000)
            lines = (try? String(contentsOfFile: manifest, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines >= 5 { break }
        }
        kill(importer.processIdentifier, SIGKILL)
        importer.waitUntilExit()
        let before = (try? String(contentsOfFile: manifest, encoding: .utf8))?.split(separator: "\n").count ?? 0
        #expect(before >= 5 && before < 31, "killed too late or too early: \(before) lines")

        let resumed = certdrop(["import", drop.path, "--resume", manifest] + common)
        #expect(resumed.status == 0, "\(resumed.stdout) \(resumed.stderr)")

        // The end state of one clean run: every certificate once, the manifest settles every source.
        let list = certdrop(
            ["list", "--service", serve.url, "--sas-key-file", serve.keyFile, "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(rows.count == 30)
        #expect(Set(rows.compactMap { $0["id"] as? String }).count == 30)
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        var settled: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let source = object["source"] as? String, let action = object["action"] as? String
            else { continue }
            settled[source] = action
        }
        #expect(settled.count == 31)
        #expect(settled.values.allSatisfy { ["created", "unchanged", "skipped"].contains($0) })
        let thumbprints = Set(rows.compactMap { $0["thumbprint"] as? String })
        #expect(thumbprints.count == 30)
    }
}
