import CertificateAPI
import CertificateClient
import Foundation
import Testing

@testable import DropPipeline
@testable import Migration
@testable import PKCS12Kit

/// `MigrationMatcher` on its own, over listings and item reports made here: which ids an item goes under, which
/// items are held back and why, and what becomes of the source's certificates no item covered.
@Suite struct MigrationMatcherTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let thumbprintA = String(repeating: "A1", count: 20)
    static let thumbprintB = String(repeating: "B2", count: 20)

    static func remote(
        _ id: String, thumbprint: String?, expires: Date = now.addingTimeInterval(86_400 * 90),
        keyVault: KeyVaultReference? = nil
    ) -> RemoteCertificate {
        RemoteCertificate(
            record: CertificateRecord(
                certificateId: id, subject: "CN=\(id)", thumbprint: thumbprint ?? "", expirationDate: expires),
            path: "/certificates/\(id)", keyVault: keyVault)
    }

    static func facts(thumbprint: String, expires: Date = now.addingTimeInterval(86_400 * 90)) -> CertificateFacts {
        CertificateFacts(
            thumbprint: thumbprint, sha256: String(repeating: "0", count: 64), subject: "CN=leaf", commonName: "leaf",
            issuer: "CN=ca", serialNumber: "01", notBefore: now.addingTimeInterval(-86_400), expirationDate: expires,
            selfSigned: false, isCertificateAuthority: false, keyAlgorithm: "EC", keyBits: 256, curve: "prime256v1",
            signatureAlgorithm: "ecdsa-with-SHA256", weakSignature: false)
    }

    static func pkcs12(hasKey: Bool) -> PKCS12Facts {
        PKCS12Facts(
            macAlgorithm: "SHA256", macIterations: 2_048, certEncryption: "AES-256-CBC",
            keyEncryption: hasKey ? "AES-256-CBC" : nil, legacyEncryption: false, hasPrivateKey: hasKey,
            keyMatchesCertificate: hasKey ? true : nil, privateKeys: hasKey ? 1 : 0, certificates: 1,
            passwordCandidate: 0, friendlyName: nil, unprotected: false, emptyPassword: false, unencryptedKey: false)
    }

    /// The report of a readable item with its template's id.
    static func item(
        _ source: String, thumbprint: String, id: String? = nil, hasKey: Bool = true, problems: [Problem] = []
    ) -> ItemReport {
        ItemReport(
            source: source, problems: problems, id: id ?? source, certificate: facts(thumbprint: thumbprint),
            pkcs12: pkcs12(hasKey: hasKey))
    }

    static func matcher(
        _ source: [RemoteCertificate], dialect: Dialect = .legacy, includeUnmatched: Bool = false,
        allowExpired: Bool = false
    ) -> MigrationMatcher {
        MigrationMatcher(
            source: source, targetDialect: dialect, includeUnmatched: includeUnmatched, allowExpired: allowExpired,
            now: now)
    }

    @Test func anItemGoesUnderEverySourceIDOfItsCertificateInIDOrder() {
        let matcher = Self.matcher([
            Self.remote("zeta", thumbprint: Self.thumbprintA), Self.remote("Alpha", thumbprint: Self.thumbprintA),
            Self.remote("other", thumbprint: Self.thumbprintB),
        ])
        var report = Self.item("drop/a.pfx", thumbprint: Self.thumbprintA.lowercased())
        #expect(matcher.assignIDs(&report) == ["Alpha", "zeta"])
        #expect(report.id == "Alpha")
        #expect(matcher.filter(report) == nil)
        #expect(matcher.uncovered.map(\.id) == ["other"])
    }

    @Test func theTemplatesInvalidIDNoLongerCountsOnceMatched() {
        let matcher = Self.matcher([Self.remote("gateway", thumbprint: Self.thumbprintA)])
        var report = Self.item(
            "drop/bad name?.pfx", thumbprint: Self.thumbprintA, problems: [Problem(.invalidID, "not an id")])
        #expect(report.verdict == .error)
        #expect(matcher.assignIDs(&report) == ["gateway"])
        #expect(report.problems.isEmpty)
        #expect(report.verdict == .ok)
    }

    @Test func aSecondItemWithTheSameCertificateTakesNoID() {
        let matcher = Self.matcher([Self.remote("gateway", thumbprint: Self.thumbprintA)])
        var first = Self.item("one.pfx", thumbprint: Self.thumbprintA)
        var second = Self.item("two.pfx", thumbprint: Self.thumbprintA)
        #expect(matcher.assignIDs(&first) == ["gateway"])
        #expect(matcher.assignIDs(&second) == [])
        #expect(second.id == nil)
        #expect(matcher.uncovered.isEmpty)
    }

    @Test func aCertificateWithoutItsKeyTakesNoIDAndLeavesTheSourceUncovered() {
        let matcher = Self.matcher([Self.remote("gateway", thumbprint: Self.thumbprintA)])
        var bare = Self.item("gateway.cer.pfx", thumbprint: Self.thumbprintA, hasKey: false)
        #expect(matcher.assignIDs(&bare) == [])
        #expect(bare.id == nil)
        #expect(matcher.filter(bare)?.action == .skipped)
        #expect(matcher.filter(bare)?.reason.code == "no-private-key")
        #expect(matcher.uncovered.map(\.id) == ["gateway"])
        // The PFX that holds the key, later in the drop, still covers it.
        var keyed = Self.item("gateway.pfx", thumbprint: Self.thumbprintA)
        #expect(matcher.assignIDs(&keyed) == ["gateway"])
        #expect(matcher.uncovered.isEmpty)
    }

    @Test func unmatchedItemsAreHeldUnlessIncluded() {
        let source = [Self.remote("gateway", thumbprint: Self.thumbprintA)]
        let held = Self.matcher(source)
        var report = Self.item("new.pfx", thumbprint: Self.thumbprintB, id: "new")
        #expect(held.assignIDs(&report) == [])
        #expect(report.id == nil)
        #expect(held.filter(report)?.action == .unmatched)
        #expect(held.filter(report)?.reason.code == "unmatched")

        let included = Self.matcher(source, includeUnmatched: true)
        var fresh = Self.item("new.pfx", thumbprint: Self.thumbprintB, id: "new")
        #expect(included.assignIDs(&fresh) == ["new"])
        #expect(included.filter(fresh) == nil)
        #expect(!fresh.problems.contains { $0.code == .duplicateID })
    }

    @Test func anIncludedUnmatchedItemUnderAnotherCertificatesSourceIDIsADuplicateID() {
        let matcher = Self.matcher([Self.remote("Gateway", thumbprint: Self.thumbprintA)], includeUnmatched: true)
        var report = Self.item("gateway.pfx", thumbprint: Self.thumbprintB, id: "gateway")
        #expect(matcher.assignIDs(&report) == ["gateway"])
        #expect(report.problems.map(\.code) == [.duplicateID])
        #expect(report.verdict == .error)
    }

    @Test func anUnreadableItemKeepsItsIDOnlyWhenUnmatchedItemsAreIncluded() {
        let unreadable = ItemReport(source: "broken.pfx", problems: [Problem(.corrupt, "cut short")], id: "broken")
        var held = unreadable
        #expect(Self.matcher([]).assignIDs(&held) == [])
        #expect(held.id == nil)
        #expect(Self.matcher([]).filter(held) == nil)
        var included = unreadable
        #expect(Self.matcher([], includeUnmatched: true).assignIDs(&included) == ["broken"])
    }

    @Test func keyVaultCertificatesAreReferencesInARMOnly() {
        let reference = KeyVaultReference(secretIdentifier: "https://vault.example/secrets/gateway")
        let certificate = Self.remote("gateway", thumbprint: Self.thumbprintA, keyVault: reference)
        let arm = Self.matcher([certificate], dialect: .arm)
        #expect(arm.isReference(certificate))
        var report = Self.item("gateway.pfx", thumbprint: Self.thumbprintA)
        #expect(arm.assignIDs(&report) == [])
        #expect(arm.filter(report)?.reason.code == "key-vault")
        #expect(arm.leftover(certificate, target: nil) == .reference(reference))

        let legacy = Self.matcher([certificate], dialect: .legacy)
        #expect(!legacy.isReference(certificate))
        guard case .line(.missingPFX, let failure) = legacy.leftover(certificate, target: nil) else {
            Issue.record("a Key Vault certificate migrated to legacy needs its PFX")
            return
        }
        #expect(failure?.message.contains("comes from Key Vault (https://vault.example/secrets/gateway)") == true)
    }

    /// The ARM id rule allows 80 characters: 79 and 80 migrate, 81 is skipped with the rule's reason.
    @Test(arguments: [(79, true), (80, true), (81, false)])
    func sourceIDsAreCheckedAgainstTheTargetsRule(_ length: Int, _ accepted: Bool) {
        let id = String(repeating: "c", count: length)
        let certificate = Self.remote(id, thumbprint: Self.thumbprintA)
        let matcher = Self.matcher([certificate], dialect: .arm)
        #expect((matcher.idProblem(certificate) == nil) == accepted)
        var report = Self.item("c.pfx", thumbprint: Self.thumbprintA)
        if accepted {
            #expect(matcher.assignIDs(&report) == [id])
            #expect(matcher.filter(report) == nil)
        } else {
            #expect(matcher.assignIDs(&report) == [])
            #expect(matcher.filter(report)?.reason.code == "invalid-id")
            guard case .line(.invalid, let failure) = matcher.leftover(certificate, target: nil) else {
                Issue.record("an id the target cannot take is invalid")
                return
            }
            #expect(failure?.message.contains("at most 80") == true)
        }
        // The legacy rule (256) takes all three.
        #expect(Self.matcher([certificate], dialect: .legacy).idProblem(certificate) == nil)
    }

    /// Expiry is judged at the matcher's time: a certificate expiring exactly then has not expired yet.
    @Test(arguments: [(-1.0, true), (0.0, false), (1.0, false)])
    func expiryIsJudgedAtTheRunsTime(_ offset: TimeInterval, _ expired: Bool) {
        let certificate = Self.remote("gateway", thumbprint: Self.thumbprintA, expires: Self.now + offset)
        let matcher = Self.matcher([certificate])
        #expect(matcher.hasExpired(certificate) == expired)
        let leftover = matcher.leftover(certificate, target: nil)
        if expired {
            #expect(leftover == .line(.skipped, leftoverFailure(leftover)))
            #expect(leftoverFailure(leftover)?.code == "expired")
            guard
                case .line(.missingPFX, _) = Self.matcher([certificate], allowExpired: true).leftover(
                    certificate, target: nil)
            else {
                Issue.record("--allow expired asks for the PFX")
                return
            }
        } else {
            #expect(leftoverFailure(leftover)?.code == "missing-pfx")
        }
    }

    @Test func anExpiredItemIsHeldOnlyWhenExpiryIsItsOnlyError() {
        let matcher = Self.matcher([Self.remote("gateway", thumbprint: Self.thumbprintA)])
        var expired = Self.item("a.pfx", thumbprint: Self.thumbprintA, problems: [Problem(.expired, "expired")])
        _ = matcher.assignIDs(&expired)
        #expect(matcher.filter(expired)?.reason.code == "expired")

        let other = Self.matcher([Self.remote("gateway", thumbprint: Self.thumbprintA)])
        var worse = Self.item(
            "b.pfx", thumbprint: Self.thumbprintA,
            problems: [Problem(.expired, "expired"), Problem(.keyMismatch, "mismatch")])
        _ = other.assignIDs(&worse)
        #expect(other.filter(worse) == nil, "left to the usual handling: invalid, with both errors")
    }

    @Test func aLeftoverTheTargetAlreadyHoldsIsUnchanged() {
        let certificate = Self.remote("gateway", thumbprint: Self.thumbprintA)
        let matcher = Self.matcher([certificate])
        #expect(matcher.leftover(certificate, target: certificate) == .line(.unchanged, nil))
        let elsewhere = Self.remote("gateway", thumbprint: Self.thumbprintB)
        let failure = leftoverFailure(matcher.leftover(certificate, target: elsewhere))
        #expect(failure?.code == "missing-pfx")
        #expect(failure?.message.hasSuffix("another certificate under this id (\(Self.thumbprintB))") == true)
    }

    @Test func aLeftoverWithoutAThumbprintSaysTheSourceShowsNone() {
        let certificate = Self.remote("pending", thumbprint: nil)
        let matcher = Self.matcher([certificate])
        #expect(!matcher.hasExpired(certificate))
        #expect(
            leftoverFailure(matcher.leftover(certificate, target: nil))?.message.contains("shows no thumbprint") == true
        )
    }

    @Test func ignoredItemsAreLeftAlone() {
        let matcher = Self.matcher([Self.remote("gateway", thumbprint: Self.thumbprintA)])
        var readme = ItemReport(source: "README.txt", problems: [], id: "README", ignored: true)
        #expect(matcher.assignIDs(&readme) == [])
        #expect(matcher.filter(readme) == nil)
        #expect(matcher.uncovered.map(\.id) == ["gateway"])
    }

    private func leftoverFailure(_ leftover: MigrationMatcher.Leftover) -> ManifestEntry.Failure? {
        if case .line(_, let failure) = leftover { return failure }
        return nil
    }
}
