import COpenSSL
import CertDropTestSupport
import Foundation
import Testing

@testable import PKCS12Kit

/// Everything opening a file yields, down to the key and certificate bytes, or the error.
struct OpenOutcome: Hashable {
    var certificate: CertificateFacts?
    var chain: [ChainCertificate] = []
    var pkcs12: PKCS12Facts?
    var keyDER: [UInt8]?
    var certificateDERs: [[UInt8]] = []
    var error: PKCS12Error?

    init(_ name: String, password: String? = nil) {
        do {
            let bundle = try open(name, password: password)
            certificate = bundle.certificate
            chain = bundle.chain
            pkcs12 = bundle.pkcs12
            keyDER = bundle.key.map(Self.der)
            certificateDERs = ([bundle.leaf].compactMap { $0 } + bundle.others).map(\.der)
        } catch {
            self.error = error as? PKCS12Error
        }
    }

    static func der(_ key: PrivateKey) -> [UInt8] {
        key.withUnsafePointer { pointer in
            var out: UnsafeMutablePointer<UInt8>? = nil
            let length = i2d_PrivateKey(pointer, &out)
            guard length > 0, let out else { return [] }
            defer { cd_openssl_free(out) }
            return Array(UnsafeBufferPointer(start: out, count: Int(length)))
        }
    }
}

/// Runs `body` with the fast key derivations on or off, counting what the fast path did.
/// The fast PBES2 derivation is installed first (it is never by itself; `installFastKeyDerivation` is idempotent).
func withFastPath<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> (R, FastKeyDerivation.Probe) {
    OpenSSLRuntime.installFastKeyDerivation()
    let probe = FastKeyDerivation.Probe()
    let result = try FastKeyDerivation.$probe.withValue(probe) {
        try FastKeyDerivation.$isEnabled.withValue(enabled) { try body() }
    }
    return (result, probe)
}

/// Every PKCS#12 fixture the generator makes, with the password that opens it (or that the map lists).
let pkcs12Fixtures: [(name: String, password: String?)] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path)) ?? []
    return names.filter { $0.hasSuffix(".pfx") }.sorted().map { name in
        (name, name == "sidecar.pfx" ? "sidecar-pw" : Fixtures.password(name))
    }
}()

@Suite struct PBES2KeyDerivationTests {
    @Test func generatorIsInOpenSSLsTable() throws {
        #expect(OpenSSLRuntime.installFastKeyDerivation())
        #expect(OpenSSLRuntime.isFastKeyDerivationInstalled)
        #expect(PBES2KeyDerivation.isRegistered)
        var keygen: EVP_PBE_KEYGEN_PTR? = nil
        var cipher: Int32 = 0
        var digest: Int32 = 0
        #expect(EVP_PBE_find(EVP_PBE_TYPE_OUTER, NID_pbes2, &cipher, &digest, &keygen) == 1)
        let found = try #require(keygen)
        let builtIn: EVP_PBE_KEYGEN_PTR = PKCS5_v2_PBE_keyivgen
        #expect(unsafeBitCast(found, to: UnsafeRawPointer.self) != unsafeBitCast(builtIn, to: UnsafeRawPointer.self))
        #expect(cipher == -1 && digest == -1)
    }

    @Test func fixturesAreThere() {
        #expect(pkcs12Fixtures.count >= 25)
    }

    /// Every fixture opens to the same facts, key and certificates (or fails with the same error) with the fast
    /// path and with OpenSSL's own derivations; the fast path does the work wherever the file uses PBES2.
    @Test(arguments: pkcs12Fixtures.map(\.name))
    func sameOutcomeWithAndWithoutFastPath(name: String) {
        let password = pkcs12Fixtures.first { $0.name == name }?.password
        let (fast, fastProbe) = withFastPath(true) { OpenOutcome(name, password: password) }
        let (slow, slowProbe) = withFastPath(false) { OpenOutcome(name, password: password) }
        #expect(fast == slow)
        #expect(slowProbe.pbes2Keys.load(ordering: .relaxed) == 0 && slowProbe.macs.load(ordering: .relaxed) == 0)
        if let facts = fast.pkcs12, facts.keyEncryption?.contains("PBKDF2") == true {
            #expect(fastProbe.pbes2Keys.load(ordering: .relaxed) >= 1)
        }
        if fast.pkcs12?.macAlgorithm != nil {
            #expect(fastProbe.macs.load(ordering: .relaxed) >= 1)
        }
    }

    /// The same with a wrong password: the same error, and no key or certificate out of either path.
    @Test(arguments: ["rsa-default.pfx", "no-mac.pfx", "ec-p256.pfx", "java-aes.pfx", "rsa-legacy.pfx"])
    func sameErrorWithWrongPassword(name: String) {
        let (fast, _) = withFastPath(true) { OpenOutcome(name, password: "not-the-password") }
        let (slow, _) = withFastPath(false) { OpenOutcome(name, password: "not-the-password") }
        #expect(fast.error?.code == .wrongPassword)
        #expect(fast == slow)
    }

    /// Encrypted PKCS#8 keys of every PBES2 flavour OpenSSL writes: the fast path handles PBKDF2 with SHA-1 and
    /// SHA-2 PRFs (any cipher) and leaves the rest (MD5 PRF, scrypt) to OpenSSL; all decrypt to the same key either
    /// way.
    @Test(arguments: [
        (["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256"], true),
        (["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"], true),
        (["-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA224"], true),
        (["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA384"], true),
        (["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512"], true),
        (["-v2", "des-ede3-cbc", "-v2prf", "hmacWithSHA256"], true),
        (["-v2", "camellia-256-cbc", "-v2prf", "hmacWithSHA256"], true),
        // RC2 writes PBKDF2's optional keyLength and sets the key length from its own parameters.
        (["-v2", "rc2-cbc", "-v2prf", "hmacWithSHA256", "-provider", "legacy", "-provider", "default"], true),
        (["-v2", "aes-256-cbc", "-v2prf", "hmacWithMD5"], false),
        (["-v2", "aes-256-cbc", "-scrypt", "-scrypt_N", "1024"], false),
    ])
    func encryptedPKCS8Keys(options: [String], fast expectFast: Bool) throws {
        let folder = Fixtures.temporaryFolder("pbes2")
        let passwordFile = folder.appendingPathComponent("pw")
        try Data("pkcs8-pässword".utf8).write(to: passwordFile)
        let keyFile = folder.appendingPathComponent("key.pem")
        #expect(
            Fixtures.run([
                "/usr/bin/openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                folder.appendingPathComponent("plain.pem").path,
            ]) == 0)
        #expect(
            Fixtures.run(
                [
                    "/usr/bin/openssl", "pkcs8", "-topk8", "-in", folder.appendingPathComponent("plain.pem").path,
                    "-passout", "file:\(passwordFile.path)", "-iter", "1000", "-out", keyFile.path,
                ] + options) == 0)
        let pem = [UInt8](try Data(contentsOf: keyFile))
        let password = SecretBytes(utf8: "pkcs8-pässword")
        let (fast, fastProbe) = try withFastPath(true) { try PEMMaterial(pieces: [pem], passwords: [password]) }
        let (slow, _) = try withFastPath(false) { try PEMMaterial(pieces: [pem], passwords: [password]) }
        #expect(fast.keyCount == 1 && slow.keyCount == 1)
        #expect(fast.keys.map(OpenOutcome.der) == slow.keys.map(OpenOutcome.der))
        #expect((fastProbe.pbes2Keys.load(ordering: .relaxed) > 0) == expectFast)
        // A wrong password fails the same way on both paths.
        let wrong = SecretBytes(utf8: "wrong")
        let fastError = withFastPath(true) { try? PEMMaterial(pieces: [pem], passwords: [wrong]) }.0
        let slowError = withFastPath(false) { try? PEMMaterial(pieces: [pem], passwords: [wrong]) }.0
        #expect(fastError == nil && slowError == nil)
    }

    /// Exporting encrypts through the same generator (en_de = 1): what the fast path writes, OpenSSL's own path
    /// and the openssl command line read, and the other way round.
    @Test func exportRoundTripsAcrossPaths() throws {
        let original = try open("ec-p384.pfx")
        let password = SecretBytes(utf8: "export-pw")
        let (fastBytes, probe) = try withFastPath(true) {
            try PKCS12Writer.export(original, password: password, encryption: .aes256)
        }
        #expect(probe.pbes2Keys.load(ordering: .relaxed) >= 1)
        let (slowBytes, _) = try withFastPath(false) {
            try PKCS12Writer.export(original, password: password, encryption: .aes256)
        }
        for bytes in [fastBytes, slowBytes] {
            let (viaFast, _) = try withFastPath(true) { try PKCS12Bundle.open(bytes, passwords: [password]) }
            let (viaSlow, _) = try withFastPath(false) { try PKCS12Bundle.open(bytes, passwords: [password]) }
            #expect(viaFast.certificate == original.certificate && viaSlow.certificate == original.certificate)
            #expect(viaFast.pkcs12 == viaSlow.pkcs12)
            #expect(viaFast.key.map(OpenOutcome.der) == original.key.map(OpenOutcome.der))
        }
        let folder = Fixtures.temporaryFolder("pbes2-export")
        try Data(fastBytes).write(to: folder.appendingPathComponent("out.pfx"))
        try Data("export-pw".utf8).write(to: folder.appendingPathComponent("pw"))
        #expect(
            Fixtures.run([
                "/usr/bin/openssl", "pkcs12", "-in", folder.appendingPathComponent("out.pfx").path, "-passin",
                "file:\(folder.appendingPathComponent("pw").path)", "-noout",
            ]) == 0)
    }

    /// Many files opened at once from many threads, some with the fast path and some without: the generator keeps
    /// no state, and the switch of one task does not leak into another.
    @Test func concurrentOpensAgree() async throws {
        let names = ["rsa-default.pfx", "ec-p256.pfx", "java-aes.pfx", "no-mac.pfx", "non-ascii-password.pfx"]
        var expected: [String: OpenOutcome] = [:]
        for name in names { expected[name] = withFastPath(false) { OpenOutcome(name) }.0 }
        let reference = expected
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for round in 0..<40 {
                let name = names[round % names.count]
                let enabled = round % 3 != 0
                group.addTask {
                    let (outcome, probe) = withFastPath(enabled) { OpenOutcome(name) }
                    let used = probe.pbes2Keys.load(ordering: .relaxed) + probe.macs.load(ordering: .relaxed)
                    return outcome == reference[name] && (used > 0) == enabled
                }
            }
            for try await agreed in group { #expect(agreed) }
        }
        // And from plain threads outside any task, as the validation pipeline's Dispatch workers call it.
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            let name = names[index % names.count]
            results.record(OpenOutcome(name) == reference[name])
        }
        #expect(results.all)
    }
}

/// `@unchecked Sendable`: guarded by its lock.
final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Bool] = []
    func record(_ value: Bool) { lock.withLock { values.append(value) } }
    var all: Bool { lock.withLock { !values.isEmpty && values.allSatisfy { $0 } } }
}
