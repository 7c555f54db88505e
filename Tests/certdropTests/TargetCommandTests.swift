import CertDropTestSupport
import Foundation
import Testing

/// `validate --target` and `--usage` from the command line.
@Suite struct TargetCommandTests {
    @Test func validateWithTargets() throws {
        let fixtures = TargetFixtures("target-command")
        let pair = try fixtures.certificate("cli", extensions: ["subjectAltName = DNS:cli.test"])
        let aes = try fixtures.pfx("cli", pair, password: "pw")
        let passwordFile = fixtures.folder.appendingPathComponent("pw.txt")
        try Data("pw\r\n".utf8).write(to: passwordFile)
        let common = [aes, "--password-file", passwordFile.path, "--format", "json"]
        let modern = certdrop(["validate"] + common + ["--target", "windows-2019", "--target", "public-tls"])
        #expect(modern.status == 0, "\(modern.stdout)\(modern.stderr)")
        let old = certdrop(["validate"] + common + ["--target", "windows-2016", "--target", "java8"])
        #expect(old.status == 1)
        #expect(old.stdout.contains("windows-2016 cannot read key encryption AES-256-CBC (PBES2, hmacWithSHA256)"))
        #expect(old.stdout.contains("java8 cannot read key encryption AES-256-CBC (PBES2, hmacWithSHA256)"))
        #expect(!old.stdout.contains("\"password-whitespace\""))  // the line ending is not part of the password
        let usage = certdrop(["validate"] + common + ["--usage", "client"])
        #expect(usage.status == 0)
    }
}
