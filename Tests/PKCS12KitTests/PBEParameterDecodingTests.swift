import CFastKDF
import COpenSSL
import Foundation
import SwiftASN1
import Testing

@testable import PKCS12Kit

/// DER built in the test, one TLV at a time.
private func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
    precondition(content.count < 0x1_0000)
    if content.count < 0x80 { return [tag, UInt8(content.count)] + content }
    if content.count < 0x100 { return [tag, 0x81, UInt8(content.count)] + content }
    return [tag, 0x82, UInt8(content.count >> 8), UInt8(content.count & 0xFF)] + content
}
private func seq(_ parts: [UInt8]...) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }
/// An OBJECT IDENTIFIER from its dotted form (constant strings of the test; a bad one gives an empty TLV, which
/// the expectations then fail on).
private func oid(_ dotted: String) -> [UInt8] {
    guard let identifier = try? ASN1ObjectIdentifier(dotRepresentation: dotted) else { return [0x06, 0x00] }
    var serializer = DER.Serializer()
    guard (try? serializer.serialize(identifier)) != nil else { return [0x06, 0x00] }
    return serializer.serializedBytes
}
/// A DER INTEGER of `value` (two's complement, minimal).
private func integer(_ value: Int64) -> [UInt8] {
    var bytes = withUnsafeBytes(of: value.bigEndian, Array.init)
    while bytes.count > 1, (bytes[0] == 0 && bytes[1] & 0x80 == 0) || (bytes[0] == 0xFF && bytes[1] & 0x80 != 0) {
        bytes.removeFirst()
    }
    return tlv(0x02, bytes)
}
private let salt = tlv(0x04, Array(repeating: 0xA5, count: 8))
private let pbes2OID = oid("1.2.840.113549.1.5.13")
private let pbkdf2OID = oid("1.2.840.113549.1.5.12")
private let hmacSHA256 = seq(oid("1.2.840.113549.2.9"), [0x05, 0x00])
private let aes256 = seq(oid("2.16.840.1.101.3.4.1.42"), tlv(0x04, Array(repeating: 1, count: 16)))

/// A PBES2 AlgorithmIdentifier with PBKDF2 over `kdfParameters` (or another KDF) and `encryption`.
private func pbes2(kdf: [UInt8]? = nil, kdfParameters: [UInt8], encryption: [UInt8] = aes256) -> [UInt8] {
    seq(pbes2OID, seq(seq(kdf ?? pbkdf2OID, kdfParameters), encryption))
}

/// What PKCS12Kit makes of an AlgorithmIdentifier: its fields and the error `check` throws (`nil`: none), or
/// `nil` when OpenSSL cannot read the AlgorithmIdentifier at all.
private func read(_ der: [UInt8], maxIterations: Int = 10_000_000) -> (PBEAlgorithm, PKCS12Error?)? {
    OpenSSLRuntime.ensureLoaded()
    return der.withUnsafeBufferPointer { buffer -> (PBEAlgorithm, PKCS12Error?)? in
        var cursor = buffer.baseAddress
        guard let parsed = d2i_X509_ALGOR(nil, &cursor, buffer.count) else {
            ERR_clear_error()
            return nil
        }
        defer { X509_ALGOR_free(parsed) }
        guard let algorithm = PBEAlgorithm(UnsafePointer(parsed)) else { return nil }
        do {
            _ = try algorithm.check(maxIterations: maxIterations, what: "a private key")
            return (algorithm, nil)
        } catch {
            return (algorithm, error as? PKCS12Error)
        }
    }
}

@Suite struct PBEParameterDecodingTests {
    @Test func wellFormedPBES2() throws {
        let (algorithm, error) = try #require(read(pbes2(kdfParameters: seq(salt, integer(2048), hmacSHA256))))
        #expect(error == nil)
        #expect(algorithm.scheme == NID_pbes2 && algorithm.cipher == NID_aes_256_cbc)
        #expect(algorithm.prf == NID_hmacWithSHA256 && algorithm.iterations == 2048)
        #expect(algorithm.description == "AES-256-CBC, PBKDF2-HMAC-SHA256, 2048 iterations")
        // No PRF: the default, HMAC-SHA1.
        let (noPRF, _) = try #require(read(pbes2(kdfParameters: seq(salt, integer(2048)))))
        #expect(noPRF.prf == NID_hmacWithSHA1)
    }

    @Test func wellFormedPBES1() throws {
        let der = seq(oid("1.2.840.113549.1.12.1.3"), seq(salt, integer(2000)))
        let (algorithm, error) = try #require(read(der))
        #expect(error == nil)
        #expect(algorithm.scheme == NID_pbe_WithSHA1And3_Key_TripleDES_CBC && algorithm.iterations == 2000)
        #expect(algorithm.description == "pbeWithSHA1And3-KeyTripleDES-CBC, 2000 iterations")
    }

    /// The iteration cap at its edges: just under, exactly on, just over.
    @Test(arguments: [(9_999_999, false), (10_000_000, false), (10_000_001, true)])
    func iterationCap(iterations: Int, over: Bool) throws {
        let (algorithm, error) = try #require(read(pbes2(kdfParameters: seq(salt, integer(Int64(iterations))))))
        #expect(algorithm.iterations == iterations)
        #expect(error?.code == (over ? PKCS12Error.Code.iterationLimit : nil))
        if over {
            #expect(
                error?.message
                    == "a private key asks for 10000001 key-derivation iterations, over the limit of 10000000")
        }
    }

    /// Huge counts: one that fits a long is over the cap; one that does not is unreadable.
    @Test func hugeIterationCounts() throws {
        let (big, bigError) = try #require(read(pbes2(kdfParameters: seq(salt, integer(Int64(Int32.max) * 4)))))
        #expect(big.iterations == Int(Int32.max) * 4 && bigError?.code == .iterationLimit)
        let tooBig = tlv(0x02, [0x01] + Array(repeating: 0, count: 9))  // 2^72
        let (huge, hugeError) = try #require(read(pbes2(kdfParameters: seq(salt, tooBig))))
        #expect(huge.iterations == -1 && hugeError?.code == .corrupt)
    }

    @Test(arguments: [0, -1, -2048])
    func nonPositiveIterations(iterations: Int) throws {
        let (_, error) = try #require(read(pbes2(kdfParameters: seq(salt, integer(Int64(iterations))))))
        #expect(error?.code == .corrupt)
        #expect(error?.message == "a private key has unreadable PBES2 parameters")
    }

    /// Wrong tags and cut-short parameters: the parameters are unreadable, reported as damage.
    @Test func wrongTagsAndTruncation() throws {
        let cases: [[UInt8]] = [
            // PBES2-params as a SET.
            seq(pbes2OID, tlv(0x31, seq(pbkdf2OID, seq(salt, integer(2048))) + aes256)),
            // PBKDF2-params as a SET.
            pbes2(kdfParameters: tlv(0x31, salt + integer(2048))),
            // The iteration count as an OCTET STRING.
            pbes2(kdfParameters: seq(salt, tlv(0x04, [0x08, 0x00]))),
            // No iteration count.
            pbes2(kdfParameters: seq(salt)),
            // PBKDF2-params whose length claims more than there is (inside a well-formed outer structure).
            pbes2(kdfParameters: [0x30, 0x20] + salt + integer(2048)),
            // PBES1 parameters without the count.
            seq(oid("1.2.840.113549.1.12.1.3"), seq(salt)),
        ]
        for der in cases {
            let (algorithm, error) = try #require(read(der), "\(der)")
            #expect(algorithm.iterations == -1)
            #expect(error?.code == .corrupt, "\(der)")
        }
        // Cut short as a whole: OpenSSL does not read it as an AlgorithmIdentifier.
        let whole = pbes2(kdfParameters: seq(salt, integer(2048)))
        for cut in [1, 2, whole.count / 2, whole.count - 1] {
            #expect(read(Array(whole.prefix(cut))) == nil)
        }
    }

    /// An unknown PRF reads as NID_undef and is left to the decryption (as before); an unknown KDF or scheme is
    /// unsupported.
    @Test func unknownAlgorithms() throws {
        let unknownPRF = seq(oid("1.3.6.1.4.1.99999.1"), [0x05, 0x00])
        let (prf, prfError) = try #require(read(pbes2(kdfParameters: seq(salt, integer(2048), unknownPRF))))
        #expect(prf.prf == NID_undef && prf.iterations == 2048 && prfError == nil)

        let (kdf, kdfError) = try #require(
            read(pbes2(kdf: oid("1.3.6.1.4.1.99999.2"), kdfParameters: seq(salt, integer(2048)))))
        #expect(kdf.prf == 0 && kdf.iterations == -1)
        #expect(kdfError?.code == .corrupt)

        let (scrypt, scryptError) = try #require(
            read(pbes2(kdf: oid("1.3.6.1.4.1.11591.4.11"), kdfParameters: seq(salt, integer(1024), integer(8)))))
        #expect(scrypt.prf == -NID_id_scrypt)
        #expect(scryptError?.code == .corrupt)

        let (scheme, schemeError) = try #require(read(seq(oid("1.3.6.1.4.1.99999.3"), seq(salt, integer(2048)))))
        #expect(scheme.scheme == NID_undef && schemeError?.code == .unsupportedAlgorithm)
        #expect(schemeError?.message == "a private key uses an unknown encryption algorithm")

        let (cipher, cipherError) = try #require(
            read(pbes2(kdfParameters: seq(salt, integer(2048)), encryption: seq(oid("1.3.6.1.4.1.99999.4")))))
        #expect(cipher.cipher == NID_undef && cipherError?.code == .unsupportedAlgorithm)
    }

    /// Why the parameters are read with OpenSSL's decoders and not swift-asn1: OpenSSL accepts a salt whose length
    /// is in the long form (`04 81 08`, BER but not DER), and decrypts with it; swift-asn1's DER parser refuses the
    /// same parameters.
    @Test func openSSLAcceptsWhatDERRefuses() throws {
        let longFormSalt: [UInt8] = [0x04, 0x81, 0x08] + Array(repeating: 0xA5, count: 8)
        let kdfParameters = seq(longFormSalt, integer(2048), hmacSHA256)
        let (algorithm, error) = try #require(read(pbes2(kdfParameters: kdfParameters)))
        #expect(algorithm.iterations == 2048 && algorithm.prf == NID_hmacWithSHA256 && error == nil)
        #expect(throws: (any Error).self) { try DER.parse(kdfParameters) }
        #expect((try? BER.parse(kdfParameters)) != nil)
    }
}
