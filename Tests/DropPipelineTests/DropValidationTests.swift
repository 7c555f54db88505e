import CertDropTestSupport
import Foundation
import PKCS12Kit
import Testing

@testable import DropPipeline

/// Runs `validate` over the generated fixtures with their password map.
func validateFixtures(
    policy: ValidationPolicy = ValidationPolicy(), paths: [String]? = nil, useMap: Bool = true
) throws -> (reports: [ItemReport], summary: ValidationSummary) {
    // The generator issues certificates valid from the moment it runs: check them after that moment.
    _ = Fixtures.directory
    var policy = policy
    policy.now = Date()
    let sources = PasswordSources(mapFile: useMap ? Fixtures.path("passwords.json") : nil)
    let book = try sources.load(environment: [:], standardInput: { nil })
    let reader = DropReader(paths: paths ?? [Fixtures.directory.path], unpacker: nil)
    let validation = DropValidation(reader: reader, inspector: Inspector(policy: policy, passwords: book))
    var reports: [ItemReport] = []
    let summary = validation.run { reports.append($0) }
    return (reports, summary)
}

extension [ItemReport] {
    func named(_ name: String) -> ItemReport? { first { $0.source.hasSuffix("/" + name) } }
}

@Suite struct DropValidationTests {
    /// Every flavour of the generator, with the verdict and the exact codes `validate` must give it.
    static let expectations: [(String, Verdict, [ProblemCode])] = [
        ("cert-only.pfx", .error, [.noPrivateKey]),
        ("corrupt.pfx", .error, [.corrupt]),
        ("ec-p256.pfx", .ok, []),
        ("ec-p384.pfx", .ok, []),
        ("empty-password.pfx", .warning, [.emptyPassword]),
        ("expired.pfx", .error, [.expired]),
        ("expiring-soon.pfx", .warning, [.expiringSoon]),
        ("high-iterations.pfx", .error, [.iterationLimit]),
        ("java-aes.pfx", .ok, []),
        ("latin1-password.pfx", .warning, [.nonASCIIPassword]),
        ("nfd-password.pfx", .warning, [.nonASCIIPassword]),
        ("no-mac.pfx", .warning, [.noMAC]),
        ("non-ascii-password.pfx", .warning, [.nonASCIIPassword]),
        ("not-pkcs12.pfx", .error, [.notPKCS12]),
        ("not-yet-valid.pfx", .error, [.notYetValid]),
        ("rsa-3des.pfx", .ok, []),
        ("rsa-default-copy.pfx", .ok, []),
        ("rsa-default.pfx", .error, [.duplicate, .duplicateID]),
        ("rsa-legacy.pfx", .warning, [.legacyEncryption]),
        ("self-signed.pfx", .ok, [.selfSigned]),
        ("sidecar.pfx", .ok, []),
        ("sidecar.pfx.password", .ignored, []),
        ("unencrypted-key.pfx", .warning, [.unencryptedKey]),
        ("unprotected.pfx", .warning, [.unprotected]),
        ("utf8-subject.pfx", .ok, []),
        ("weak-key.pfx", .warning, [.weakKey]),
        ("weak-signature.pfx", .warning, [.weakSignature]),
        ("wrong-password.pfx", .error, [.wrongPassword]),
        ("passwords.json", .ignored, []),
        ("fixtures.tsv", .ignored, []),
    ]

    @Test func everyFlavourGetsItsVerdict() throws {
        let (reports, _) = try validateFixtures(policy: ValidationPolicy(idTemplate: try IDTemplate("{cn}")))
        for (name, verdict, codes) in Self.expectations {
            let report = try #require(reports.named(name), "no report for \(name)")
            #expect(report.verdict == verdict, "\(name): \(report.problems)")
            #expect(report.problems.map(\.code) == codes, "\(name): \(report.problems)")
        }
    }

    @Test func resultsComeSortedBySource() throws {
        let sources = try validateFixtures().reports.map(\.source)
        let folder = Fixtures.directory.path
        let relative = sources.map { String($0.dropFirst(folder.count + 1)) }
        let keys = relative.map { $0.replacingOccurrences(of: "/", with: "\u{1}") }
        #expect(keys == keys.sorted())
        #expect(Set(sources).count == sources.count)
    }

    @Test func duplicateNamesTheEarlierSource() throws {
        let reports = try validateFixtures().reports
        let duplicate = try #require(reports.named("rsa-default.pfx")?.problems.first { $0.code == .duplicate })
        #expect(duplicate.message.hasSuffix("rsa-default-copy.pfx"))
        #expect(reports.named("rsa-default-copy.pfx")?.problems.contains { $0.code == .duplicate } == false)
    }

    @Test func factsInTheReport() throws {
        let report = try #require(try validateFixtures().reports.named("rsa-default.pfx"))
        #expect(report.id == "rsa-default")
        #expect(report.certificate?.subject == "CN=rsa-default.certdrop.test, O=CertDrop Test")
        #expect(report.chain.count == 2)
        #expect(report.pkcs12?.passwordCandidate == 0)
    }

    @Test func denySelfSignedMakesItAnError() throws {
        let reports = try validateFixtures(policy: ValidationPolicy(denySelfSigned: true)).reports
        let report = try #require(reports.named("self-signed.pfx"))
        #expect(report.verdict == .error)
        #expect(report.problems.first?.severity == .error)
    }

    @Test func minDaysMovesTheWarning() throws {
        let none = try validateFixtures(policy: ValidationPolicy(minDays: 0)).reports
        #expect(none.named("expiring-soon.pfx")?.verdict == .ok)
        let far = try validateFixtures(policy: ValidationPolicy(minDays: 365 * 20)).reports
        // Twenty years reach past the leaf, the intermediate and the root: each is named.
        let problems = far.named("rsa-3des.pfx")?.problems ?? []
        #expect(problems.map(\.code) == [.expiringSoon, .expiringSoon, .expiringSoon])
        #expect(problems.dropFirst().allSatisfy { $0.message.hasPrefix("the CA certificate \"CN=CertDrop Test") })
    }

    @Test func strictMakesUnknownFilesErrors() throws {
        let reports = try validateFixtures(policy: ValidationPolicy(strict: true)).reports
        #expect(reports.named("fixtures.tsv")?.problems.map(\.code) == [.unrecognised])
        #expect(reports.named("fixtures.tsv")?.verdict == .error)
    }

    @Test func idTemplates() throws {
        let byThumbprint = try validateFixtures(policy: ValidationPolicy(idTemplate: try IDTemplate("c-{thumbprint8}")))
        let report = try #require(byThumbprint.reports.named("ec-p256.pfx"))
        #expect(report.id == "c-" + String(report.certificate?.thumbprint.prefix(8) ?? ""))
        // No thumbprint without a readable file: no id.
        #expect(byThumbprint.reports.named("wrong-password.pfx")?.id == nil)

        let invalid = try validateFixtures(policy: ValidationPolicy(idTemplate: try IDTemplate("cert:{stem}")))
        #expect(invalid.reports.named("ec-p256.pfx")?.problems.map(\.code) == [.invalidID])

        let same = try validateFixtures(policy: ValidationPolicy(idTemplate: try IDTemplate("same")))
        let taken = same.reports.filter { $0.problems.contains { $0.code == .duplicateID } }
        #expect(taken.count == same.reports.filter { $0.verdict != .ignored }.count - 1)
    }

    @Test func templateErrors() {
        #expect(throws: PipelineError.self) { try IDTemplate("{nope}") }
        #expect(throws: PipelineError.self) { try IDTemplate("{stem") }
        #expect(throws: PipelineError.self) { try IDTemplate("") }
    }

    @Test func summaryCounts() throws {
        let (reports, summary) = try validateFixtures()
        #expect(summary.total == reports.count)
        #expect(summary.verdicts.values.reduce(0, +) == reports.count)
        #expect(summary.problems[.wrongPassword] == 1)
        #expect(summary.exitStatus(failOn: .error) == 1)
    }

    @Test func withoutPasswordsEncryptedFilesAreWrongPassword() throws {
        let reports = try validateFixtures(useMap: false).reports
        #expect(reports.named("rsa-default.pfx")?.problems.map(\.code).first == .wrongPassword)
        #expect(reports.named("sidecar.pfx")?.verdict == .ok)
        #expect(reports.named("empty-password.pfx")?.problems.map(\.code) == [.emptyPassword])
    }

    @Test func countFilesCountsWithoutReading() throws {
        let reports = try validateFixtures().reports
        let reader = DropReader(paths: [Fixtures.directory.path, Fixtures.path("ec-p256.pfx")], unpacker: nil)
        #expect(reader.countFiles() == reports.count + 1)
    }

    @Test func missingPathIsAnInputError() {
        let reader = DropReader(paths: ["/nonexistent/certdrop"], unpacker: nil)
        #expect(throws: PipelineError.self) { try reader.checkPaths() }
    }

    @Test func oversizedFileIsNotRead() throws {
        let folder = Fixtures.temporaryFolder("large")
        try Data(repeating: 0x41, count: 2048).write(to: folder.appendingPathComponent("big.pfx"))
        let reader = DropReader(paths: [folder.path], unpacker: nil, maxFileBytes: 1024)
        var items: [DropItem] = []
        reader.read { items.append($0) }
        #expect(items.count == 1)
        if case .failure(let problem) = items.first?.content {
            #expect(problem.code == .tooLarge)
        } else {
            Issue.record("expected too-large")
        }
    }
}
