internal import COpenSSL

/// Decrypts a password-protected blob (a shrouded key's `EncryptedPrivateKeyInfo`, an encrypted safe's contents)
/// into plaintext the caller decodes itself, so that a well-formed plaintext OpenSSL 3.0 has no decoder for (a
/// PKCS#8 v2 key) can be told from a wrong password or damaged data. One call is one key derivation.
enum PBEDecryption {
    /// The plaintext of `data` under `algorithm` and `password`, or `nil` when it does not decrypt (wrong
    /// password, damaged data, bad padding). The plaintext is wiped when `body` returns.
    static func withPlaintext<R, E: Error>(
        algorithm: UnsafePointer<X509_ALGOR>, data: UnsafePointer<ASN1_OCTET_STRING>, password: PasswordVariant,
        _ body: ([UInt8]) throws(E) -> R
    ) throws(E) -> R? {
        guard let input = ASN1_STRING_get0_data(data) else { return nil }
        let inputLength = ASN1_STRING_length(data)
        var output: UnsafeMutablePointer<UInt8>?
        var outputLength: Int32 = 0
        OpenSSLErrorQueue.clear()
        let decrypted = password.withCString { pass, length in
            PKCS12_pbe_crypt_ex(algorithm, pass, length, input, inputLength, &output, &outputLength, 0, nil, nil)
        }
        OpenSSLErrorQueue.clear()
        guard let decrypted, outputLength >= 0 else { return nil }
        var plaintext = Array(UnsafeBufferPointer(start: decrypted, count: Int(outputLength)))
        CRYPTO_clear_free(decrypted, Int(outputLength), nil, 0)
        defer { SecretBytes.wipe(&plaintext) }
        return try body(plaintext)
    }

    /// The private key in a decrypted or plain `PrivateKeyInfo`: `nil` when the bytes are no key OpenSSL reads,
    /// a thrown ``PKCS12Error/Code/unsupportedFormat`` when they are a PKCS#8 v2 key.
    static func privateKey(fromPKCS8 der: [UInt8], what: String) throws(PKCS12Error) -> PrivateKey? {
        // A key the direct import takes is well-formed PKCS#8 v1 (so OpenSSL's decoding below would read it).
        if let key = PrivateKeyImport.key(fromPKCS8: der) { return key }
        let info: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_PKCS8_PRIV_KEY_INFO(nil, &cursor, buffer.count)
        }
        guard let info else {
            OpenSSLErrorQueue.clear()
            if BERPrefix.startsLikePKCS8Version2(der) { throw unsupportedVersion2(what) }
            return nil
        }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        guard let key = cd_pkcs8_to_pkey(info) else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        return PrivateKey(taking: key)
    }

    /// The error for a PKCS#8 v2 key.
    static func unsupportedVersion2(_ what: String) -> PKCS12Error {
        PKCS12Error(
            .unsupportedFormat,
            "\(what) is a PKCS#8 v2 (RFC 5958 OneAsymmetricKey) structure, as BouncyCastle writes Ed25519 keys: "
                + "OpenSSL 3.0 cannot read it; export the key again as PKCS#8 v1 (without the public key)")
    }
}
