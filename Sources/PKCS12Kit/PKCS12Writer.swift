internal import COpenSSL
import Foundation

/// How a written PKCS#12 file is encrypted.
public enum PKCS12Encryption: String, Sendable, Hashable, CaseIterable {
    /// AES-256-CBC with PBKDF2-HMAC-SHA256 and a SHA-256 MAC: OpenSSL 3's default.
    case aes256
    /// pbeWithSHA1And3-KeyTripleDES-CBC with a SHA-1 MAC: the Windows default, readable by old targets.
    case tripleDES = "3des"
}

/// Writes PKCS#12 files: re-export of an opened bundle in another encryption, and the normalisation of PEM
/// material (certificate, key and chain) into one file.
///
/// Keys and certificates are paired by public key; a paired bag gets a `localKeyID` (the certificate's SHA-1).
public enum PKCS12Writer {
    /// The iteration count of written files (OpenSSL's default).
    public static let iterations: Int32 = 2048

    /// Re-exports `bundle` (its key, leaf and chain) under `password` with `encryption`.
    public static func export(
        _ bundle: PKCS12Bundle, password: SecretBytes, encryption: PKCS12Encryption
    ) throws(PKCS12Error) -> [UInt8] {
        let certificates = (bundle.leaf.map { [$0] } ?? []) + bundle.others
        return try write(
            keys: bundle.key.map { [$0] } ?? [], certificates: certificates, password: password,
            encryption: encryption, friendlyName: bundle.pkcs12.friendlyName)
    }

    /// Writes `material` as one PKCS#12 file, the leaf first.
    public static func export(
        _ material: PEMMaterial, password: SecretBytes, encryption: PKCS12Encryption, friendlyName: String? = nil
    ) throws(PKCS12Error) -> [UInt8] {
        try write(
            keys: material.keys, certificates: material.orderedCertificates, password: password,
            encryption: encryption, friendlyName: friendlyName)
    }

    static func write(
        keys: [PrivateKey], certificates: [X509Certificate], password: SecretBytes, encryption: PKCS12Encryption,
        friendlyName: String?
    ) throws(PKCS12Error) -> [UInt8] {
        OpenSSLRuntime.ensureLoaded()
        OpenSSLErrorQueue.clear()
        let variant = PasswordVariant(bytes: password)
        let (keyNid, certNid, macDigest): (Int32, Int32, OpaquePointer?) =
            switch encryption {
            case .aes256: (NID_aes_256_cbc, NID_aes_256_cbc, EVP_sha256())
            case .tripleDES:
                (NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NID_pbe_WithSHA1And3_Key_TripleDES_CBC, EVP_sha1())
            }
        return try variant.withCString { pass, length throws(PKCS12Error) -> [UInt8] in
            var certificateBags: OpaquePointer?
            var keyBags: OpaquePointer?
            var safes: OpaquePointer?
            defer {
                if let certificateBags { cd_sk_SAFEBAG_free_all(certificateBags) }
                if let keyBags { cd_sk_SAFEBAG_free_all(keyBags) }
                if let safes { cd_sk_PKCS7_pop_free(safes) }
            }
            for certificate in certificates {
                let bag = certificate.withUnsafePointer { PKCS12_add_cert(&certificateBags, $0) }
                guard let bag else { throw failure("cannot add a certificate") }
                if let key = keys.first(where: { $0.matches(certificate) }) {
                    _ = key
                    var id = certificate.rawDigest(EVP_sha1())
                    guard PKCS12_add_localkeyid(bag, &id, Int32(id.count)) == 1 else {
                        throw failure("cannot label a certificate")
                    }
                    if let friendlyName, certificate === certificates.first,
                        PKCS12_add_friendlyname_utf8(bag, friendlyName, -1) != 1
                    {
                        throw failure("cannot name a certificate")
                    }
                }
            }
            for key in keys {
                let bag = key.withUnsafePointer { PKCS12_add_key(&keyBags, $0, 0, iterations, keyNid, pass) }
                guard let bag else { throw failure("cannot encrypt a private key") }
                if let certificate = certificates.first(where: { key.matches($0) }) {
                    var id = certificate.rawDigest(EVP_sha1())
                    guard PKCS12_add_localkeyid(bag, &id, Int32(id.count)) == 1 else {
                        throw failure("cannot label a private key")
                    }
                }
            }
            if let certificateBags, PKCS12_add_safe(&safes, certificateBags, certNid, iterations, pass) != 1 {
                throw failure("cannot encrypt the certificates")
            }
            if let keyBags, PKCS12_add_safe(&safes, keyBags, -1, 0, nil) != 1 {
                throw failure("cannot add the private keys")
            }
            guard let safes, let p12 = PKCS12_add_safes(safes, 0) else { throw failure("cannot assemble the file") }
            defer { PKCS12_free(p12) }
            guard PKCS12_set_mac(p12, pass, length, nil, 0, iterations, macDigest) == 1 else {
                throw failure("cannot add the MAC")
            }
            var out: UnsafeMutablePointer<UInt8>? = nil
            let size = i2d_PKCS12(p12, &out)
            guard size > 0, let out else { throw failure("cannot encode the file") }
            defer { cd_openssl_free(out) }
            return Array(UnsafeBufferPointer(start: out, count: Int(size)))
        }
    }

    private static func failure(_ what: String) -> PKCS12Error {
        let reasons = OpenSSLErrorQueue.summary(OpenSSLErrorQueue.drain(), fallback: "no reason given")
        return PKCS12Error(.exportFailed, "\(what): \(reasons)")
    }
}

extension X509Certificate {
    func rawDigest(_ md: OpaquePointer?) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = withUnsafePointer { X509_digest($0, md, &bytes, &length) }
        return ok == 1 ? Array(bytes.prefix(Int(length))) : []
    }
}
