import COpenSSL
import CertDropTestSupport
import Foundation
import Testing

@testable import PKCS12Kit

/// `cd_pkcs8_to_pkey` (the key decoder told the key type) against OpenSSL's `EVP_PKCS82PKEY`.
@Suite struct PrivateKeyDecodingTests {
    /// The DER of a PKCS#8 PrivateKeyInfo made by `openssl genpkey` with `options`.
    static func pkcs8(_ options: [String]) throws -> [UInt8] {
        let folder = Fixtures.temporaryFolder("pkcs8")
        let pem = folder.appendingPathComponent("key.pem")
        let out = folder.appendingPathComponent("key.der")
        let status = Fixtures.run(["/usr/bin/openssl", "genpkey"] + options + ["-out", pem.path])
        try #require(status == 0, "openssl genpkey \(options.joined(separator: " "))")
        // genpkey writes RSA and EC keys in their traditional form with -outform DER; pkcs8 makes PrivateKeyInfo.
        let converted = Fixtures.run([
            "/usr/bin/openssl", "pkcs8", "-topk8", "-nocrypt", "-in", pem.path, "-outform", "DER", "-out", out.path,
        ])
        try #require(converted == 0)
        return [UInt8](try Data(contentsOf: out))
    }

    static func decode(_ der: [UInt8], _ decoder: (OpaquePointer) -> OpaquePointer?) -> [UInt8]? {
        der.withUnsafeBufferPointer { buffer -> [UInt8]? in
            var cursor = buffer.baseAddress
            guard let info = d2i_PKCS8_PRIV_KEY_INFO(nil, &cursor, buffer.count) else { return nil }
            defer { PKCS8_PRIV_KEY_INFO_free(info) }
            guard let key = decoder(info) else {
                ERR_clear_error()
                return nil
            }
            return OpenOutcome.der(PrivateKey(taking: key))
        }
    }

    @Test(arguments: [
        ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
        ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:1024"],
        ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
        ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"],
        ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "ec_param_enc:explicit"],
        ["-algorithm", "ED25519"], ["-algorithm", "ED448"], ["-algorithm", "X25519"], ["-algorithm", "X448"],
    ])
    func sameKeyAsOpenSSL(options: [String]) throws {
        let der = try Self.pkcs8(options)
        let hinted = Self.decode(der) { cd_pkcs8_to_pkey($0) }
        let plain = Self.decode(der) { EVP_PKCS82PKEY($0) }
        #expect(plain != nil)
        #expect(hinted == plain)
    }

    /// A PrivateKeyInfo whose key does not parse: neither decoder makes a key of it.
    @Test func damagedKeyGivesNoKey() throws {
        var der = try Self.pkcs8(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        // Flip two bytes inside the key: the structure still parses, the key does not.
        der[der.count - 40] ^= 0xFF
        der[der.count - 39] ^= 0xFF
        #expect(Self.decode(der) { cd_pkcs8_to_pkey($0) } == nil)
        #expect(Self.decode(der) { EVP_PKCS82PKEY($0) } == nil)
    }
}
