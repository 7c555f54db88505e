import CertDropTestSupport
import Foundation
import Testing

/// `--ca-file` and `--trust` on the command line, end to end, with a chain made in the test (valid from a year
/// before today, so the check runs at the real time the command uses).
@Suite struct ChainOptionTests {
    private struct Drop {
        let folder: URL
        let passwordFile: String
        let caFile: String
        let otherCAFile: String
    }

    /// A drop holding one PKCS#12 with a leaf but not its intermediate; a CA file with the intermediate and root,
    /// and another with an unrelated root.
    private func drop() throws -> Drop {
        let folder = Fixtures.temporaryFolder("cli-chain")
        let now = Date()
        let from = now.addingTimeInterval(-365 * 86_400)
        let to = now.addingTimeInterval(3 * 365 * 86_400)
        let root = TestPKI.certificate("CLI Root", notBefore: from, notAfter: to, isCA: true)
        let intermediate = TestPKI.certificate(
            "CLI Intermediate", issuer: root, notBefore: from, notAfter: to, isCA: true)
        let leaf = TestPKI.certificate("cli.chain.test", issuer: intermediate, notBefore: from, notAfter: to)
        let other = TestPKI.certificate("Other Root", notBefore: from, notAfter: to, isCA: true)
        let items = folder.appendingPathComponent("drop")
        try FileManager.default.createDirectory(at: items, withIntermediateDirectories: true)
        try Data(TestPKI.pkcs12(leaf: leaf, others: [], password: "cli-chain-pw"))
            .write(to: items.appendingPathComponent("leaf.pfx"))
        let passwordFile = folder.appendingPathComponent("pw")
        try Data("cli-chain-pw\n".utf8).write(to: passwordFile)
        let caFile = folder.appendingPathComponent("ca.pem")
        try Data((intermediate.pem + root.pem).utf8).write(to: caFile)
        let otherCAFile = folder.appendingPathComponent("other.pem")
        try Data(other.pem.utf8).write(to: otherCAFile)
        return Drop(folder: items, passwordFile: passwordFile.path, caFile: caFile.path, otherCAFile: otherCAFile.path)
    }

    private func codes(_ json: String) throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        return items.flatMap { ($0["problems"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String } }
    }

    @Test func validateWithAndWithoutTheCAFile() throws {
        let drop = try drop()
        let base = ["validate", drop.folder.path, "--password-file", drop.passwordFile, "--format", "json"]
        let without = certdrop(base)
        #expect(without.status == 0, "\(without.stderr)")
        #expect(try codes(without.stdout) == ["incomplete-chain"])

        let with = certdrop(base + ["--ca-file", drop.caFile])
        #expect(with.status == 0, "\(with.stderr)")
        #expect(try codes(with.stdout) == [])

        let other = certdrop(base + ["--ca-file", drop.otherCAFile, "--fail-on", "warning"])
        #expect(other.status == 1)
        #expect(try codes(other.stdout) == ["incomplete-chain"])

        let system = certdrop(base + ["--trust", "system"])
        #expect(system.status == 0, "\(system.stderr)")
        #expect(try codes(system.stdout) == ["incomplete-chain"])
    }

    @Test func inspectShowsThePath() throws {
        let drop = try drop()
        let text = certdrop([
            "inspect", drop.folder.path, "--password-file", drop.passwordFile, "--ca-file", drop.caFile,
        ])
        #expect(text.status == 0, "\(text.stderr)")
        for needle in [
            "  path:\n    - CN=cli.chain.test, O=CertDrop Chain Test\n      issuer: CN=CLI Intermediate, O=CertDrop Chain Test",
            "      from: the file\n    - CN=CLI Intermediate, O=CertDrop Chain Test",
            "      from: --ca-file\n    ends: in --ca-file (trusted)",
        ] {
            #expect(text.stdout.contains(needle), "missing \(needle) in \(text.stdout)")
        }
        let json = certdrop([
            "inspect", drop.folder.path, "--password-file", drop.passwordFile, "--format", "json",
        ])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let item = try #require((object["items"] as? [[String: Any]])?.first)
        let path = try #require(item["path"] as? [String: Any])
        #expect(path["end"] as? String == "nowhere")
        #expect(path["missingIssuer"] as? String == "CN=CLI Intermediate, O=CertDrop Chain Test")
        #expect((path["elements"] as? [[String: Any]])?.map { $0["origin"] as? String } == ["file"])
    }

    @Test(arguments: [
        ("validate", ["--ca-file", "/nonexistent/ca.pem"], "cannot read the --ca-file file /nonexistent/ca.pem"),
        ("inspect", ["--ca-file", "/nonexistent/ca.pem"], "cannot read the --ca-file file /nonexistent/ca.pem"),
        ("validate", ["--chain-ca-file", "/nonexistent/ca.pem"], "cannot read the --ca-file file /nonexistent/ca.pem"),
        ("plan", ["--chain-ca-file", "/nonexistent/ca.pem"], "cannot read the --ca-file file /nonexistent/ca.pem"),
        ("import", ["--chain-ca-file", "/nonexistent/ca.pem"], "cannot read the --ca-file file /nonexistent/ca.pem"),
        (
            "validate", ["--ca-file", "/a.pem", "--chain-ca-file", "/b.pem"],
            "give --ca-file or --chain-ca-file, not both"
        ),
        ("validate", ["--trust", "everyone"], "everyone"),
        ("plan", ["--trust", "everyone"], "everyone"),
    ])
    func badTrustOptionsAreUsageErrors(command: String, options: [String], message: String) throws {
        let drop = try drop()
        let result = certdrop([command, drop.folder.path, "--password-file", drop.passwordFile] + options)
        #expect(result.status == 2, "\(command) \(options): \(result.stdout)")
        #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
    }

    @Test func planTakesTheChainCAFile() throws {
        let drop = try drop()
        let home = Fixtures.temporaryFolder("cli-chain-home")
        let result = certdrop(
            [
                "plan", drop.folder.path, "--password-file", drop.passwordFile, "--chain-ca-file", drop.caFile,
                "--trust", "system",
            ], environment: ["CERTDROP_HOME": home.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("incomplete-chain"), "\(result.stdout)")
    }

    @Test func aGarbageCAFileIsAUsageError() throws {
        let drop = try drop()
        let garbage = drop.folder.deletingLastPathComponent().appendingPathComponent("garbage.pem")
        try Data("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".utf8).write(to: garbage)
        let result = certdrop([
            "validate", drop.folder.path, "--password-file", drop.passwordFile, "--ca-file", garbage.path,
        ])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "certdrop: the --ca-file file \(garbage.path): block 1 is damaged PEM (it cannot be decoded)\n")
    }
}
