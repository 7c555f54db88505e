internal import CFastKDF
internal import COpenSSL
internal import SwiftASN1

/// Checks a PKCS#12 MAC like `PKCS12_verify_mac`, with the MAC key from the fast PKCS#12 KDF.
///
/// ```
/// PFX ::= SEQUENCE { version INTEGER, authSafe ContentInfo, macData MacData OPTIONAL }
/// ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY DEFINED BY contentType }
/// MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
/// ```
///
/// The MAC is HMAC-`digest` over the content octets of the authenticated safe, keyed with the PKCS#12 KDF (ID 3)
/// of the password as BMPString. `PKCS12_verify_mac` derives that key through OpenSSL 3.0's generic KDF, about
/// twice as slow; `cd_fast_pkcs12_verify_mac` (`CFastKDF/pkcs12.c`) does the same steps over the SHA block
/// functions (the password conversion is OpenSSL's own `OPENSSL_utf82uni`, the comparison `CRYPTO_memcmp`).
///
/// The content octets are located once per file, by ``authenticatedContent(of:original:)``, with swift-asn1.
/// Files the fast check does not handle (no MAC, a digest outside SHA-1 and SHA-2, content that is not data, an
/// authenticated safe that cannot be located) go to `PKCS12_verify_mac`.
enum PKCS12MAC {
    /// The content octets of the `data` authenticated safe of `p12`: found in `original`, the bytes `p12` was
    /// parsed from, when they are DER; otherwise in OpenSSL's DER re-encoding of `p12` (`i2d_PKCS12`, as for the
    /// BER that NSS and BouncyCastle write). `nil` when neither holds a `data` authenticated safe.
    static func authenticatedContent(of p12: OpaquePointer, original: [UInt8]?) -> [UInt8]? {
        if let original, let content = dataContent(ofDER: original) { return content }
        ERR_set_mark()
        defer { ERR_pop_to_mark() }
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PKCS12(p12, &out)
        guard length > 0, let out else { return nil }
        defer { cd_openssl_free(out) }
        return dataContent(ofDER: Array(UnsafeBufferPointer(start: out, count: Int(length))))
    }

    /// `id-data` (1.2.840.113549.1.7.1).
    private static let dataOID: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 1]

    /// The content octets of the authenticated safe in `der`, a whole PFX in DER, when its content type is
    /// `data` and the content one primitive OCTET STRING; `nil` otherwise (not DER, trailing bytes, other
    /// content). What follows the authenticated safe (the MAC data) is not looked at.
    static func dataContent(ofDER der: [UInt8]) -> [UInt8]? {
        guard let pfx = try? DER.parse(der), pfx.identifier == .sequence, case .constructed(let pfxParts) = pfx.content
        else { return nil }
        var parts = pfxParts.makeIterator()
        guard let version = parts.next(), version.identifier == .integer, let authSafe = parts.next(),
            authSafe.identifier == .sequence, case .constructed(let infoParts) = authSafe.content
        else { return nil }
        var info = infoParts.makeIterator()
        guard let type = info.next(), let oid = try? ASN1ObjectIdentifier(derEncoded: type), oid == dataOID,
            let explicit = info.next(),
            explicit.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
            case .constructed(let wrapped) = explicit.content
        else { return nil }
        var inner = wrapped.makeIterator()
        guard let octets = inner.next(), octets.identifier == .octetString, case .primitive(let bytes) = octets.content
        else { return nil }
        return Array(bytes)
    }

    /// Whether `password` (`nil`: OpenSSL's NULL password) verifies the MAC of `p12`. `content`: what
    /// ``authenticatedContent(of:original:)`` found, or `nil` to look it up now (in the re-encoding).
    static func verify(
        _ p12: OpaquePointer, _ password: UnsafePointer<CChar>?, _ length: Int32, content: [UInt8]?? = nil
    ) -> Bool {
        if FastKeyDerivation.isEnabled,
            let content = content ?? authenticatedContent(of: p12, original: nil)
        {
            let result = content.withUnsafeBufferPointer { data in
                cd_fast_pkcs12_verify_mac(UnsafeMutableRawPointer(p12), data.baseAddress, data.count, password, length)
            }
            if result >= 0 {
                if let probe = FastKeyDerivation.probe { probe.macs.add(1, ordering: .relaxed) }
                return result == 1
            }
        }
        return PKCS12_verify_mac(p12, password, length) == 1
    }
}
