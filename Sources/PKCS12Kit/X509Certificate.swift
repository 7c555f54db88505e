internal import COpenSSL
import Foundation

/// An owned OpenSSL `X509`, freed on release.
///
/// `@unchecked Sendable`: the certificate is never mutated after it is made, and OpenSSL's read-only X509
/// functions are thread-safe.
final class X509Certificate: @unchecked Sendable {
    private let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    /// Parses one DER certificate.
    convenience init?(der: [UInt8]) {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let parsed else { return nil }
        self.init(taking: parsed)
    }

    deinit { X509_free(pointer) }

    func withUnsafePointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    /// The DER encoding.
    var der: [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_X509(pointer, &out)
        guard length > 0, let out else { return [] }
        defer { cd_openssl_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    func digest(_ md: OpaquePointer?) -> String {
        var bytes = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(pointer, md, &bytes, &length) == 1 else { return "" }
        return hexString(bytes.prefix(Int(length)))
    }

    /// SHA-1 of the DER, upper-case hex without separators: the API's thumbprint.
    var thumbprint: String { digest(EVP_sha1()) }

    /// SHA-256 of the DER, upper-case hex.
    var sha256: String { digest(EVP_sha256()) }

    var subject: String { Self.render(X509_get_subject_name(pointer)) }
    var issuer: String { Self.render(X509_get_issuer_name(pointer)) }

    /// The last commonName of the subject, UTF-8.
    var commonName: String? {
        guard let name = X509_get_subject_name(pointer) else { return nil }
        var last: Int32 = -1
        var index: Int32 = -1
        repeat {
            last = index
            index = X509_NAME_get_index_by_NID(name, NID_commonName, index)
        } while index >= 0
        guard last >= 0, let entry = X509_NAME_get_entry(name, last),
            let data = X509_NAME_ENTRY_get_data(entry)
        else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>? = nil
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length >= 0, let utf8 else { return nil }
        defer { cd_openssl_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }

    var serialNumber: String {
        guard let serial = X509_get0_serialNumber(pointer), let bn = ASN1_INTEGER_to_BN(serial, nil) else { return "" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "" }
        defer { cd_openssl_free(hex) }
        return String(cString: hex)
    }

    var notBefore: Date? { Self.date(X509_get0_notBefore(pointer)) }
    var notAfter: Date? { Self.date(X509_get0_notAfter(pointer)) }

    /// Whether the signature verifies with the certificate's own key (not a name comparison).
    var isSelfSigned: Bool { X509_self_signed(pointer, 1) == 1 }

    var isCA: Bool { X509_check_ca(pointer) != 0 }

    /// The subjectAltName, keyUsage and extendedKeyUsage extensions, as OpenSSL's extension cache reads them.
    var usage: CertificateUsage {
        let flags = X509_get_extension_flags(pointer)
        let hasSAN = X509_get_ext_by_NID(pointer, NID_subject_alt_name, -1) >= 0
        var keyUsage: Set<String>?
        if flags & UInt32(EXFLAG_KUSAGE) != 0 {
            let bits = X509_get_key_usage(pointer)
            keyUsage = Set(Self.keyUsageNames.filter { bits & $0.bit != 0 }.map(\.name))
        }
        var extended: Set<String>?
        if flags & UInt32(EXFLAG_XKUSAGE) != 0 {
            let bits = X509_get_extended_key_usage(pointer)
            extended = Set(Self.extendedKeyUsageNames.filter { bits & $0.bit != 0 }.map(\.name))
        }
        ERR_clear_error()
        return CertificateUsage(hasSubjectAltName: hasSAN, keyUsage: keyUsage, extendedKeyUsage: extended)
    }

    private static let keyUsageNames: [(bit: UInt32, name: String)] = [
        (UInt32(KU_DIGITAL_SIGNATURE), "digitalSignature"), (UInt32(KU_NON_REPUDIATION), "nonRepudiation"),
        (UInt32(KU_KEY_ENCIPHERMENT), "keyEncipherment"), (UInt32(KU_DATA_ENCIPHERMENT), "dataEncipherment"),
        (UInt32(KU_KEY_AGREEMENT), "keyAgreement"), (UInt32(KU_KEY_CERT_SIGN), "keyCertSign"),
        (UInt32(KU_CRL_SIGN), "cRLSign"), (UInt32(KU_ENCIPHER_ONLY), "encipherOnly"),
        (UInt32(KU_DECIPHER_ONLY), "decipherOnly"),
    ]

    private static let extendedKeyUsageNames: [(bit: UInt32, name: String)] = [
        (UInt32(XKU_SSL_SERVER), "serverAuth"), (UInt32(XKU_SSL_CLIENT), "clientAuth"),
        (UInt32(XKU_SMIME), "emailProtection"), (UInt32(XKU_CODE_SIGN), "codeSigning"),
        (UInt32(XKU_OCSP_SIGN), "OCSPSigning"), (UInt32(XKU_TIMESTAMP), "timeStamping"),
        (UInt32(XKU_ANYEKU), "anyExtendedKeyUsage"),
    ]

    /// A hash of the subject name's canonical form, equal for names `X509_NAME_cmp` calls equal.
    var subjectNameHash: UInt { Self.nameHash(X509_get_subject_name(pointer)) }
    /// A hash of the issuer name's canonical form.
    var issuerNameHash: UInt { Self.nameHash(X509_get_issuer_name(pointer)) }

    private static func nameHash(_ name: OpaquePointer?) -> UInt {
        var ok: Int32 = 0
        let hash = X509_NAME_hash_ex(name, nil, nil, &ok)
        return ok == 1 ? UInt(hash) : 0
    }

    /// Whether this certificate issued `other` (names, key identifiers and signature).
    func issued(_ other: X509Certificate) -> Bool {
        other.withUnsafePointer { X509_check_issued(pointer, $0) } == X509_V_OK
    }

    /// The public key, borrowed from the certificate and kept alive by it.
    func withPublicKey<R>(_ body: (OpaquePointer?) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(X509_get0_pubkey(pointer)) }
    }

    var publicKeyDescription: KeyDescription {
        withPublicKey { KeyDescription(key: $0) }
    }

    /// The signature algorithm's short name and whether its digest is MD5 or SHA-1.
    var signature: (name: String, weakDigest: Bool) {
        let nid = X509_get_signature_nid(pointer)
        let name = OBJ_nid2ln(nid).map { String(cString: $0) } ?? "unknown"
        var mdNid: Int32 = 0
        var pkNid: Int32 = 0
        var bits: Int32 = 0
        var flags: UInt32 = 0
        if X509_get_signature_info(pointer, &mdNid, &pkNid, &bits, &flags) == 1 {
            return (name, mdNid == NID_md5 || mdNid == NID_sha1 || mdNid == NID_md2 || mdNid == NID_md4)
        }
        ERR_clear_error()
        return (name, false)
    }

    private static func render(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, cd_name_flags()) >= 0 else { return "" }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = cd_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { return "" }
        let bytes = UnsafeRawBufferPointer(start: data, count: length)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}

/// The algorithm, size and curve of a public or private key.
struct KeyDescription: Hashable {
    var algorithm: String
    var bits: Int
    var curve: String?

    init(key: OpaquePointer?) {
        guard let key else {
            self.algorithm = "unknown"
            self.bits = 0
            self.curve = nil
            return
        }
        let id = EVP_PKEY_get_base_id(key)
        switch id {
        case EVP_PKEY_RSA, EVP_PKEY_RSA_PSS: algorithm = "RSA"
        case EVP_PKEY_EC: algorithm = "EC"
        case EVP_PKEY_ED25519: algorithm = "Ed25519"
        case EVP_PKEY_ED448: algorithm = "Ed448"
        case EVP_PKEY_DSA: algorithm = "DSA"
        default: algorithm = OBJ_nid2sn(id).map { String(cString: $0) } ?? "unknown"
        }
        bits = Int(EVP_PKEY_get_bits(key))
        var name = [CChar](repeating: 0, count: 80)
        var length = 0
        if id == EVP_PKEY_EC,
            EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &length) == 1
        {
            curve = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            curve = nil
        }
        ERR_clear_error()
    }
}

/// Upper-case hex of `bytes`, two digits a byte, no separators: written into the string's own storage, since a
/// thumbprint is made for every certificate of every file (a `String` per byte cost 5 % of `validate`).
func hexString(_ bytes: some Collection<UInt8>) -> String {
    String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
        var index = 0
        for byte in bytes {
            buffer[index] = hexDigit(byte >> 4)
            buffer[index + 1] = hexDigit(byte & 0x0F)
            index += 2
        }
        return index
    }
}

@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
}
