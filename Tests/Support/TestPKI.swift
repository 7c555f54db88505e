internal import COpenSSL
import Foundation

/// An EC P-256 key made for one test.
///
/// `@unchecked Sendable`: never changed after it is made; OpenSSL's key reads are thread-safe.
public final class TestKey: @unchecked Sendable {
    let pointer: OpaquePointer

    /// A fresh P-256 key.
    public init() {
        var key: OpaquePointer?
        if let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) {
            defer { EVP_PKEY_CTX_free(context) }
            if EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1 {
                _ = EVP_PKEY_generate(context, &key)
            }
        }
        guard let key else { preconditionFailure("OpenSSL cannot make a P-256 key") }
        pointer = key
    }

    deinit { EVP_PKEY_free(pointer) }

    /// The key as unencrypted PKCS#8 PEM.
    public var pem: String {
        TestPKI.pem { bio in PEM_write_bio_PrivateKey(bio, pointer, nil, nil, 0, nil, nil) }
    }
}

/// A certificate made for one test, with the key it certifies.
public struct TestCertificate: Sendable {
    /// DER.
    public let der: [UInt8]
    /// The key whose public half the certificate holds.
    public let key: TestKey
    /// The commonName.
    public let commonName: String

    /// PEM.
    public var pem: String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n"
    }

    /// The same certificate with one bit of its signature flipped: well formed, but it no longer verifies.
    public var withDamagedSignature: TestCertificate {
        var bytes = der
        bytes[bytes.count - 1] ^= 0x01
        return TestCertificate(der: bytes, key: key, commonName: commonName)
    }
}

/// A small certificate authority built in-process with OpenSSL, so each test makes exactly the chain it needs:
/// chosen names, keys, validity to the second, CA or not, with or without key identifiers.
public enum TestPKI {
    /// The organisation of every test name.
    public static let organisation = "CertDrop Chain Test"

    /// `2030-01-01T00:00:00Z` plus `days`: a fixed calendar, so tests never depend on today.
    public static func date(days: Double = 0, seconds: Double = 0) -> Date {
        Date(timeIntervalSince1970: 1_893_456_000 + days * 86_400 + seconds)
    }

    /// A certificate for `key` named `CN=commonName, O=CertDrop Chain Test`, signed by `issuer` (by
    /// `signingKey` when given, to forge one with the right name and the wrong key), or self-signed.
    public static func certificate(
        _ commonName: String, key: TestKey = TestKey(), issuer: TestCertificate? = nil, signingKey: TestKey? = nil,
        notBefore: Date = date(days: -365), notAfter: Date = date(days: 3650), isCA: Bool = false,
        keyIdentifiers: Bool = false, serial: Int = Int.random(in: 1...Int(Int32.max))
    ) -> TestCertificate {
        guard let x509 = X509_new() else { preconditionFailure("X509_new") }
        defer { X509_free(x509) }
        X509_set_version(x509, 2)
        ASN1_INTEGER_set(X509_get_serialNumber(x509), serial)
        ASN1_TIME_set(X509_getm_notBefore(x509), time_t(notBefore.timeIntervalSince1970))
        ASN1_TIME_set(X509_getm_notAfter(x509), time_t(notAfter.timeIntervalSince1970))
        X509_set_pubkey(x509, key.pointer)
        let subject = name(commonName)
        defer { X509_NAME_free(subject) }
        X509_set_subject_name(x509, subject)
        let issuerName = name(issuer?.commonName ?? commonName)
        defer { X509_NAME_free(issuerName) }
        X509_set_issuer_name(x509, issuerName)

        let issuerX509 = issuer.flatMap { certificate in
            certificate.der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
                var cursor = buffer.baseAddress
                return d2i_X509(nil, &cursor, buffer.count)
            }
        }
        defer { if let issuerX509 { X509_free(issuerX509) } }
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuerX509 ?? x509, x509, nil, nil, 0)
        var extensions = [
            (NID_basic_constraints, isCA ? "critical,CA:TRUE" : "critical,CA:FALSE"),
            (NID_key_usage, isCA ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"),
        ]
        if keyIdentifiers {
            extensions.append((NID_subject_key_identifier, "hash"))
            extensions.append((NID_authority_key_identifier, "keyid:always"))
        }
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
                preconditionFailure("extension \(nid)=\(value)")
            }
            X509_add_ext(x509, ext, -1)
            X509_EXTENSION_free(ext)
        }
        let signer = signingKey ?? issuer?.key ?? key
        guard X509_sign(x509, signer.pointer, EVP_sha256()) > 0 else { preconditionFailure("X509_sign") }
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(x509, &out)
        guard length > 0, let out else { preconditionFailure("i2d_X509") }
        defer { CRYPTO_free(out, #file, #line) }
        return TestCertificate(
            der: Array(UnsafeBufferPointer(start: out, count: Int(length))), key: key, commonName: commonName)
    }

    /// A PKCS#12 file (OpenSSL 3 defaults: AES-256, SHA-256 MAC) with `leaf`'s key, `leaf` and `others`.
    public static func pkcs12(leaf: TestCertificate, others: [TestCertificate], password: String) -> [UInt8] {
        let parse: (TestCertificate) -> OpaquePointer? = { certificate in
            certificate.der.withUnsafeBufferPointer { buffer in
                var cursor = buffer.baseAddress
                return d2i_X509(nil, &cursor, buffer.count)
            }
        }
        guard let leafX509 = parse(leaf), let stack = OPENSSL_sk_new_null() else { preconditionFailure("stack") }
        var owned = [leafX509]
        defer {
            owned.forEach { X509_free($0) }
            OPENSSL_sk_free(stack)
        }
        for other in others {
            guard let x509 = parse(other) else { preconditionFailure("d2i_X509") }
            owned.append(x509)
            OPENSSL_sk_push(stack, UnsafeRawPointer(x509))
        }
        guard let p12 = PKCS12_create(password, "test", leaf.key.pointer, leafX509, stack, 0, 0, 0, 0, 0) else {
            preconditionFailure("PKCS12_create")
        }
        defer { PKCS12_free(p12) }
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_PKCS12(p12, &out)
        guard length > 0, let out else { preconditionFailure("i2d_PKCS12") }
        defer { CRYPTO_free(out, #file, #line) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    private static func name(_ commonName: String) -> OpaquePointer {
        guard let name = X509_NAME_new() else { preconditionFailure("X509_NAME_new") }
        for (field, value) in [("O", organisation), ("CN", commonName)] {
            let bytes = Array(value.utf8)
            X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, bytes, Int32(bytes.count), -1, 0)
        }
        return name
    }

    static func pem(_ write: (OpaquePointer) -> Int32) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { return "" }
        var data: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data)
        guard length > 0, let data else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}
