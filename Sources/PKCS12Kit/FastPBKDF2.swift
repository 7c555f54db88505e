internal import CFastKDF
internal import COpenSSL

/// PBKDF2-HMAC and the PKCS#12 key derivation over OpenSSL's SHA block functions, with the HMAC pads hashed once
/// per derivation (`cd_fast_pbkdf2` and `cd_fast_pkcs12_kdf` in `CFastKDF/kdf.c`).
///
/// OpenSSL 3.0 duplicates a whole MAC context for every PBKDF2 iteration and re-initialises a digest context for
/// every PKCS#12 KDF iteration: more than half its time for the 2048 SHA-256 iterations of an OpenSSL 3 default
/// file goes there. The output is the same; tests compare both byte for byte.
enum FastPBKDF2 {
    /// The digests the fast path handles.
    enum Digest: CaseIterable {
        case sha1, sha224, sha256, sha384, sha512

        var nid: Int32 {
            switch self {
            case .sha1: NID_sha1
            case .sha224: NID_sha224
            case .sha256: NID_sha256
            case .sha384: NID_sha384
            case .sha512: NID_sha512
            }
        }
    }

    /// PBKDF2-HMAC-`digest`, as `PKCS5_PBKDF2_HMAC` computes it; `nil` for no iterations or no output.
    static func derive(
        password: [UInt8], salt: [UInt8], iterations: Int, digest: Digest, keyLength: Int
    ) -> [UInt8]? {
        guard iterations > 0, keyLength > 0 else { return nil }
        var key = [UInt8](repeating: 0, count: keyLength)
        let done = password.withUnsafeBufferPointer { pass in
            salt.withUnsafeBufferPointer { salt in
                cd_fast_pbkdf2(
                    digest.nid, pass.baseAddress, pass.count, salt.baseAddress, salt.count, UInt64(iterations), &key,
                    keyLength)
            }
        }
        return done == 1 ? key : nil
    }

    /// The PKCS#12 KDF (RFC 7292 B.2) over a BMPString password (`nil`: no password), as `PKCS12_key_gen_uni`
    /// computes it; `id` is 1 (key), 2 (IV) or 3 (MAC). `nil` for no salt, no iterations or no output.
    static func pkcs12(
        bmpPassword: [UInt8]?, salt: [UInt8], id: Int32, iterations: Int, digest: Digest, keyLength: Int
    ) -> [UInt8]? {
        guard iterations > 0, keyLength > 0, !salt.isEmpty else { return nil }
        var key = [UInt8](repeating: 0, count: keyLength)
        let password = bmpPassword ?? []
        let done = password.withUnsafeBufferPointer { pass in
            salt.withUnsafeBufferPointer { salt in
                cd_fast_pkcs12_kdf(
                    digest.nid, pass.baseAddress, pass.count, salt.baseAddress, salt.count, id, UInt64(iterations),
                    &key, keyLength)
            }
        }
        return done == 1 ? key : nil
    }
}
