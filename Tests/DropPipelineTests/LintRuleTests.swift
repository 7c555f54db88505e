import CertDropTestSupport
import Foundation
import PKCS12Kit
import Testing

@testable import DropPipeline

/// `key-usage`, `no-subject-alt-name` and `long-validity`, at their edges.
@Suite struct LintRuleTests {
    let fixtures = TargetFixtures("lint")

    private func report(
        _ name: String, extensions: [String], key: String = "rsa:2048", targets: [String] = [],
        usage: TLSUsage? = nil, days: Int = 90
    ) throws -> [ProblemCode] {
        let pair = try fixtures.certificate(name, key: key, days: days, extensions: extensions)
        let path = try fixtures.pfx(name, pair, password: "pw", options: TargetFixtures.tripleDES)
        var policy = ValidationPolicy()
        policy.targets = targets.compactMap(TargetProfile.named)
        policy.usage = usage
        let book = PasswordBook(entries: [], global: [SecretBytes(utf8: "pw")], useSidecars: false)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let item = DropItem(source: path, relativeName: path, content: .success(bytes))
        return Inspector(policy: policy, passwords: book).inspect(item).report.problems.map(\.code)
            .filter { $0 != .selfSigned }
    }

    @Test func subjectAltName() throws {
        // Off unless a server role is expected.
        #expect(try report("san-off", extensions: []) == [])
        #expect(try report("san-none", extensions: [], usage: .server) == [.noSubjectAltName])
        #expect(
            try report("san-eku", extensions: ["extendedKeyUsage = serverAuth"], usage: .server) == [.noSubjectAltName])
        #expect(try report("san-present", extensions: ["subjectAltName = DNS:a.test"], usage: .server) == [])
        #expect(try report("san-macos", extensions: [], targets: ["macos"]) == [.noSubjectAltName])
        // A client-only certificate is not a server certificate: key-usage says what is wrong instead.
        #expect(try report("san-client", extensions: ["extendedKeyUsage = clientAuth"], usage: .server) == [.keyUsage])
        #expect(try report("san-client-role", extensions: ["extendedKeyUsage = clientAuth"], usage: .client) == [])
    }

    @Test func keyUsage() throws {
        let san = "subjectAltName = DNS:a.test"
        #expect(try report("ku-none", extensions: [san], usage: .server) == [])
        #expect(try report("ku-sign", extensions: [san, "keyUsage = digitalSignature"], usage: .server) == [])
        #expect(try report("ku-rsa-enc", extensions: [san, "keyUsage = keyEncipherment"], usage: .server) == [])
        #expect(
            try report(
                "ku-ec-enc", extensions: [san, "keyUsage = keyEncipherment"], key: "ec:prime256v1", usage: .server) == [
                    .keyUsage
                ])
        #expect(
            try report(
                "ku-ec-agree", extensions: [san, "keyUsage = keyAgreement"], key: "ec:prime256v1", usage: .server) == []
        )
        #expect(try report("ku-nonrep", extensions: [san, "keyUsage = nonRepudiation"], usage: .client) == [.keyUsage])
        #expect(
            try report("eku-any", extensions: [san, "extendedKeyUsage = anyExtendedKeyUsage"], usage: .client) == [])
        #expect(
            try report("eku-both", extensions: [san, "extendedKeyUsage = serverAuth, clientAuth"], usage: .client) == []
        )
        #expect(
            try report("eku-code", extensions: [san, "extendedKeyUsage = codeSigning"], usage: .client) == [.keyUsage])
        // public-tls expects a server certificate.
        #expect(
            try report("eku-tls", extensions: [san, "extendedKeyUsage = clientAuth"], targets: ["public-tls"]) == [
                .keyUsage
            ])
    }

    @Test func keyUsageMessageSaysWhat() throws {
        let pair = try fixtures.certificate("ku-msg", extensions: ["extendedKeyUsage = codeSigning"])
        let certificate = try #require(
            CertificateFile.facts(of: try [UInt8](Data(contentsOf: URL(fileURLWithPath: pair.cert)))))
        let problems = KeyUsageRule(usage: .server).problems(of: certificate)
        #expect(
            problems.map(\.message) == [
                "not usable as a TLS server certificate: extendedKeyUsage allows codeSigning, not serverAuth"
            ])
    }

    // The period counts both ends (RFC 5280): notAfter − notBefore + 1 second.
    @Test(arguments: [
        (397 * 86_400, false), (398 * 86_400 - 1, false), (398 * 86_400, true), (399 * 86_400, true),
    ])
    func longValidityBefore2026(seconds: Int, flagged: Bool) {
        let notBefore = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z
        let problem = LongValidityRule().problem(
            notBefore: notBefore, notAfter: notBefore.addingTimeInterval(Double(seconds)))
        #expect((problem?.code == .longValidity) == flagged)
        if seconds == 398 * 86_400 {
            #expect(problem?.message.hasPrefix("a validity period of 398 days and 1 second (") == true)
        }
    }

    @Test(arguments: [
        // notBefore, allowed days
        (1_598_918_400 - 1, nil as Int?),  // 2020-08-31T23:59:59Z: before the rule
        (1_598_918_400, 398),  // 2020-09-01
        (1_773_532_800 - 1, 398),  // 2026-03-14T23:59:59Z
        (1_773_532_800, 200),  // 2026-03-15
        (1_805_068_800, 100),  // 2027-03-15
        (1_868_227_200, 47),  // 2029-03-15
    ])
    func longValiditySchedule(notBefore seconds: Int, allowed: Int?) {
        let notBefore = Date(timeIntervalSince1970: Double(seconds))
        let rule = LongValidityRule()
        let days = allowed ?? 398
        #expect(
            rule.problem(notBefore: notBefore, notAfter: notBefore.addingTimeInterval(Double(days * 86_400 - 1))) == nil
        )
        let over = rule.problem(notBefore: notBefore, notAfter: notBefore.addingTimeInterval(Double(days * 86_400)))
        #expect((over != nil) == (allowed != nil))
    }

    @Test func longValidityOnlyWithPublicTLS() throws {
        let san = "subjectAltName = DNS:a.test"
        #expect(try report("long-off", extensions: [san], days: 825) == [])
        // Issued now (from 2026-03-15): 200 days at most.
        #expect(try report("long-200", extensions: [san], targets: ["public-tls"], days: 200) == [.longValidity])
        #expect(try report("long-199", extensions: [san], targets: ["public-tls"], days: 199) == [])
    }
}

/// `password-whitespace` and `non-ascii-password`.
@Suite struct PasswordHygieneTests {
    let fixtures = TargetFixtures("hygiene")

    private func open(fileWith password: String, given: String, origin: PasswordOrigin = .passwordFile) throws
        -> ItemReport
    {
        let name = "h" + UUID().uuidString.prefix(8)
        let path = try fixtures.pfx(
            name, try fixtures.certificate(name), password: password, options: TargetFixtures.tripleDES)
        let book = PasswordBook(
            entries: [], global: [SecretBytes(utf8: given)], useSidecars: false, globalOrigins: [origin])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let item = DropItem(source: path, relativeName: path, content: .success(bytes))
        return Inspector(policy: ValidationPolicy(), passwords: book).inspect(item).report
    }

    private func codes(_ report: ItemReport) -> [ProblemCode] {
        report.problems.map(\.code).filter { $0 != .selfSigned }
    }

    @Test func trailingCarriageReturnFromAWindowsFile() throws {
        let report = try open(fileWith: "secret", given: "secret\r")
        #expect(codes(report) == [.passwordWhitespace])
        #expect(
            report.problems.first?.message
                == "the file opened only with a trailing carriage return removed from the password from the password file (--password-file); fix that source"
        )
    }

    @Test func leadingBOM() throws {
        let report = try open(fileWith: "secret", given: "\u{FEFF}secret", origin: .map)
        #expect(codes(report) == [.passwordWhitespace])
        #expect(
            report.problems.first?.message.contains("a leading BOM removed from the password from the password map")
                == true)
    }

    @Test func aSpaceThatIsPartOfThePassword() throws {
        let report = try open(fileWith: "secret ", given: "secret ", origin: .environment)
        #expect(codes(report) == [.passwordWhitespace])
        #expect(
            report.problems.first?.message
                == "the password from CERTDROP_PASSWORD has a trailing space and opened the file as given; tools that trim passwords will not open it"
        )
    }

    @Test func cleanPasswordsSayNothing() throws {
        #expect(codes(try open(fileWith: "secret", given: "secret")) == [])
        #expect(codes(try open(fileWith: "in side", given: "in side")) == [])
    }

    @Test func nonASCII() throws {
        let report = try open(fileWith: "pässwörd", given: "pässwörd", origin: .standardInput)
        #expect(codes(report) == [.nonASCIIPassword])
        #expect(!report.problems[0].message.contains("pässwörd"))
        #expect(
            report.problems[0].message.hasPrefix("the password from standard input (--password-stdin) is not ASCII"))
    }

    @Test func theWrongPasswordStaysWrong() throws {
        #expect(codes(try open(fileWith: "secret", given: "other\r")) == [.wrongPassword])
    }

    @Test func edgesFindEveryKind() {
        let (trimmed, found) = PasswordHygieneRule.edges(SecretBytes(utf8: "\u{FEFF} \tpw \r\n"))
        #expect(trimmed?.isEqual(to: SecretBytes(utf8: "pw")) == true)
        #expect(found == ["a leading BOM/space/tab", "a trailing carriage return/line feed/space"])
        #expect(PasswordHygieneRule.edges(SecretBytes(utf8: "p w")).trimmed == nil)
    }
}
