import CertDropTestSupport
import Foundation
import Testing

/// Every command that reads a key file refuses one that other users can read or write (exit 1, with the
/// `chmod 600` that fixes it), unless `--allow-insecure-key-file` says otherwise.
@Suite struct KeyFileModeTests {
    static let json = #"{"identifier": "integration", "primaryKey": "cli-primary", "secondaryKey": "cli-secondary"}"#

    /// A key file with exactly `mode`, in a fresh folder.
    static func keyFile(mode: Int, in folder: URL = Fixtures.temporaryFolder("cli-keys")) throws -> String {
        let path = folder.appendingPathComponent("service.keys.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    static func expectRefused(
        _ result: (status: Int32, stdout: String, stderr: String), _ path: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("chmod 600 \(path)"), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("cli-primary"), sourceLocation: sourceLocation)
    }

    @Test(arguments: [(0o600, true), (0o400, true), (0o640, false), (0o604, false)])
    func tokenChecksTheKeyFilesMode(_ mode: Int, _ accepted: Bool) throws {
        let path = try Self.keyFile(mode: mode)
        let result = certdrop(["token", "--key-file", path])
        if accepted {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("SharedAccessSignature "))
        } else {
            Self.expectRefused(result, path)
            let allowed = certdrop(["token", "--key-file", path, "--bearer", "--allow-insecure-key-file"])
            #expect(allowed.status == 0, "\(allowed.stderr)")
        }
    }

    @Test func serveRefusesAnInsecureKeyFileUnlessAllowed() throws {
        let folder = Fixtures.temporaryFolder("cli-serve")
        let path = try Self.keyFile(mode: 0o644, in: folder)
        let refused = certdrop([
            "serve", "--store", folder.appendingPathComponent("service.sqlite").path, "--port", "0",
        ])
        Self.expectRefused(refused, path)
        // With the flag it starts (and warns).
        let serve = try ServeProcess(folder: folder, arguments: ["--allow-insecure-key-file"])
        #expect(serve.url.hasPrefix("http://127.0.0.1:"))
    }

    @Test func clientKeyFilesAreCheckedToo() throws {
        let path = try Self.keyFile(mode: 0o640)
        let unreachable = "http://127.0.0.1:9"
        let list = certdrop(["list", "--service", unreachable, "--sas-key-file", path, "--max-attempts", "1"])
        Self.expectRefused(list, path)
        let allowed = certdrop([
            "list", "--service", unreachable, "--sas-key-file", path, "--allow-insecure-key-file", "--max-attempts",
            "1", "--timeout", "2",
        ])
        #expect(allowed.status == 2, "\(allowed.stderr)")
        #expect(!allowed.stderr.contains("chmod"))
        let diff = certdrop([
            "diff", "--from", unreachable, "--from-sas-key-file", path, "--to", unreachable, "--to-sas-key-file",
            path, "--max-attempts", "1", "--timeout", "2",
        ])
        Self.expectRefused(diff, path)
    }

    /// The source's client is made before the target's; a target whose key file is refused must release it (a
    /// connection pool left open traps when it is freed in a debug build, which is what these tests run).
    @Test(arguments: ["diff", "migrate"])
    func aRefusedTargetReleasesTheSourcesClient(_ command: String) throws {
        let good = try Self.keyFile(mode: 0o600)
        let bad = try Self.keyFile(mode: 0o640)
        let unreachable = "http://127.0.0.1:9"
        var arguments = [
            command, "--from", unreachable, "--from-sas-key-file", good, "--to", unreachable, "--to-sas-key-file",
            bad, "--max-attempts", "1", "--timeout", "2",
        ]
        if command == "migrate" { arguments += ["--dry-run", "--quiet", Fixtures.temporaryFolder("cli-drop").path] }
        let result = certdrop(arguments)
        Self.expectRefused(result, bad)
    }

    @Test func theEmbeddedServicesKeyFileIsCheckedToo() throws {
        let home = Fixtures.temporaryFolder("cli-home")
        let path = try Self.keyFile(mode: 0o604, in: home)
        let list = certdrop(["list"], environment: ["CERTDROP_HOME": home.path])
        Self.expectRefused(list, path)
        let allowed = certdrop(["list", "--allow-insecure-key-file"], environment: ["CERTDROP_HOME": home.path])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    @Test(arguments: [
        ["--header-timeout", "0"], ["--body-timeout", "-1"], ["--idle-timeout", "0"], ["--max-connections", "0"],
        ["--pkcs12-workers", "0"], ["--pkcs12-queue", "-1"],
    ])
    func serveRefusesLimitsOutOfRange(_ arguments: [String]) {
        let result = certdrop(["serve", "--store", "/nonexistent/x.sqlite"] + arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
    }
}
