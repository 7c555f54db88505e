import COpenSSL
import CertDropTestSupport
import Foundation
import Testing

@testable import PKCS12Kit

/// What opening a file yields, as bytes to compare: the JSON of every fact the report shows, the key's and the
/// certificates' DER, or the error's code and message.
private struct Opened: Equatable, CustomStringConvertible {
    /// Every public fact. Compared as values: the JSON of a `Set` (key usages) lists its members in hash order,
    /// which differs between two equal sets, so the JSON is only for the message.
    struct Facts: Encodable, Equatable {
        var certificate: CertificateFacts?
        var chain: [ChainCertificate]
        var pkcs12: PKCS12Facts
    }

    var facts: Facts?
    var keyDER: [UInt8]?
    var keyPKCS8: [UInt8]?
    var certificateDERs: [[UInt8]] = []
    var error: String?

    init(_ bytes: [UInt8], passwords: [String], direct: Bool) {
        do {
            let bundle = try PrivateKeyImport.$isEnabled.withValue(direct) {
                try PKCS12Bundle.open(bytes, passwords: passwords.map { SecretBytes(utf8: $0) })
            }
            facts = Facts(certificate: bundle.certificate, chain: bundle.chain, pkcs12: bundle.pkcs12)
            keyDER = bundle.key.map(OpenOutcome.der)
            keyPKCS8 = bundle.key.map(PrivateKeyImportTests.pkcs8DER)
            certificateDERs = ([bundle.leaf].compactMap { $0 } + bundle.others).map(\.der)
        } catch let error as PKCS12Error {
            self.error = "\(error.code): \(error.message)"
        } catch {
            self.error = "\(error)"
        }
    }

    var json: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return facts.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    var description: String { error ?? json ?? "?" }
}

/// The direct key import (`PrivateKeyImport`, `EVP_PKEY_fromdata`) against OpenSSL's decoder: the same keys, the
/// same facts and the same errors, for every fixture the tests have and for keys of every kind.
@Suite struct PrivateKeyImportTests {
    /// The PKCS#8 DER OpenSSL writes for a key (`EVP_PKEY2PKCS8`), as an export would carry it.
    static func pkcs8DER(_ key: PrivateKey) -> [UInt8] {
        key.withUnsafePointer { pointer in
            guard let info = EVP_PKEY2PKCS8(pointer) else { return [] }
            defer { PKCS8_PRIV_KEY_INFO_free(info) }
            var out: UnsafeMutablePointer<UInt8>? = nil
            let length = i2d_PKCS8_PRIV_KEY_INFO(info, &out)
            guard length > 0, let out else { return [] }
            defer { cd_openssl_free(out) }
            return Array(UnsafeBufferPointer(start: out, count: Int(length)))
        }
    }

    /// Opens `bytes` both ways and expects the same outcome.
    private static func expectSame(_ bytes: [UInt8], passwords: [String], _ name: String) {
        let direct = Opened(bytes, passwords: passwords, direct: true)
        let decoded = Opened(bytes, passwords: passwords, direct: false)
        #expect(direct == decoded, "\(name): \(direct) against \(decoded)")
    }

    @Test func everyGeneratedFixtureOpensTheSame() {
        #expect(pkcs12Fixtures.count >= 25)
        for fixture in pkcs12Fixtures {
            Self.expectSame(Fixtures.bytes(fixture.name), passwords: [fixture.password ?? ""], fixture.name)
        }
    }

    @Test func everyCraftedFixtureOpensTheSame() {
        #expect(!CraftedFixtures.pkcs12Rows.isEmpty)
        for row in CraftedFixtures.pkcs12Rows {
            Self.expectSame(CraftedFixtures.bytes(row.file), passwords: [row.password], row.file)
        }
    }

    @Test func everyInteropFixtureOpensTheSame() throws {
        let set = InteropSet.output
        try #require(!set.rows.isEmpty, "no interop fixtures:\n\(set.log)")
        for row in set.rows {
            let bytes = [UInt8]((try? Data(contentsOf: set.directory.appendingPathComponent(row.file))) ?? Data())
            Self.expectSame(bytes, passwords: [set.passwords[row.file] ?? ""], row.file)
        }
    }

    // MARK: keys of every kind

    /// A key made by `openssl genpkey options`, then turned by `openssl pkey`/`ec` with `convert` (if any), as
    /// PKCS#8 DER, and a self-signed certificate for it (`nil` for keys that cannot sign).
    static func material(_ options: [String], convert: [String] = [], certificate: Bool = true) throws
        -> (pkcs8: [UInt8], keyPEM: [UInt8], certificatePEM: [UInt8]?)
    {
        let folder = Fixtures.temporaryFolder("key-import")
        let made = folder.appendingPathComponent("made.pem")
        let key = folder.appendingPathComponent("key.pem")
        let der = folder.appendingPathComponent("key.der")
        let crt = folder.appendingPathComponent("key.crt")
        try #require(Fixtures.run(["/usr/bin/openssl", "genpkey"] + options + ["-out", made.path]) == 0)
        var source = made
        if !convert.isEmpty {
            try #require(Fixtures.run(["/usr/bin/openssl"] + convert + ["-in", made.path, "-out", key.path]) == 0)
            source = key
        }
        try #require(
            Fixtures.run([
                "/usr/bin/openssl", "pkcs8", "-topk8", "-nocrypt", "-in", source.path, "-outform", "DER", "-out",
                der.path,
            ]) == 0)
        var certificatePEM: [UInt8]?
        if certificate {
            try #require(
                Fixtures.run([
                    "/usr/bin/openssl", "req", "-new", "-x509", "-key", source.path, "-subj",
                    "/CN=key-import.certdrop.test", "-days", "30", "-out", crt.path,
                ]) == 0)
            certificatePEM = [UInt8](try Data(contentsOf: crt))
        }
        let pkcs8PEM = folder.appendingPathComponent("pkcs8.pem")
        try #require(
            Fixtures.run([
                "/usr/bin/openssl", "pkcs8", "-topk8", "-nocrypt", "-in", source.path, "-out", pkcs8PEM.path,
            ]) == 0)
        return ([UInt8](try Data(contentsOf: der)), [UInt8](try Data(contentsOf: pkcs8PEM)), certificatePEM)
    }

    /// The key OpenSSL's own `EVP_PKCS82PKEY` makes of `der`, as traditional DER (`nil`: none).
    static func openSSLKey(_ der: [UInt8]) -> [UInt8]? {
        der.withUnsafeBufferPointer { buffer -> [UInt8]? in
            var cursor = buffer.baseAddress
            guard let info = d2i_PKCS8_PRIV_KEY_INFO(nil, &cursor, buffer.count) else {
                ERR_clear_error()
                return nil
            }
            defer { PKCS8_PRIV_KEY_INFO_free(info) }
            guard let key = EVP_PKCS82PKEY(info) else {
                ERR_clear_error()
                return nil
            }
            return OpenOutcome.der(PrivateKey(taking: key))
        }
    }

    /// The outcome of `PBEDecryption.privateKey(fromPKCS8:)` (the shrouded key bag's decoding) one way.
    static func decode(_ der: [UInt8], direct: Bool) -> String {
        PrivateKeyImport.$isEnabled.withValue(direct) {
            do {
                guard let key = try PBEDecryption.privateKey(fromPKCS8: der, what: "the key") else { return "nil" }
                return "key " + OpenOutcome.der(key).map { String($0, radix: 16) }.joined() + " / "
                    + pkcs8DER(key).map { String($0, radix: 16) }.joined()
            } catch let error as PKCS12Error {
                return "error \(error.code): \(error.message)"
            } catch {
                return "error \(error)"
            }
        }
    }

    static let taken: [[String]] = [
        ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
        ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"],
        ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
        ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"],
    ]

    /// RSA with two primes and EC on the named curves: the direct import takes them, and makes the key OpenSSL's
    /// decoder makes (traditional and PKCS#8 encodings alike), and a PKCS#12 of it opens to the same facts.
    @Test(arguments: taken)
    func takenKeysMatchOpenSSL(options: [String]) throws {
        let made = try Self.material(options)
        let direct = try #require(PrivateKeyImport.key(fromPKCS8: made.pkcs8))
        #expect(OpenOutcome.der(direct) == Self.openSSLKey(made.pkcs8))
        #expect(Self.decode(made.pkcs8, direct: true) == Self.decode(made.pkcs8, direct: false))
        try Self.expectSameBundle(key: made.keyPEM, certificate: #require(made.certificatePEM), options, taken: true)
    }

    /// Shapes the direct import leaves to OpenSSL: it declines them (`mustDecline`; an EC key written without
    /// its public half may come back with it from `openssl pkcs8`, and is then taken), and they decode as before.
    @Test(arguments: [
        (["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:1024"], [String](), true, true),
        (["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-pkeyopt", "rsa_keygen_primes:3"], [], true, true),
        (["-algorithm", "ED25519"], [], true, true),
        (["-algorithm", "ED448"], [], true, true),
        (["-algorithm", "X25519"], [], false, true),
        (
            ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "ec_param_enc:explicit"], [], true,
            true
        ),
        (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], ["ec", "-conv_form", "compressed"], true, true),
        (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], ["ec", "-no_public"], true, false),
        (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:brainpoolP256r1"], [], true, true),
    ])
    func declinedKeysDecodeAsBefore(options: [String], convert: [String], signs: Bool, mustDecline: Bool) throws {
        let made = try Self.material(options, convert: convert, certificate: signs)
        let direct = PrivateKeyImport.key(fromPKCS8: made.pkcs8)
        if mustDecline {
            #expect(direct == nil)
        } else if let direct {
            #expect(OpenOutcome.der(direct) == Self.openSSLKey(made.pkcs8))
        }
        #expect(Self.openSSLKey(made.pkcs8) != nil)
        #expect(Self.decode(made.pkcs8, direct: true) == Self.decode(made.pkcs8, direct: false))
        if let certificate = made.certificatePEM {
            try Self.expectSameBundle(
                key: made.keyPEM, certificate: certificate, options, taken: mustDecline ? false : nil)
        }
    }

    /// A PKCS#12 of `key` and `certificate` (PKCS12Writer, AES-256) opens to the same facts both ways.
    /// `taken`: whether the file's key must have come through the direct import (`nil`: either way).
    private static func expectSameBundle(key: [UInt8], certificate: [UInt8], _ label: [String], taken: Bool?) throws {
        let material = try PEMMaterial(pieces: [certificate, key])
        let password = SecretBytes(utf8: "import-pw")
        let bytes = try PKCS12Writer.export(material, password: password, encryption: .aes256)
        let imported = PrivateKeyImport.Probe()
        let direct = PrivateKeyImport.$probe.withValue(imported) {
            Opened(bytes, passwords: ["import-pw"], direct: true)
        }
        #expect(direct.error == nil && direct.keyDER != nil, "\(label)")
        let skipped = PrivateKeyImport.Probe()
        let decoded = PrivateKeyImport.$probe.withValue(skipped) {
            Opened(bytes, passwords: ["import-pw"], direct: false)
        }
        #expect(direct == decoded, "\(label)")
        #expect(skipped.keys.load(ordering: .relaxed) == 0)
        if let taken { #expect((imported.keys.load(ordering: .relaxed) > 0) == taken, "\(label)") }
    }

    /// A key that is not the certificate's: both ways open the file and say the key does not match.
    @Test func mismatchedKeyGivesTheSameFacts() throws {
        let first = try Self.material(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        let second = try Self.material(["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"])
        for (key, certificate) in [(first.keyPEM, second.certificatePEM), (second.keyPEM, first.certificatePEM)] {
            let material = try PEMMaterial(pieces: [try #require(certificate), key])
            let bytes = try PKCS12Writer.export(material, password: SecretBytes(utf8: "p"), encryption: .aes256)
            let direct = Opened(bytes, passwords: ["p"], direct: true)
            #expect(direct.facts?.pkcs12.keyMatchesCertificate == false)
            #expect(direct == Opened(bytes, passwords: ["p"], direct: false))
        }
    }

    /// Damaged keys: a public point off the curve, the key labelled with another curve, a cut-off structure,
    /// trailing bytes, a damaged modulus. Whatever OpenSSL's decoder makes of each (nothing, mostly), the
    /// decoding with the direct import makes too.
    @Test func damagedKeysGiveTheSameOutcome() throws {
        let p256 = try Self.material(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]).pkcs8
        let k1 = try Self.material(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"]).pkcs8
        let rsa = try Self.material(["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]).pkcs8
        var offCurve = p256
        offCurve[offCurve.count - 10] ^= 0x5A
        // secp256k1 (1.3.132.0.10) relabelled secp384r1 (1.3.132.0.34): the same OID length, another curve.
        let secp256k1OID: [UInt8] = [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A]
        var wrongCurve = k1
        let at = try #require(
            (0...(wrongCurve.count - secp256k1OID.count)).first {
                Array(wrongCurve[$0..<$0 + secp256k1OID.count]) == secp256k1OID
            })
        wrongCurve[at + 6] = 0x22
        var modulus = rsa
        modulus[40] ^= 0xFF
        let cases: [(String, [UInt8], Bool)] = [
            ("public point off the curve", offCurve, false),
            ("another curve's OID", wrongCurve, false),
            ("cut off", Array(p256.prefix(p256.count - 20)), false),
            ("trailing bytes", p256 + [0x00, 0x00], true),
            ("RSA cut off", Array(rsa.prefix(rsa.count / 2)), false),
            ("RSA modulus damaged", modulus, true),
        ]
        for (label, der, maybeKey) in cases {
            #expect(Self.decode(der, direct: true) == Self.decode(der, direct: false), "\(label)")
            if !maybeKey { #expect(Self.decode(der, direct: false) == "nil", "\(label)") }
        }
    }
}
