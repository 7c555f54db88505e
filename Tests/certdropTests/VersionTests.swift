import CertDropTestSupport
import Foundation
import Testing

/// `certdrop --version` and the release script's cheap checks (the release build itself takes minutes: not here).
@Suite struct VersionTests {
    /// The version the README's Install section downloads: `CERTDROP_VERSION=X.Y.Z`.
    private static func readmeVersion() throws -> String {
        let readme = try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let line = try #require(readme.split(separator: "\n").first { $0.hasPrefix("CERTDROP_VERSION=") })
        return String(line.dropFirst("CERTDROP_VERSION=".count))
    }

    private static func releaseScript(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
        let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/release.sh").path
        let result = Fixtures.output(["/bin/bash", script] + arguments)
        return (
            result.status, String(decoding: result.stdout, as: UTF8.self),
            String(decoding: result.stderr, as: UTF8.self)
        )
    }

    @Test func aDeveloperBuildSaysItsCommitIsUnknown() throws {
        let result = certdrop(["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        // One line, nothing else: scripts and the release check compare it whole.
        #expect(result.stdout == "\(try Self.readmeVersion()) (commit unknown)\n")
        #expect(result.stderr.isEmpty)
    }

    @Test(arguments: [["validate", "--version"], ["serve", "--version"], ["validate", ".", "--version"]])
    func aSubcommandPrintsTheSameVersionLine(arguments: [String]) {
        // The root's version is found from any command under it, and --version wins over the other arguments.
        let root = certdrop(["--version"])
        let sub = certdrop(arguments)
        #expect(sub.status == 0, "\(arguments): \(sub.stderr)")
        #expect(sub.stdout == root.stdout)
    }

    @Test func theReadmeDownloadsTheVersionTheSourcesAre() throws {
        let version = try Self.readmeVersion()
        #expect(version.split(separator: ".").count == 3)
        #expect(version.allSatisfy { $0.isNumber || $0 == "." })
        let check = Self.releaseScript(["--check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("release --check: version \(version),"))
        #expect(check.stdout.contains("ok (nothing built)"))
    }

    @Test(arguments: [["--bogus"], ["build"], ["--check", "--check"]])
    func theReleaseScriptRejectsUnknownArguments(arguments: [String]) {
        let result = Self.releaseScript(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("usage: scripts/release.sh [--check]"))
    }
}
