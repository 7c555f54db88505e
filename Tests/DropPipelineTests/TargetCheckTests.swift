import CertDropTestSupport
import Foundation
import PKCS12Kit
import Testing

@testable import DropPipeline

/// `--target`: each profile against files it can and cannot read, made by `openssl pkcs12 -export`.
@Suite struct TargetCheckTests {
    let fixtures = TargetFixtures("target-check")

    private func inspect(_ path: String, password: String, targets: [String], usage: TLSUsage? = nil) -> ItemReport {
        var policy = ValidationPolicy()
        policy.targets = targets.compactMap(TargetProfile.named)
        policy.usage = usage
        let book = PasswordBook(entries: [], global: [SecretBytes(utf8: password)], useSidecars: false)
        let bytes = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
        let item = DropItem(source: path, relativeName: path, content: .success(bytes), filePath: path)
        return Inspector(policy: policy, passwords: book).inspect(item).report
    }

    private func codes(_ report: ItemReport) -> [ProblemCode] {
        report.problems.map(\.code).filter { $0 != .selfSigned }
    }

    // OpenSSL 3's default: PBES2 AES-256-CBC, hmacWithSHA256, SHA-256 MAC.
    @Test(arguments: [
        ("windows-2016", true), ("windows-2019", false), ("macos", true), ("java8", true), ("apim", true),
        ("public-tls", false),
    ])
    func aesFile(target: String, incompatible: Bool) throws {
        let pair = try fixtures.certificate("aes-\(target)", extensions: ["subjectAltName = DNS:a.test"])
        let path = try fixtures.pfx("aes-\(target)", pair, password: "pw")
        let report = inspect(path, password: "pw", targets: [target])
        #expect(codes(report) == (incompatible ? [.targetIncompatible] : []))
        if incompatible {
            let message = try #require(report.problems.first { $0.code == .targetIncompatible }?.message)
            #expect(message.hasPrefix("\(target) cannot read key encryption AES-256-CBC (PBES2, hmacWithSHA256)"))
            #expect(message.contains("--reencrypt"))
            #expect(!message.contains("pw"))
        }
    }

    // `-legacy`: RC2-40 certificates, 3DES key, SHA-1 MAC. App Service / APIM want triple DES throughout.
    @Test(arguments: [
        ("windows-2016", false), ("windows-2019", false), ("macos", false), ("java8", false), ("apim", true),
        ("public-tls", false),
    ])
    func legacyFile(target: String, incompatible: Bool) throws {
        let pair = try fixtures.certificate("legacy-\(target)", extensions: ["subjectAltName = DNS:a.test"])
        let path = try fixtures.pfx("legacy-\(target)", pair, password: "pw", options: ["-legacy"])
        let report = inspect(path, password: "pw", targets: [target])
        #expect(codes(report) == (incompatible ? [.legacyEncryption, .targetIncompatible] : [.legacyEncryption]))
        if incompatible {
            let message = try #require(report.problems.first { $0.code == .targetIncompatible }?.message)
            #expect(
                message == "apim cannot read certificate encryption RC2-40-CBC (PBES1); re-export it: certdrop "
                    + "import --reencrypt auto --target apim (or --reencrypt 3des), or "
                    + "openssl pkcs12 -export -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1")
        }
    }

    @Test func tripleDESIsReadByEveryTarget() throws {
        let pair = try fixtures.certificate("3des", extensions: ["subjectAltName = DNS:a.test"])
        let path = try fixtures.pfx("3des", pair, password: "pw", options: TargetFixtures.tripleDES)
        let report = inspect(path, password: "pw", targets: TargetProfile.all.map(\.name))
        #expect(codes(report) == [])
        #expect(
            report.pkcs12?.keySchemes == [
                EncryptionScheme(kind: "PBES1", cipher: "DES-EDE3-CBC", prf: nil, iterations: 2048)
            ])
    }

    @Test func severalTargetsGiveOneProblemEach() throws {
        let pair = try fixtures.certificate("several", extensions: ["subjectAltName = DNS:a.test"])
        let path = try fixtures.pfx("several", pair, password: "pw")
        let report = inspect(path, password: "pw", targets: ["windows-2016", "windows-2019", "java8"])
        let messages = report.problems.filter { $0.code == .targetIncompatible }.map(\.message)
        #expect(messages.count == 2)
        #expect(messages[0].hasPrefix("windows-2016 cannot read key encryption AES-256-CBC"))
        #expect(messages[0].contains("MAC digest SHA256"))
        #expect(messages[1].hasPrefix("java8 cannot read"))
    }

    @Test func keyTypesAtTheirEdges() throws {
        let rsa1024 = try fixtures.pfx(
            "rsa1024", try fixtures.certificate("rsa1024", key: "rsa:1024"), password: "pw",
            options: TargetFixtures.tripleDES)
        #expect(codes(inspect(rsa1024, password: "pw", targets: ["windows-2016"])) == [.weakKey])
        let apim = inspect(rsa1024, password: "pw", targets: ["apim"])
        #expect(codes(apim) == [.weakKey, .targetIncompatible])
        #expect(apim.problems.last?.message.contains("an RSA key of 1024 bits (at least 2048)") == true)
        #expect(apim.problems.last?.message.contains("--reencrypt") == false)
        let rsa2048 = try fixtures.pfx(
            "rsa2048", try fixtures.certificate("rsa2048"), password: "pw", options: TargetFixtures.tripleDES)
        #expect(codes(inspect(rsa2048, password: "pw", targets: ["apim"])) == [])
        let ed = try fixtures.pfx(
            "ed", try fixtures.certificate("ed", key: "ed25519"), password: "pw", options: TargetFixtures.tripleDES)
        let edReport = inspect(ed, password: "pw", targets: ["windows-2019"])
        #expect(codes(edReport) == [.targetIncompatible])
        #expect(
            edReport.problems.last?.message.hasSuffix(
                "an Ed25519 key; re-issue the certificate with a key windows-2019 reads") == true)
        let ec = try fixtures.pfx(
            "ec", try fixtures.certificate("ec", key: "ec:prime256v1"), password: "pw",
            options: TargetFixtures.tripleDES)
        #expect(codes(inspect(ec, password: "pw", targets: ["windows-2016"])) == [])
        #expect(codes(inspect(ec, password: "pw", targets: ["apim"])) == [.targetIncompatible])
    }

    @Test func reencryptAutoRewritesOnlyWhatATargetCannotRead() throws {
        let pair = try fixtures.certificate("auto", extensions: ["subjectAltName = DNS:a.test"])
        let aes = try fixtures.pfx("auto-aes", pair, password: "pw")
        let tripleDES = try fixtures.pfx("auto-3des", pair, password: "pw", options: TargetFixtures.tripleDES)
        var policy = ValidationPolicy()
        policy.targets = [TargetProfile.windows2016]
        policy.reencryptForTargets = true
        let book = PasswordBook(entries: [], global: [SecretBytes(utf8: "pw")], useSidecars: false)
        let inspector = Inspector(policy: policy, passwords: book)
        for (path, rewritten) in [(aes, true), (tripleDES, false)] {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let result = inspector.inspect(DropItem(source: path, relativeName: path, content: .success(bytes)))
            let material = try #require(result.upload)
            #expect((material.pkcs12 == bytes) == !rewritten)
            #expect(codes(result.report) == (rewritten ? [.reencrypted] : []))
            // What is uploaded passes the target's check when opened again.
            let reopened = try PKCS12Bundle.open(material.pkcs12, passwords: [SecretBytes(utf8: "pw")])
            #expect(
                TargetCompatibilityRule(targets: policy.targets).problems(
                    of: reopened.pkcs12, certificate: reopened.certificate
                ).isEmpty)
        }
    }

    @Test func pemPairsAreNormalisedInAnEncryptionEveryTargetReads() {
        var policy = ValidationPolicy()
        #expect(policy.exportEncryption == .aes256)
        policy.targets = [TargetProfile.windows2019]
        #expect(policy.exportEncryption == .aes256)
        policy.targets = [TargetProfile.windows2019, TargetProfile.macos]
        #expect(policy.exportEncryption == .tripleDES)
    }
}
