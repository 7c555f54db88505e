import CertDropTestSupport
import Foundation
import Testing

@testable import PKCS12Kit

/// Opens a fixture with the password the generator lists for it.
func open(_ name: String, password: String? = nil, options: PKCS12Options = PKCS12Options()) throws -> PKCS12Bundle {
    let password = password ?? Fixtures.password(name) ?? ""
    return try PKCS12Bundle.open(Fixtures.bytes(name), passwords: [SecretBytes(utf8: password)], options: options)
}

/// The error code opening a fixture throws, or `nil` when it opens.
func openError(_ name: String, password: String? = nil, options: PKCS12Options = PKCS12Options()) -> PKCS12Error? {
    do {
        _ = try open(name, password: password, options: options)
        return nil
    } catch let error as PKCS12Error {
        return error
    } catch {
        return nil
    }
}

@Suite struct PKCS12BundleTests {
    @Test func legacyProviderLoads() {
        OpenSSLRuntime.ensureLoaded()
        #expect(OpenSSLRuntime.legacyProviderAvailable)
    }

    @Test func defaultFileFacts() throws {
        let bundle = try open("rsa-default.pfx")
        let certificate = try #require(bundle.certificate)
        #expect(certificate.subject == "CN=rsa-default.certdrop.test, O=CertDrop Test")
        #expect(certificate.issuer == "CN=CertDrop Test Intermediate CA")
        #expect(certificate.commonName == "rsa-default.certdrop.test")
        #expect(certificate.keyAlgorithm == "RSA")
        #expect(certificate.keyBits == 2048)
        #expect(certificate.curve == nil)
        #expect(certificate.signatureAlgorithm == "sha256WithRSAEncryption")
        #expect(!certificate.selfSigned)
        #expect(!certificate.weakSignature)
        #expect(certificate.thumbprint.count == 40)
        #expect(certificate.thumbprint == certificate.thumbprint.uppercased())
        #expect(certificate.sha256.count == 64)
        #expect(
            bundle.chain.map(\.subject) == [
                "CN=CertDrop Test Intermediate CA", "CN=CertDrop Test Root CA, O=CertDrop Test",
            ]
                || Set(bundle.chain.map(\.subject)) == [
                    "CN=CertDrop Test Intermediate CA", "CN=CertDrop Test Root CA, O=CertDrop Test",
                ])
        let facts = bundle.pkcs12
        #expect(facts.macAlgorithm == "SHA256")
        #expect(facts.macIterations == 2048)
        #expect(facts.certEncryption == "AES-256-CBC, PBKDF2-HMAC-SHA256, 2048 iterations")
        #expect(facts.keyEncryption == "AES-256-CBC, PBKDF2-HMAC-SHA256, 2048 iterations")
        #expect(!facts.legacyEncryption)
        #expect(facts.hasPrivateKey)
        #expect(facts.keyMatchesCertificate == true)
        #expect(facts.privateKeys == 1)
        #expect(facts.certificates == 3)
        #expect(facts.passwordCandidate == 0)
        #expect(facts.friendlyName == "rsa default")
        #expect(!facts.unprotected && !facts.emptyPassword && !facts.unencryptedKey)
    }

    @Test func thumbprintAgreesWithOpenSSL() throws {
        let bundle = try open("rsa-default.pfx")
        let folder = Fixtures.temporaryFolder("thumb")
        let passwordFile = folder.appendingPathComponent("pw").path
        try Data("rsa-default-pw".utf8).write(to: URL(fileURLWithPath: passwordFile))
        let pem = Fixtures.output([
            "/usr/bin/openssl", "pkcs12", "-in", Fixtures.path("rsa-default.pfx"), "-passin", "file:\(passwordFile)",
            "-nokeys", "-clcerts",
        ])
        let fingerprint = Fixtures.output(
            ["/usr/bin/openssl", "x509", "-noout", "-fingerprint", "-sha1"], input: pem.stdout)
        let text = String(decoding: fingerprint.stdout, as: UTF8.self)
        let expected = text.split(separator: "=").last.map { $0.replacingOccurrences(of: ":", with: "") }
        #expect(expected?.trimmingCharacters(in: .whitespacesAndNewlines) == bundle.certificate?.thumbprint)
    }

    @Test func legacyRC2File() throws {
        let facts = try open("rsa-legacy.pfx").pkcs12
        #expect(facts.legacyEncryption)
        #expect(facts.macAlgorithm == "SHA1")
        #expect(facts.certEncryption == "pbeWithSHA1And40BitRC2-CBC, 2048 iterations")
        #expect(facts.keyEncryption == "pbeWithSHA1And3-KeyTripleDES-CBC, 2048 iterations")
    }

    @Test func windowsTripleDESFile() throws {
        let facts = try open("rsa-3des.pfx").pkcs12
        #expect(!facts.legacyEncryption)
        #expect(facts.macAlgorithm == "SHA1")
        #expect(facts.macIterations == 2000)
        #expect(facts.certEncryption == "pbeWithSHA1And3-KeyTripleDES-CBC, 2000 iterations")
    }

    @Test func javaStyleFile() throws {
        let facts = try open("java-aes.pfx").pkcs12
        #expect(facts.macIterations == 10000)
        #expect(facts.keyEncryption == "AES-256-CBC, PBKDF2-HMAC-SHA256, 10000 iterations")
    }

    @Test(arguments: [("ec-p256.pfx", 256, "prime256v1"), ("ec-p384.pfx", 384, "secp384r1")])
    func ellipticCurveKeys(name: String, bits: Int, curve: String) throws {
        let certificate = try #require(try open(name).certificate)
        #expect(certificate.keyAlgorithm == "EC")
        #expect(certificate.keyBits == bits)
        #expect(certificate.curve == curve)
    }

    @Test func fileWithoutMACOpens() throws {
        let facts = try open("no-mac.pfx").pkcs12
        #expect(facts.macAlgorithm == nil)
        #expect(facts.macIterations == nil)
        #expect(!facts.unprotected)
        #expect(facts.passwordCandidate == 0)
    }

    @Test func fileWithoutMACAndWrongPassword() {
        #expect(openError("no-mac.pfx", password: "nope")?.code == .wrongPassword)
    }

    @Test func unprotectedFileOpensWithAnyPassword() throws {
        for password in ["anything", "", "something else"] {
            let facts = try open("unprotected.pfx", password: password).pkcs12
            #expect(facts.unprotected)
            #expect(facts.passwordCandidate == nil)
            #expect(facts.hasPrivateKey)
        }
    }

    @Test func emptyPassword() throws {
        let facts = try open("empty-password.pfx").pkcs12
        #expect(facts.emptyPassword)
        // The implicit empty candidate opens it even when only other passwords are given.
        let implicit = try open("empty-password.pfx", password: "not-it").pkcs12
        #expect(implicit.emptyPassword)
        #expect(implicit.passwordCandidate == nil)
        let noEmpty = PKCS12Options(tryEmptyPassword: false)
        #expect(openError("empty-password.pfx", password: "not-it", options: noEmpty)?.code == .wrongPassword)
    }

    @Test func nonASCIIPasswords() throws {
        #expect(try open("non-ascii-password.pfx").certificate != nil)
        // Given in NFC, made with NFD bytes.
        #expect(try open("nfd-password.pfx").certificate != nil)
        // Given in UTF-8, made with Latin-1 bytes: the MAC passes with UTF-8, the AES bags need Latin-1.
        #expect(try open("latin1-password.pfx").certificate != nil)
    }

    @Test func wrongPasswordIsToldApart() {
        let error = openError("wrong-password.pfx")
        #expect(error?.code == .wrongPassword)
        #expect(error?.message.contains("not-the-password") == false)
    }

    @Test func secondCandidateIsReportedByPosition() throws {
        let bundle = try PKCS12Bundle.open(
            Fixtures.bytes("rsa-3des.pfx"), passwords: [SecretBytes(utf8: "first"), SecretBytes(utf8: "3des-pw")])
        #expect(bundle.pkcs12.passwordCandidate == 1)
    }

    @Test func notPKCS12AndCorrupt() {
        #expect(openError("not-pkcs12.pfx")?.code == .notPKCS12)
        #expect(openError("corrupt.pfx")?.code == .corrupt)
        #expect((try? PKCS12Bundle.open([], passwords: [])) == nil)
        #expect(openError("not-pkcs12.pfx", password: "")?.code == .notPKCS12)
    }

    @Test func garbageNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let original = Fixtures.bytes("rsa-default.pfx")
        for round in 0..<200 {
            var bytes = original
            for _ in 0..<(1 + round % 8) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if round % 3 == 0 { bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator))) }
            do {
                _ = try PKCS12Bundle.open(bytes, passwords: [SecretBytes(utf8: "rsa-default-pw")])
            } catch {
                #expect(PKCS12Error.Code.allCases.contains(error.code))
            }
        }
    }

    @Test func iterationCapRefusesBeforeDeriving() {
        let error = openError("high-iterations.pfx")
        #expect(error?.code == .iterationLimit)
        #expect(error?.message.contains("1500000") == true)
        // A lower cap refuses an ordinary file too; a higher one lets the slow one through (not run here: slow).
        #expect(openError("rsa-default.pfx", options: PKCS12Options(maxIterations: 1000))?.code == .iterationLimit)
    }

    @Test func unsupportedAlgorithm() {
        // Rewrite the AES-256-CBC OID (2.16.840.1.101.3.4.1.42) to an arc no provider knows.
        var bytes = Fixtures.bytes("rsa-default.pfx")
        let oid: [UInt8] = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2A]
        var replaced = 0
        var index = 0
        while index + oid.count <= bytes.count {
            if Array(bytes[index..<(index + oid.count)]) == oid {
                bytes[index + oid.count - 1] = 0x7F
                replaced += 1
            }
            index += 1
        }
        #expect(replaced > 0)
        let error = #expect(throws: PKCS12Error.self) {
            try PKCS12Bundle.open(bytes, passwords: [SecretBytes(utf8: "rsa-default-pw")])
        }
        #expect(error?.code == .unsupportedAlgorithm)
    }

    @Test func certificateOnlyFile() throws {
        let bundle = try open("cert-only.pfx")
        #expect(!bundle.pkcs12.hasPrivateKey)
        #expect(bundle.pkcs12.keyMatchesCertificate == nil)
        #expect(bundle.certificate?.commonName == "cert-only.certdrop.test")
        #expect(bundle.chain.count == 2)
    }

    @Test func selfSignedIsBySignature() throws {
        #expect(try open("self-signed.pfx").certificate?.selfSigned == true)
        #expect(try open("rsa-default.pfx").certificate?.selfSigned == false)
    }

    @Test func weakKeyAndSignature() throws {
        #expect(try open("weak-key.pfx").certificate?.keyBits == 1024)
        let weak = try #require(try open("weak-signature.pfx").certificate)
        #expect(weak.weakSignature)
        #expect(weak.signatureAlgorithm == "sha1WithRSAEncryption")
    }

    @Test func unencryptedKeyBag() throws {
        let facts = try open("unencrypted-key.pfx").pkcs12
        #expect(facts.unencryptedKey)
        #expect(facts.keyEncryption == "none")
    }

    @Test func utf8SubjectIsReadable() throws {
        #expect(try open("utf8-subject.pfx").certificate?.subject == "CN=Zürich Test, O=Exämple GmbH, C=CH")
    }

    @Test func validityDates() throws {
        let expired = try #require(try open("expired.pfx").certificate)
        #expect(expired.notBefore == Date(timeIntervalSince1970: 1_577_836_800))
        #expect(expired.expirationDate == Date(timeIntervalSince1970: 1_609_459_200))
        let future = try #require(try open("not-yet-valid.pfx").certificate)
        #expect(future.notBefore > Date())
    }
}
