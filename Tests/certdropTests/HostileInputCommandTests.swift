import CertDropTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized) struct HostileInputCommandTests {
    @Test func aManifestThatCannotBeWrittenStopsTheImportWithExitTwo() {
        let home = Fixtures.temporaryFolder("home")
        let samples = Fixtures.samples.path
        let result = certdrop(
            [
                "import", samples + "/drop", "--passwords", samples + "/passwords.json", "--quiet",
                "--manifest", "/dev/full",
            ], environment: ["CERTDROP_HOME": home.path])
        #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("/dev/full"))
        #expect(!result.stdout.contains("created"))
    }

    @Test func aReportThatCannotBeWrittenIsExitTwo() {
        let folder = Fixtures.temporaryFolder("report")
        FileManager.default.createFile(atPath: folder.path + "/x.txt", contents: Data("x".utf8))
        let result = certdrop(["validate", folder.path, "-o", "/dev/full"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("/dev/full"))
    }

    @Test func resumingACSVManifestIsRefusedClearly() throws {
        let folder = Fixtures.temporaryFolder("resume")
        let manifest = folder.appendingPathComponent("m.csv").path
        let header =
            "source,id,thumbprint,subject,expirationDate,action,status,etag,attempts,errorCode,errorMessage,durationMs\n"
        try Data(header.utf8).write(to: URL(fileURLWithPath: manifest))
        let result = certdrop(
            ["import", folder.path, "--resume", manifest, "--quiet"], environment: ["CERTDROP_HOME": folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--resume and verify read jsonl manifests only"))
        // Nothing was appended to it.
        #expect(try String(contentsOfFile: manifest, encoding: .utf8) == header)
    }

    @Test func linksAreReportedAndFollowedOnlyInsideTheDrop() throws {
        let folder = Fixtures.temporaryFolder("links")
        #expect(symlink("/etc/passwd", folder.path + "/passwd.pfx") == 0)
        #expect(mkfifo(folder.path + "/pipe.pfx", 0o600) == 0)
        let plain = certdrop(["validate", folder.path, "--format", "jsonl"])
        #expect(plain.status == 1)
        #expect(plain.stdout.contains("not followed; --follow-symlinks reads links inside the drop"))
        #expect(plain.stdout.contains("a FIFO"))
        let followed = certdrop(["validate", folder.path, "--format", "jsonl", "--follow-symlinks"])
        #expect(followed.status == 1)
        #expect(followed.stdout.contains("\"unsafe-path\""))
        #expect(!followed.stdout.contains("root:"))
    }

    @Test func namesWithControlCharactersCannotRewriteTheTerminal() throws {
        let folder = Fixtures.temporaryFolder("names")
        let name = "evil\u{1B}[2J\u{7}\u{9B}.pfx"
        FileManager.default.createFile(atPath: folder.path + "/" + name, contents: Data("junk".utf8))
        let table = certdrop(["validate", folder.path])
        #expect(table.stdout.contains("evil\\x1b[2J\\x07\\u{9b}.pfx"), "\(table.stdout)")
        #expect(!table.stdout.contains("\u{1B}"))
        #expect(!table.stdout.contains("\u{9B}"))
        let inspect = certdrop(["inspect", folder.path])
        #expect(!inspect.stdout.contains("\u{1B}"))
        // JSON escapes controls itself.
        let json = certdrop(["validate", folder.path, "--format", "json"])
        #expect(!json.stdout.contains("\u{1B}"))
        #expect(json.stdout.contains("\\u001b") || json.stdout.contains("\\u001B"))
        #expect(!json.stdout.contains("\u{9B}"))
    }

    @Test func standardInputIsCappedByTheBytesRead() {
        let folder = Fixtures.temporaryFolder("stdin")
        let big = Data(repeating: 0x41, count: 64 << 10 + 1)
        let result = certdrop(["validate", folder.path, "--password-stdin"], input: big)
        #expect(result.status == 2)
        #expect(result.stderr.contains("more than 65536 bytes"))
        let fits = certdrop(
            ["validate", folder.path, "--password-stdin"], input: Data(repeating: 0x41, count: 64 << 10))
        #expect(fits.status == 0, "\(fits.stderr)")
    }
}
