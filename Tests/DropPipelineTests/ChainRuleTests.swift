import CertDropTestSupport
import Foundation
import PKCS12Kit
import Testing

@testable import DropPipeline

/// A root, an intermediate and a leaf on the fixed test calendar (`TestPKI.date`), made per test.
private struct Chain {
    static let intermediateName = "CN=Chain Intermediate, O=CertDrop Chain Test"
    static let rootName = "CN=Chain Root, O=CertDrop Chain Test"

    let root: TestCertificate
    let intermediate: TestCertificate
    let leaf: TestCertificate

    init(intermediateNotBefore: Date = TestPKI.date(days: -180), intermediateNotAfter: Date = TestPKI.date(days: 1825))
    {
        root = TestPKI.certificate("Chain Root", isCA: true)
        intermediate = TestPKI.certificate(
            "Chain Intermediate", issuer: root, notBefore: intermediateNotBefore, notAfter: intermediateNotAfter,
            isCA: true)
        leaf = TestPKI.certificate(
            "leaf.chain.test", issuer: intermediate, notBefore: TestPKI.date(days: -30),
            notAfter: TestPKI.date(days: 365))
    }
}

/// The chain rules of `4-Check/`, through `ValidationPolicy.problems(of:)` on PKCS#12 files built in the test.
@Suite struct ChainRuleTests {
    private static let password = "chain-pw"

    private func problems(
        _ leaf: TestCertificate, _ others: [TestCertificate], now: Date = TestPKI.date(), minDays: Int = 30,
        trust: TrustStore? = nil
    ) throws -> [Problem] {
        let bytes = TestPKI.pkcs12(leaf: leaf, others: others, password: Self.password)
        let bundle = try PKCS12Bundle.open(bytes, passwords: [SecretBytes(utf8: Self.password)])
        return ValidationPolicy(minDays: minDays, now: now, trust: trust).problems(of: bundle)
    }

    private func caFile(_ certificates: [TestCertificate]) throws -> TrustStore {
        try TrustStore(caBundle: Array(certificates.map(\.pem).joined().utf8), system: nil)
    }

    @Test func aCompleteChainHasNoChainProblems() throws {
        let chain = Chain()
        #expect(try problems(chain.leaf, [chain.intermediate, chain.root]).map(\.code) == [])
    }

    @Test func aMissingIntermediateIsIncompleteAndNamed() throws {
        let chain = Chain()
        let alone = try problems(chain.leaf, [])
        #expect(alone.map(\.code) == [.incompleteChain])
        #expect(alone.map(\.severity) == [.warning])
        #expect(
            alone.first?.message
                == "the path stops at the leaf: its issuer \"\(Chain.intermediateName)\" is not in the file")
        let withRoot = try problems(chain.leaf, [chain.root])
        #expect(withRoot.map(\.code) == [.incompleteChain, .unrelatedCertificate])
    }

    @Test func aSelfSignedLeafAloneIsNotIncomplete() throws {
        let leaf = TestPKI.certificate("self.chain.test", notBefore: TestPKI.date(days: -1))
        #expect(try problems(leaf, []).map(\.code) == [.selfSigned])
    }

    /// The intermediate's notAfter one second ahead (valid, but within --min-days), exactly now, one second past.
    @Test(arguments: [
        (-1.0, [ProblemCode.expiringSoon]), (0.0, [.expiredChainCertificate]), (1.0, [.expiredChainCertificate]),
    ])
    func anExpiredIntermediate(offset: Double, codes: [ProblemCode]) throws {
        let notAfter = TestPKI.date(days: 100)
        let chain = Chain(intermediateNotAfter: notAfter)
        let found = try problems(
            chain.leaf, [chain.intermediate, chain.root], now: notAfter.addingTimeInterval(offset))
        #expect(found.map(\.code) == codes, "\(found)")
        #expect(found.allSatisfy { $0.message.contains(Chain.intermediateName) })
        if codes == [.expiredChainCertificate] {
            #expect(found.first?.severity == .error)
            #expect(found.first?.message.contains("expired on 2030-04-11T00:00:00Z") == true)
        }
    }

    @Test func anExpiredIntermediateWithNoMinimumIsFineASecondBefore() throws {
        let notAfter = TestPKI.date(days: 100)
        let chain = Chain(intermediateNotAfter: notAfter)
        let found = try problems(
            chain.leaf, [chain.intermediate, chain.root], now: notAfter.addingTimeInterval(-1), minDays: 0)
        #expect(found.map(\.code) == [])
    }

    @Test(arguments: [(-1.0, [ProblemCode.expiredChainCertificate]), (0.0, []), (1.0, [])])
    func aNotYetValidIntermediate(offset: Double, codes: [ProblemCode]) throws {
        let notBefore = TestPKI.date(days: 10)
        let chain = Chain(intermediateNotBefore: notBefore)
        let found = try problems(
            chain.leaf, [chain.intermediate, chain.root], now: notBefore.addingTimeInterval(offset))
        #expect(found.map(\.code) == codes, "\(found)")
        if !codes.isEmpty {
            #expect(found.first?.message.contains("is not valid before 2030-01-11T00:00:00Z") == true)
        }
    }

    /// The intermediate's notAfter just inside, exactly at and just outside --min-days (30) from now.
    @Test(arguments: [(-1.0, true), (0.0, false), (1.0, false)])
    func anIntermediateExpiringWithinMinDays(offset: Double, warned: Bool) throws {
        let now = TestPKI.date()
        let chain = Chain(intermediateNotAfter: now.addingTimeInterval(30 * 86_400 + offset))
        let found = try problems(chain.leaf, [chain.intermediate, chain.root], now: now)
        #expect(found.map(\.code) == (warned ? [.expiringSoon] : []), "\(found)")
        if warned {
            #expect(
                found.first?.message
                    == "the CA certificate \"\(Chain.intermediateName)\" (from the file) on the leaf's path expires on "
                    + "2030-01-30T23:59:59Z, in 29 days (minimum 30)")
        }
    }

    @Test func anUnrelatedCertificateIsAWarning() throws {
        let chain = Chain()
        let stranger = TestPKI.certificate("Stranger", isCA: true)
        let found = try problems(chain.leaf, [chain.intermediate, stranger, chain.root])
        #expect(found.map(\.code) == [.unrelatedCertificate])
        #expect(found.first?.severity == .warning)
        #expect(found.first?.message.hasPrefix("1 certificate in the file is on no path of the leaf: ") == true)
        #expect(found.first?.message.contains("\"CN=Stranger, O=CertDrop Chain Test\"") == true)
    }

    @Test func anIntermediateWithAnotherKeyIsAChainSignatureError() throws {
        let chain = Chain()
        let impostor = TestPKI.certificate(
            "Chain Intermediate", issuer: chain.root, notBefore: TestPKI.date(days: -180), isCA: true)
        let found = try problems(chain.leaf, [impostor, chain.root])
        #expect(found.map(\.code) == [.chainSignature])
        #expect(found.first?.severity == .error)
        #expect(
            found.first?.message.hasPrefix(
                "\"CN=leaf.chain.test, O=CertDrop Chain Test\" (from the file) does not verify against its issuer "
                    + "\"\(Chain.intermediateName)\" (from the file)") == true)
    }

    @Test func aDamagedSignatureIsAChainSignatureError() throws {
        let chain = Chain()
        let found = try problems(chain.leaf, [chain.intermediate.withDamagedSignature, chain.root])
        #expect(found.map(\.code) == [.chainSignature])
    }

    @Test func anIntermediateThatIsNotACAIsAnInvalidChain() throws {
        let root = TestPKI.certificate("Chain Root", isCA: true)
        let notCA = TestPKI.certificate("Chain Intermediate", issuer: root, notBefore: TestPKI.date(days: -180))
        let leaf = TestPKI.certificate("leaf.chain.test", issuer: notCA, notBefore: TestPKI.date(days: -30))
        let found = try problems(leaf, [notCA, root])
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.code == .invalidChain && $0.severity == .error }, "\(found)")
    }

    // MARK: trust

    @Test func anotherRootInTheCAFileIsAnUntrustedRoot() throws {
        let chain = Chain()
        let other = TestPKI.certificate("Other Root", isCA: true)
        let found = try problems(chain.leaf, [chain.intermediate, chain.root], trust: try caFile([other]))
        #expect(found.map(\.code) == [.untrustedRoot])
        #expect(found.first?.severity == .warning)
        #expect(
            found.first?.message
                == "the path ends in the root \"\(Chain.rootName)\" (from the file), not trusted by --ca-file")
    }

    @Test func theRightCAFileTrustsThePath() throws {
        let chain = Chain()
        let trust = try caFile([chain.root])
        #expect(try problems(chain.leaf, [chain.intermediate, chain.root], trust: trust).map(\.code) == [])
        #expect(try problems(chain.leaf, [chain.intermediate], trust: trust).map(\.code) == [])
    }

    @Test func aCAFileWithoutTheIntermediateNamesBothPlaces() throws {
        let chain = Chain()
        let found = try problems(chain.leaf, [], trust: try caFile([chain.root]))
        #expect(found.map(\.code) == [.incompleteChain])
        #expect(found.first?.message.hasSuffix("is in neither the file nor --ca-file") == true)
    }

    @Test func aSelfSignedLeafIsUntrustedWhenATrustStoreIsGiven() throws {
        let leaf = TestPKI.certificate("self.chain.test", notBefore: TestPKI.date(days: -1))
        let other = TestPKI.certificate("Other Root", isCA: true)
        let found = try problems(leaf, [], trust: try caFile([other]))
        #expect(found.map(\.code) == [.selfSigned, .untrustedRoot])
        #expect(found.last?.message == "the leaf is self-signed and not trusted by --ca-file")
    }

    @Test func theSystemStoreDoesNotTrustATestRoot() throws {
        let chain = Chain()
        let trust = try TrustStore(caBundle: nil, system: .openSSLDefaults)
        let found = try problems(chain.leaf, [chain.intermediate, chain.root], trust: trust)
        #expect(found.map(\.code) == [.untrustedRoot])
        #expect(found.first?.message.hasSuffix("not trusted by the system store") == true)
    }

    @Test func aLeafWhoseIssuerIsInTheSystemStoreIsComplete() throws {
        // A bundle standing in for the system store (OpenSSL reads it as it reads /etc/ssl/certs/ca-certificates.crt).
        let root = TestPKI.certificate("System Root", isCA: true)
        let leaf = TestPKI.certificate("leaf.chain.test", issuer: root, notBefore: TestPKI.date(days: -30))
        let folder = Fixtures.temporaryFolder("system-store")
        let file = folder.appendingPathComponent("roots.pem")
        try Data(root.pem.utf8).write(to: file)
        let system = try TrustSources(selection: .system, system: .locations(file: file.path, directory: nil)).load()
        #expect(try problems(leaf, [], trust: system).map(\.code) == [])
        // Without --trust system the same file is incomplete.
        #expect(try problems(leaf, []).map(\.code) == [.incompleteChain])
    }

    @Test func namesInMessagesCannotRewriteTheTerminal() throws {
        let root = TestPKI.certificate("Evil\u{1B}[2J Root\u{202E}", isCA: true)
        let leaf = TestPKI.certificate("leaf.chain.test", issuer: root, notBefore: TestPKI.date(days: -30))
        let found = try problems(leaf, [])
        #expect(found.map(\.code) == [.incompleteChain])
        let message = try #require(found.first?.message)
        #expect(!message.unicodeScalars.contains { DisplayText.needsEscape($0) }, "\(message)")
        #expect(message.contains("Root\\u{202e}"))
    }
}

/// `--ca-file` and `--trust` read into a trust store, and every way a CA file can be unusable.
@Suite struct TrustSourcesTests {
    @Test func noCAFileAndNoSystemIsNoStore() throws {
        #expect(try TrustSources().load() == nil)
    }

    @Test func aCAFileIsRead() throws {
        let folder = Fixtures.temporaryFolder("ca-file")
        let file = folder.appendingPathComponent("ca.pem")
        try Data(TestPKI.certificate("Chain Root", isCA: true).pem.utf8).write(to: file)
        let store = try #require(try TrustSources(caFile: file.path).load())
        #expect(store.bundleCount == 1)
        #expect(store.system == nil)
    }

    @Test(arguments: [
        ("missing", "cannot read the --ca-file file {path}: no such file"),
        ("empty", "the --ca-file file {path} is empty"),
        ("garbage", "the --ca-file file {path}: it holds no certificate (neither PEM CERTIFICATE blocks nor DER)"),
        ("key", "the --ca-file file {path}: block 1 is \"PRIVATE KEY\", not a certificate"),
        ("folder", "cannot read the --ca-file file {path}: a folder, not a regular file; not read"),
    ])
    func anUnusableCAFileIsAUsageError(kind: String, message: String) throws {
        let folder = Fixtures.temporaryFolder("ca-file")
        let file = folder.appendingPathComponent("ca.pem")
        switch kind {
        case "empty": try Data().write(to: file)
        case "garbage": try Data("not a certificate\n".utf8).write(to: file)
        case "key": try Data(TestKey().pem.utf8).write(to: file)
        case "folder": try FileManager.default.createDirectory(at: file, withIntermediateDirectories: true)
        default: break
        }
        do {
            _ = try TrustSources(caFile: file.path).load()
            Issue.record("\(kind) was accepted")
        } catch {
            #expect(error.code == .usage)
            #expect(error.message == message.replacingOccurrences(of: "{path}", with: file.path))
        }
    }

    /// Exactly at the cap the file is read (and found to hold no certificate); one byte over, it is not read.
    @Test(arguments: [(0, false), (1, true)])
    func aCAFileIsCappedInBytes(over: Int, refused: Bool) throws {
        let folder = Fixtures.temporaryFolder("ca-file")
        let file = folder.appendingPathComponent("ca.pem")
        try Data(count: TrustSources.maxCAFileBytes + over).write(to: file)
        do {
            _ = try TrustSources(caFile: file.path).load()
            Issue.record("a CA file of zeros was accepted")
        } catch {
            let limit = "more than \(TrustSources.maxCAFileBytes) bytes, the limit"
            #expect(error.message.hasSuffix(limit) == refused, "\(error.message)")
        }
    }
}
