import CertDropTestSupport
import Foundation
import Testing

/// `--concurrency N|auto` and `--max-concurrency` on `import`, `plan` and `migrate`.
@Suite(.serialized) struct ConcurrencyOptionTests {
    @Test(arguments: [
        ["import", ".", "--max-concurrency", "4"],
        ["import", ".", "--concurrency", "8", "--max-concurrency", "8"],
        ["import", ".", "--concurrency", "auto", "--max-concurrency", "0"],
        ["import", ".", "--concurrency", "auto", "--max-concurrency", "257"],
        ["import", ".", "--concurrency", "auto", "--max-concurrency", "many"],
        ["import", ".", "--concurrency", "fast"],
        ["import", ".", "--concurrency", "Auto"],
        ["import", ".", "--concurrency", ""],
        ["migrate", ".", "--from", "http://127.0.0.1:1", "--to", "http://127.0.0.1:1", "--max-concurrency", "4"],
    ])
    func badValuesAreUsageErrors(arguments: [String]) {
        let result = certdrop(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func maxConcurrencyWithoutAutoSaysWhy() {
        let result = certdrop(["import", ".", "--max-concurrency", "4"])
        #expect(result.stderr.contains("--max-concurrency goes with --concurrency auto"), "\(result.stderr)")
        let range = certdrop(["import", ".", "--concurrency", "auto", "--max-concurrency", "257"])
        #expect(range.stderr.contains("--max-concurrency takes a number from 1 to 256"), "\(range.stderr)")
    }

    /// The edges of `--max-concurrency` are accepted (a plan of an empty folder against the embedded service).
    @Test(arguments: [
        ["--concurrency", "auto"], ["--concurrency", "auto", "--max-concurrency", "1"],
        ["--concurrency", "auto", "--max-concurrency", "256"], ["--concurrency", "256"],
    ])
    func edgesAreAccepted(arguments: [String]) {
        let home = Fixtures.temporaryFolder("home")
        let folder = Fixtures.temporaryFolder("empty")
        let result = certdrop(["plan", folder.path] + arguments, environment: ["CERTDROP_HOME": home.path])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
    }

    @Test func helpNamesAuto() {
        let help = certdrop(["import", "--help"])
        #expect(help.stdout.contains("--concurrency <concurrency>"))
        #expect(help.stdout.contains("auto"))
        #expect(help.stdout.contains("--max-concurrency"))
    }

    /// An import with `--concurrency auto` into a throttling service: everything created, exit 0, and a line on
    /// what the window did.
    @Test func autoIntoAThrottlingService() throws {
        let folder = Fixtures.temporaryFolder("auto")
        let drop = Fixtures.drop(count: 30)
        let serve = try ServeProcess(folder: folder, arguments: ["--throttle", "15", "--latency", "5"])
        let result = certdrop([
            "import", drop.path, "--passwords", drop.appendingPathComponent("passwords.json").path, "--service",
            serve.url, "--sas-key-file", serve.keyFile, "--concurrency", "auto", "--max-concurrency", "16", "--quiet",
            "--manifest", folder.appendingPathComponent("m.jsonl").path,
        ])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("30 created"), "\(result.stdout)")
        #expect(result.stdout.contains("concurrency auto: window"), "\(result.stdout)")
    }
}
