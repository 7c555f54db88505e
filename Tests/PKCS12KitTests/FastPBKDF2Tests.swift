import CFastKDF
import COpenSSL
import Foundation
import Testing

@testable import PKCS12Kit

/// Bytes that are not all ASCII and not all the same, `count` long.
func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ Int(seed) &* 37 &+ 11) }
}

extension FastPBKDF2.Digest {
    var evp: OpaquePointer? { EVP_get_digestbyname(OBJ_nid2sn(nid)) }
}

/// OpenSSL's own PBKDF2 (`PKCS5_PBKDF2_HMAC`).
func openSSLPBKDF2(
    password: [UInt8], salt: [UInt8], iterations: Int, digest: FastPBKDF2.Digest, keyLength: Int
) -> [UInt8]? {
    var key = [UInt8](repeating: 0, count: keyLength)
    let chars = password.map { CChar(bitPattern: $0) }
    let done = PKCS5_PBKDF2_HMAC(
        chars, Int32(chars.count), salt, Int32(salt.count), Int32(iterations), digest.evp, Int32(keyLength), &key)
    return done == 1 ? key : nil
}

/// OpenSSL's own PKCS#12 KDF over a BMPString password (`PKCS12_key_gen_uni`).
func openSSLPKCS12KDF(
    bmpPassword: [UInt8]?, salt: [UInt8], id: Int32, iterations: Int, digest: FastPBKDF2.Digest, keyLength: Int
) -> [UInt8]? {
    var key = [UInt8](repeating: 0, count: keyLength)
    var salt = salt
    let done: Int32
    if var password = bmpPassword {
        done = PKCS12_key_gen_uni(
            &password, Int32(password.count), &salt, Int32(salt.count), id, Int32(iterations), Int32(keyLength),
            &key, digest.evp)
    } else {
        done = PKCS12_key_gen_uni(
            nil, 0, &salt, Int32(salt.count), id, Int32(iterations), Int32(keyLength), &key, digest.evp)
    }
    return done == 1 ? key : nil
}

/// The BMPString OpenSSL makes of a UTF-8 password (`OPENSSL_utf82uni`), with its two trailing zero bytes.
func bmp(_ utf8: [UInt8]) -> [UInt8] {
    var output: UnsafeMutablePointer<UInt8>? = nil
    var length: Int32 = 0
    let chars = utf8.map { CChar(bitPattern: $0) }
    guard OPENSSL_utf82uni(chars, Int32(chars.count), &output, &length) != nil, let output else { return [] }
    defer { cd_openssl_free(output) }
    return Array(UnsafeBufferPointer(start: output, count: Int(length)))
}

@Suite struct FastPBKDF2Tests {
    @Test func fastPathIsAvailable() {
        #expect(FastKeyDerivation.isAvailable)
    }

    /// RFC 6070's PBKDF2-HMAC-SHA1 vectors: the fast path agrees with the standard, not only with OpenSSL.
    @Test(arguments: [
        ("password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
        ("password", "salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
        ("password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"),
        (
            "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25,
            "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"
        ),
    ])
    func rfc6070(password: String, salt: String, iterations: Int, length: Int, expected: String) throws {
        let key = try #require(
            FastPBKDF2.derive(
                password: Array(password.utf8), salt: Array(salt.utf8), iterations: iterations, digest: .sha1,
                keyLength: length))
        #expect(key.map { String(format: "%02x", $0) }.joined() == expected)
    }

    /// Byte for byte against `PKCS5_PBKDF2_HMAC`: passwords shorter and longer than a block (longer ones are hashed
    /// first), empty and block-sized salts, one to many iterations, keys shorter and longer than one digest.
    @Test(arguments: FastPBKDF2.Digest.allCases)
    func pbkdf2MatchesOpenSSL(digest: FastPBKDF2.Digest) throws {
        var cases = 0
        for passwordLength in [0, 1, 17, 63, 64, 65, 127, 128, 129, 200] {
            for saltLength in [0, 1, 8, 16, 55, 56, 64, 100] {
                for iterations in [1, 2, 3, 97] {
                    for keyLength in [1, 16, 20, 28, 32, 33, 48, 64, 65, 100, 129] {
                        let password = pattern(passwordLength, seed: 1)
                        let salt = pattern(saltLength, seed: 2)
                        let fast = FastPBKDF2.derive(
                            password: password, salt: salt, iterations: iterations, digest: digest,
                            keyLength: keyLength)
                        let reference = openSSLPBKDF2(
                            password: password, salt: salt, iterations: iterations, digest: digest,
                            keyLength: keyLength)
                        #expect(reference != nil)
                        #expect(
                            fast == reference,
                            "password \(passwordLength) B, salt \(saltLength) B, \(iterations) iterations, \(keyLength) B"
                        )
                        cases += 1
                    }
                }
            }
        }
        #expect(cases == 10 * 8 * 4 * 11)
    }

    /// The parameters that matter in practice: OpenSSL 3 (2048), Windows (2000), keytool (10000), 8- and 16-byte
    /// salts, AES-128/192/256 key lengths.
    @Test(arguments: FastPBKDF2.Digest.allCases)
    func pbkdf2RealParameters(digest: FastPBKDF2.Digest) {
        for iterations in [2000, 2048, 10000] {
            for keyLength in [16, 24, 32] {
                for password in ["rsa-default-pw", "pässwörd-Zürich", ""] {
                    let salt = pattern(iterations == 2048 ? 8 : 16, seed: UInt8(keyLength))
                    #expect(
                        FastPBKDF2.derive(
                            password: Array(password.utf8), salt: salt, iterations: iterations, digest: digest,
                            keyLength: keyLength)
                            == openSSLPBKDF2(
                                password: Array(password.utf8), salt: salt, iterations: iterations, digest: digest,
                                keyLength: keyLength))
                }
            }
        }
    }

    /// Byte for byte against `PKCS12_key_gen_uni`: all three IDs, NULL, empty and long BMPString passwords, salts up
    /// to more than a block, outputs longer than one digest (which exercise the I += B + 1 step).
    @Test(arguments: FastPBKDF2.Digest.allCases)
    func pkcs12KDFMatchesOpenSSL(digest: FastPBKDF2.Digest) {
        let passwords: [[UInt8]?] = [
            nil, bmp([]), bmp(Array("rsa-default-pw".utf8)), bmp(Array("pässwörd-Zürich".utf8)),
            bmp([0x70, 0xE4, 0x73]), bmp(pattern(70, seed: 3).map { $0 & 0x7F | 0x20 }),
        ]
        for password in passwords {
            for saltLength in [1, 8, 20, 64, 65] {
                for id: Int32 in [1, 2, 3] {
                    for iterations in [1, 2, 57] {
                        for keyLength in [1, 8, 20, 24, 32, 48, 64, 100, 129] {
                            let salt = pattern(saltLength, seed: 4)
                            let fast = FastPBKDF2.pkcs12(
                                bmpPassword: password, salt: salt, id: id, iterations: iterations, digest: digest,
                                keyLength: keyLength)
                            let reference = openSSLPKCS12KDF(
                                bmpPassword: password, salt: salt, id: id, iterations: iterations, digest: digest,
                                keyLength: keyLength)
                            #expect(reference != nil)
                            #expect(
                                fast == reference,
                                "password \(password?.count ?? -1) B, salt \(saltLength), id \(id), \(iterations) it., \(keyLength) B"
                            )
                        }
                    }
                }
            }
        }
    }

    @Test func pkcs12KDFRealParameters() {
        for digest in [FastPBKDF2.Digest.sha1, .sha256] {
            for iterations in [2000, 2048, 10000] {
                let password = bmp(Array("java-pw".utf8))
                let salt = pattern(digest == .sha1 ? 20 : 8, seed: 5)
                #expect(
                    FastPBKDF2.pkcs12(
                        bmpPassword: password, salt: salt, id: 3, iterations: iterations, digest: digest,
                        keyLength: digest == .sha1 ? 20 : 32)
                        == openSSLPKCS12KDF(
                            bmpPassword: password, salt: salt, id: 3, iterations: iterations, digest: digest,
                            keyLength: digest == .sha1 ? 20 : 32))
            }
        }
    }

    /// What the fast functions leave to OpenSSL: other digests, no iterations, no output, no salt (PKCS#12 KDF).
    @Test func declinesWhatItDoesNotHandle() {
        var out = [UInt8](repeating: 0, count: 32)
        let password: [UInt8] = Array("pw".utf8)
        let salt: [UInt8] = Array("saltsalt".utf8)
        for nid in [NID_md5, NID_sha512_256, NID_sha3_256, NID_sm3, NID_undef] {
            #expect(cd_fast_pbkdf2(nid, password, password.count, salt, salt.count, 10, &out, 32) == 0)
            #expect(cd_fast_pkcs12_kdf(nid, password, password.count, salt, salt.count, 3, 10, &out, 32) == 0)
        }
        #expect(cd_fast_pbkdf2(NID_sha256, password, password.count, salt, salt.count, 0, &out, 32) == 0)
        #expect(cd_fast_pbkdf2(NID_sha256, password, password.count, salt, salt.count, 1, &out, 0) == 0)
        #expect(cd_fast_pkcs12_kdf(NID_sha256, password, password.count, salt, 0, 3, 10, &out, 32) == 0)
        #expect(FastPBKDF2.derive(password: password, salt: salt, iterations: 0, digest: .sha256, keyLength: 32) == nil)
    }
}
