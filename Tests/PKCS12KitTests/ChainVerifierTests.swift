import CertDropTestSupport
import Foundation
import PKCS12Kit
import Testing

/// A root, an intermediate and a leaf on the fixed test calendar (`TestPKI.date`), made once per test.
struct TestChain {
    static let rootName = "CN=Chain Root, O=CertDrop Chain Test"
    static let intermediateName = "CN=Chain Intermediate, O=CertDrop Chain Test"
    static let leafName = "CN=leaf.chain.test, O=CertDrop Chain Test"

    let root: TestCertificate
    let intermediate: TestCertificate
    let leaf: TestCertificate

    init(
        intermediateNotBefore: Date = TestPKI.date(days: -180), intermediateNotAfter: Date = TestPKI.date(days: 1825),
        keyIdentifiers: Bool = false
    ) {
        root = TestPKI.certificate("Chain Root", isCA: true, keyIdentifiers: keyIdentifiers)
        intermediate = TestPKI.certificate(
            "Chain Intermediate", issuer: root, notBefore: intermediateNotBefore, notAfter: intermediateNotAfter,
            isCA: true, keyIdentifiers: keyIdentifiers)
        leaf = TestPKI.certificate(
            "leaf.chain.test", issuer: intermediate, notBefore: TestPKI.date(days: -30),
            notAfter: TestPKI.date(days: 365), keyIdentifiers: keyIdentifiers)
    }

    /// A CA bundle file's bytes.
    static func bundle(_ certificates: [TestCertificate]) -> [UInt8] {
        Array(certificates.map(\.pem).joined().utf8)
    }
}

@Suite struct ChainVerifierTests {
    private let now = TestPKI.date()

    private func path(
        _ leaf: TestCertificate, _ others: [TestCertificate], trust: TrustStore? = nil, at time: Date? = nil
    ) throws -> CertificatePath {
        try #require(ChainVerifier.path(leaf: leaf.der, others: others.map(\.der), trust: trust, at: time ?? now))
    }

    @Test func aCompleteChainEndsInTheFilesRoot() throws {
        let chain = TestChain()
        let path = try path(chain.leaf, [chain.root, chain.intermediate])
        #expect(path.elements.map(\.subject) == [TestChain.leafName, TestChain.intermediateName, TestChain.rootName])
        #expect(path.elements.map(\.issuer) == [TestChain.intermediateName, TestChain.rootName, TestChain.rootName])
        #expect(path.elements.map(\.origin) == [.file, .file, .file])
        #expect(path.elements.map(\.selfSigned) == [false, false, true])
        #expect(path.end == .file)
        #expect(!path.trustChecked)
        #expect(path.failures.isEmpty)
        #expect(path.unrelated.isEmpty)
        #expect(path.missingIssuer == nil)
    }

    @Test func aMissingIntermediateIsNamed() throws {
        let chain = TestChain()
        let alone = try path(chain.leaf, [])
        #expect(alone.end == .nowhere)
        #expect(alone.elements.map(\.subject) == [TestChain.leafName])
        #expect(alone.missingIssuer == TestChain.intermediateName)
        #expect(alone.failures.isEmpty)

        // The root is in the file, but nothing links the leaf to it.
        let withRoot = try path(chain.leaf, [chain.root])
        #expect(withRoot.end == .nowhere)
        #expect(withRoot.missingIssuer == TestChain.intermediateName)
        #expect(withRoot.unrelated.map(\.subject) == [TestChain.rootName])
    }

    @Test func aSelfSignedLeafAloneIsItsOwnRoot() throws {
        let leaf = TestPKI.certificate("self.chain.test", notBefore: TestPKI.date(days: -1))
        let path = try path(leaf, [])
        #expect(path.end == .file)
        #expect(path.elements.count == 1)
        #expect(path.failures.isEmpty)
    }

    /// notAfter one second after, exactly at, one second before the reference time.
    @Test(arguments: [(-1.0, false), (0.0, true), (1.0, true)])
    func anIntermediateExpiresAtItsNotAfter(offset: Double, expired: Bool) throws {
        let notAfter = TestPKI.date(days: 100)
        let chain = TestChain(intermediateNotAfter: notAfter)
        let path = try path(
            chain.leaf, [chain.intermediate, chain.root], at: notAfter.addingTimeInterval(offset))
        #expect(path.failures.map(\.kind) == (expired ? [.expired] : []), "\(path.failures)")
        #expect(path.failures.map(\.depth) == (expired ? [1] : []))
    }

    /// notBefore one second after, exactly at, one second before the reference time.
    @Test(arguments: [(-1.0, true), (0.0, false), (1.0, false)])
    func anIntermediateIsValidFromItsNotBefore(offset: Double, notYetValid: Bool) throws {
        let notBefore = TestPKI.date(days: 10)
        let chain = TestChain(intermediateNotBefore: notBefore)
        let path = try path(
            chain.leaf, [chain.intermediate, chain.root], at: notBefore.addingTimeInterval(offset))
        #expect(path.failures.map(\.kind) == (notYetValid ? [.notYetValid] : []), "\(path.failures)")
    }

    @Test func theLeafsOwnValidityIsLeftToTheLeafsChecks() throws {
        let chain = TestChain()
        let path = try path(chain.leaf, [chain.intermediate, chain.root], at: TestPKI.date(days: 400))
        #expect(path.failures.isEmpty)
    }

    @Test func anIntermediateWithTheRightNameAndAnotherKeyFailsTheSignature() throws {
        let chain = TestChain()
        let impostor = TestPKI.certificate(
            "Chain Intermediate", issuer: chain.root, notBefore: TestPKI.date(days: -180), isCA: true)
        let path = try path(chain.leaf, [impostor, chain.root])
        #expect(path.failures.map(\.kind) == [.signature])
        #expect(path.failures.map(\.depth) == [0])
        #expect(path.elements.map(\.thumbprint).dropFirst().first == SHA1.thumbprint(impostor.der))
    }

    @Test func aDamagedIntermediateSignatureFails() throws {
        let chain = TestChain()
        let path = try path(chain.leaf, [chain.intermediate.withDamagedSignature, chain.root])
        #expect(path.failures.map(\.kind) == [.signature])
        #expect(path.failures.map(\.depth) == [1])
    }

    @Test func withKeyIdentifiersAnImpostorIsNotTakenAsTheIssuer() throws {
        let chain = TestChain(keyIdentifiers: true)
        let impostor = TestPKI.certificate(
            "Chain Intermediate", issuer: chain.root, notBefore: TestPKI.date(days: -180), isCA: true,
            keyIdentifiers: true)
        let path = try path(chain.leaf, [impostor, chain.root])
        #expect(path.end == .nowhere)
        #expect(path.failures.isEmpty)
        #expect(Set(path.unrelated.map(\.subject)) == [TestChain.intermediateName, TestChain.rootName])
        // With the real intermediate the same names and identifiers make a complete path.
        let real = try self.path(chain.leaf, [chain.intermediate, chain.root])
        #expect(real.end == .file)
        #expect(real.failures.isEmpty)
    }

    @Test func anUnrelatedCertificateIsListed() throws {
        let chain = TestChain()
        let stranger = TestPKI.certificate("Stranger", isCA: true)
        let path = try path(chain.leaf, [chain.intermediate, stranger, chain.root])
        #expect(path.end == .file)
        #expect(path.unrelated.map(\.subject) == ["CN=Stranger, O=CertDrop Chain Test"])
        #expect(path.unrelated.map(\.thumbprint) == [SHA1.thumbprint(stranger.der)])
    }

    @Test func anIntermediateThatIsNotACAIsRefused() throws {
        let root = TestPKI.certificate("Chain Root", isCA: true)
        let notCA = TestPKI.certificate("Chain Intermediate", issuer: root, notBefore: TestPKI.date(days: -180))
        let leaf = TestPKI.certificate("leaf.chain.test", issuer: notCA, notBefore: TestPKI.date(days: -30))
        let path = try path(leaf, [notCA, root])
        #expect(path.end == .file)
        #expect(!path.failures.isEmpty)
        #expect(path.failures.allSatisfy { $0.kind == .other && $0.depth == 1 }, "\(path.failures)")
    }

    // MARK: trust stores

    @Test func theRightCAFileTrustsThePath() throws {
        let chain = TestChain()
        let trust = try TrustStore(caBundle: TestChain.bundle([chain.root]), system: nil)
        let withoutRoot = try path(chain.leaf, [chain.intermediate], trust: trust)
        #expect(withoutRoot.end == .caFile)
        #expect(withoutRoot.trustChecked)
        #expect(withoutRoot.elements.map(\.origin) == [.file, .file, .caFile])
        #expect(withoutRoot.failures.isEmpty)

        let withRoot = try path(chain.leaf, [chain.intermediate, chain.root], trust: trust)
        #expect(withRoot.end == .caFile)
        #expect(withRoot.elements.map(\.origin) == [.file, .file, .file])
        #expect(withRoot.unrelated.isEmpty)
    }

    @Test func anotherRootInTheCAFileLeavesTheFilesRootUntrusted() throws {
        let chain = TestChain()
        let other = TestPKI.certificate("Other Root", isCA: true)
        let trust = try TrustStore(caBundle: TestChain.bundle([other]), system: nil)
        let path = try path(chain.leaf, [chain.intermediate, chain.root], trust: trust)
        #expect(path.end == .file)
        #expect(path.trustChecked)
        #expect(path.elements.last?.subject == TestChain.rootName)
    }

    @Test func aTrustedIntermediateEndsThePath() throws {
        let chain = TestChain()
        let trust = try TrustStore(caBundle: TestChain.bundle([chain.intermediate]), system: nil)
        let alone = try path(chain.leaf, [], trust: trust)
        #expect(alone.end == .caFile)
        #expect(alone.elements.map(\.subject) == [TestChain.leafName, TestChain.intermediateName])
        #expect(alone.elements.map(\.origin) == [.file, .caFile])
        // The file's root is above the trusted intermediate: on the file's own path, so not unrelated.
        let whole = try path(chain.leaf, [chain.intermediate, chain.root], trust: trust)
        #expect(whole.end == .caFile)
        #expect(whole.unrelated.isEmpty)
    }

    @Test func aCAFileWithoutTheIntermediateLeavesThePathIncomplete() throws {
        let chain = TestChain()
        let trust = try TrustStore(caBundle: TestChain.bundle([chain.root]), system: nil)
        let path = try path(chain.leaf, [], trust: trust)
        #expect(path.end == .nowhere)
        #expect(path.missingIssuer == TestChain.intermediateName)
    }

    @Test func anExpiredTrustedRootIsAnExpiredPathCertificate() throws {
        let root = TestPKI.certificate(
            "Old Root", notBefore: TestPKI.date(days: -900), notAfter: TestPKI.date(days: -1), isCA: true)
        let leaf = TestPKI.certificate("leaf.chain.test", issuer: root, notBefore: TestPKI.date(days: -30))
        let trust = try TrustStore(caBundle: TestChain.bundle([root]), system: nil)
        let path = try path(leaf, [], trust: trust)
        #expect(path.end == .caFile)
        #expect(path.failures.map(\.kind) == [.expired])
        #expect(path.failures.map(\.depth) == [1])
    }

    @Test func aSystemStoreAtGivenLocationsEndsThePath() throws {
        let chain = TestChain()
        let folder = Fixtures.temporaryFolder("system-store")
        let file = folder.appendingPathComponent("roots.pem")
        try Data(TestChain.bundle([chain.root])).write(to: file)
        let trust = try TrustStore(caBundle: nil, system: .locations(file: file.path, directory: nil))
        let path = try path(chain.leaf, [chain.intermediate], trust: trust)
        #expect(path.end == .system)
        #expect(path.elements.map(\.origin) == [.file, .file, .system])
    }

    @Test func theMachinesStoreDoesNotTrustATestRoot() throws {
        let chain = TestChain()
        let trust = try TrustStore(caBundle: nil, system: .openSSLDefaults)
        let path = try path(chain.leaf, [chain.intermediate, chain.root], trust: trust)
        #expect(path.end == .file)
        #expect(path.trustChecked)
    }

    @Test func theMachinesStoreTrustsItsOwnRoots() throws {
        // The first certificate of the machine's bundle (Debian's ca-certificates), checked inside its validity.
        let bundle = try String(contentsOfFile: TrustStore.defaultLocations.file, encoding: .utf8)
        let block = try #require(bundle.components(separatedBy: "-----END CERTIFICATE-----").first)
        let base64 = try #require(block.components(separatedBy: "-----BEGIN CERTIFICATE-----").last)
        let der = try #require(Data(base64Encoded: base64, options: .ignoreUnknownCharacters))
        let facts = try #require(CertificateFile.facts(of: Array(der)))
        let trust = try TrustStore(caBundle: nil, system: .openSSLDefaults)
        let path = try #require(
            ChainVerifier.path(
                leaf: Array(der), others: [], trust: trust, at: facts.notBefore.addingTimeInterval(86_400)))
        #expect(path.end == .system)
        #expect(path.failures.isEmpty)
    }

    // MARK: CA bundles

    @Test func aCABundleIsReadBlockByBlock() throws {
        let chain = TestChain()
        let text = "subject=CN=Chain Root\n" + chain.root.pem + "\n" + chain.intermediate.pem
        let trust = try TrustStore(caBundle: Array(text.utf8), system: nil)
        #expect(trust.bundleCount == 2)
        let der = try TrustStore(caBundle: chain.root.der, system: nil)
        #expect(der.bundleCount == 1)
    }

    @Test(arguments: [
        ("", TrustStoreError.Code.empty),
        ("just some text\n", .empty),
        ("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", .notCertificate),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", .notCertificate),
    ])
    func aBadCABundleIsRefused(text: String, code: TrustStoreError.Code) {
        #expect(throws: TrustStoreError.self) { try TrustStore(caBundle: Array(text.utf8), system: nil) }
        do {
            _ = try TrustStore(caBundle: Array(text.utf8), system: nil)
        } catch {
            #expect(error.code == code, "\(error.message)")
        }
    }

    @Test func aKeyInACABundleIsNamed() throws {
        let chain = TestChain()
        let text = chain.root.pem + chain.root.key.pem
        do {
            _ = try TrustStore(caBundle: Array(text.utf8), system: nil)
            Issue.record("a key was accepted as a CA certificate")
        } catch {
            #expect(error.code == .notCertificate)
            #expect(error.message == "block 2 is \"PRIVATE KEY\", not a certificate")
        }
    }

    /// The cap, counted in certificates read: just under, on and over it.
    @Test(arguments: [(TrustStore.maxCertificates, true), (TrustStore.maxCertificates + 1, false)])
    func aCABundleIsCappedInCertificates(count: Int, accepted: Bool) throws {
        let pem = TestPKI.certificate("Many", isCA: true).pem
        let text = String(repeating: pem, count: count)
        do {
            let trust = try TrustStore(caBundle: Array(text.utf8), system: nil)
            #expect(accepted)
            #expect(trust.bundleCount == count)
        } catch {
            #expect(!accepted)
            #expect(error.code == .tooManyCertificates)
        }
    }

    @Test func aMissingSystemStoreIsAnError() {
        do {
            _ = try TrustStore(caBundle: nil, system: .locations(file: "/nonexistent/roots.pem", directory: nil))
            Issue.record("a missing store was accepted")
        } catch {
            #expect(error.code == .noSystemStore)
        }
    }

    // MARK: bundles

    @Test func aPKCS12BundlesPathIsItsLeafs() throws {
        let chain = TestChain()
        let bytes = TestPKI.pkcs12(leaf: chain.leaf, others: [chain.intermediate, chain.root], password: "pw")
        let bundle = try PKCS12Bundle.open(bytes, passwords: [SecretBytes(utf8: "pw")])
        let path = try #require(bundle.path(trust: nil, at: now))
        #expect(path.elements.map(\.subject) == [TestChain.leafName, TestChain.intermediateName, TestChain.rootName])
        #expect(path.end == .file)
    }
}

/// SHA-1 thumbprints as `CertificateFacts` shows them.
enum SHA1 {
    static func thumbprint(_ der: [UInt8]) -> String { CertificateFile.facts(of: der)?.thumbprint ?? "" }
}
