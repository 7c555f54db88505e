internal import COpenSSL

/// Checks a PKCS#12 MAC like `PKCS12_verify_mac`, with the MAC key from the fast PKCS#12 KDF.
///
/// ```
/// MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
/// ```
///
/// The MAC is HMAC-`digest` over the content octets of the authenticated safe, keyed with the PKCS#12 KDF (ID 3)
/// of the password as BMPString. `PKCS12_verify_mac` derives that key through OpenSSL 3.0's generic KDF, about
/// twice as slow; `cd_fast_pkcs12_verify_mac` does the same steps over the SHA block functions (the password
/// conversion is OpenSSL's own `OPENSSL_utf82uni`, the comparison `CRYPTO_memcmp`). Files it does not handle (no
/// MAC, a digest outside SHA-1 and SHA-2, unusual structure) go to `PKCS12_verify_mac`.
enum PKCS12MAC {
    /// Whether `password` (`nil`: OpenSSL's NULL password) verifies the MAC of `p12`.
    static func verify(_ p12: OpaquePointer, _ password: UnsafePointer<CChar>?, _ length: Int32) -> Bool {
        if FastKeyDerivation.isEnabled {
            let result = cd_fast_pkcs12_verify_mac(p12, password, length)
            if result >= 0 {
                if let probe = FastKeyDerivation.probe { probe.macs.add(1, ordering: .relaxed) }
                return result == 1
            }
        }
        return PKCS12_verify_mac(p12, password, length) == 1
    }
}
