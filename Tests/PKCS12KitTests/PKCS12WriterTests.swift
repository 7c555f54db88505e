import CertDropTestSupport
import Foundation
import Testing

@testable import PKCS12Kit

@Suite struct PKCS12WriterTests {
    @Test(arguments: PKCS12Encryption.allCases)
    func reencryptKeepsTheCertificate(encryption: PKCS12Encryption) throws {
        let original = try open("rsa-legacy.pfx")
        let password = SecretBytes(utf8: "new-pw")
        let bytes = try PKCS12Writer.export(original, password: password, encryption: encryption)
        let reopened = try PKCS12Bundle.open(bytes, passwords: [password])
        #expect(reopened.certificate?.thumbprint == original.certificate?.thumbprint)
        #expect(reopened.pkcs12.keyMatchesCertificate == true)
        #expect(reopened.chain.count == original.chain.count)
        #expect(!reopened.pkcs12.legacyEncryption)
        switch encryption {
        case .aes256:
            #expect(reopened.pkcs12.keyEncryption?.hasPrefix("AES-256-CBC") == true)
            #expect(reopened.pkcs12.macAlgorithm == "SHA256")
        case .tripleDES:
            #expect(reopened.pkcs12.keyEncryption?.hasPrefix("pbeWithSHA1And3-KeyTripleDES-CBC") == true)
            #expect(reopened.pkcs12.macAlgorithm == "SHA1")
        }
        // OpenSSL's own command line reads what we wrote.
        let folder = Fixtures.temporaryFolder("writer")
        let file = folder.appendingPathComponent("out.pfx")
        let passwordFile = folder.appendingPathComponent("pw")
        try Data(bytes).write(to: file)
        try Data("new-pw".utf8).write(to: passwordFile)
        #expect(
            Fixtures.run([
                "/usr/bin/openssl", "pkcs12", "-in", file.path, "-passin", "file:\(passwordFile.path)", "-noout",
            ]) == 0)
    }

    @Test func pemBundleBecomesPKCS12() throws {
        let material = try PEMMaterial(pieces: [Fixtures.bytes("bundle/combined.pem")])
        #expect(material.keyCount == 1)
        #expect(material.certificateCount == 3)
        #expect(material.keyMatchesACertificate)
        let password = SecretBytes(utf8: "p")
        let bundle = try PKCS12Bundle.open(
            try PKCS12Writer.export(material, password: password, encryption: .aes256), passwords: [password])
        #expect(bundle.certificate?.commonName == "bundle-leaf.certdrop.test")
        #expect(bundle.pkcs12.keyMatchesCertificate == true)
        #expect(bundle.chain.count == 2)
    }

    @Test func encryptedPEMKey() throws {
        let pieces = [Fixtures.bytes("bundle/encrypted.crt"), Fixtures.bytes("bundle/encrypted.key")]
        #expect(PEMMaterial.hasEncryptedKey(pieces[1]))
        #expect(throws: PKCS12Error.self) { try PEMMaterial(pieces: pieces, passwords: [SecretBytes(utf8: "wrong")]) }
        let material = try PEMMaterial(
            pieces: pieces, passwords: [SecretBytes(utf8: "wrong"), SecretBytes(utf8: "pem-pw")])
        #expect(material.keyCount == 1)
        #expect(material.keyMatchesACertificate)
    }

    @Test func multipleKeysAreAllSeen() throws {
        // PKCS12_parse would keep the first key only; the bag walk sees both.
        let material = try PEMMaterial(
            pieces: [
                Fixtures.bytes("bundle/leaf.crt"), Fixtures.bytes("bundle/leaf.key"),
                Fixtures.bytes("bundle/encrypted.crt"), Fixtures.bytes("bundle/encrypted.key"),
            ], passwords: [SecretBytes(utf8: "pem-pw")])
        #expect(material.keyCount == 2)
        let password = SecretBytes(utf8: "p")
        let bundle = try PKCS12Bundle.open(
            try PKCS12Writer.export(material, password: password, encryption: .aes256), passwords: [password])
        #expect(bundle.pkcs12.privateKeys == 2)
        #expect(bundle.pkcs12.certificates == 2)
        #expect(bundle.pkcs12.keyMatchesCertificate == true)
    }

    @Test func keyWithoutItsCertificate() throws {
        let material = try PEMMaterial(pieces: [Fixtures.bytes("bundle/orphan.crt"), Fixtures.bytes("bundle/leaf.key")])
        #expect(!material.keyMatchesACertificate)
        let password = SecretBytes(utf8: "p")
        let bundle = try PKCS12Bundle.open(
            try PKCS12Writer.export(material, password: password, encryption: .aes256), passwords: [password])
        #expect(bundle.pkcs12.keyMatchesCertificate == false)
        #expect(bundle.pkcs12.hasPrivateKey)
        #expect(bundle.certificate?.commonName == "bundle-orphan.certdrop.test")
    }

    @Test func derCertificateFacts() {
        let facts = CertificateFile.facts(of: Fixtures.bytes("bundle/leaf.der"))
        #expect(facts?.commonName == "bundle-leaf.certdrop.test")
        #expect(CertificateFile.facts(of: Fixtures.bytes("bundle/leaf.crt"))?.thumbprint == facts?.thumbprint)
        #expect(CertificateFile.facts(of: Array("hello".utf8)) == nil)
    }
}
