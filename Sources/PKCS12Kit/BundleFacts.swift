import Foundation

/// The facts of one certificate, as shown to users and sent on to the certificate API.
public struct CertificateFacts: Sendable, Hashable, Codable {
    /// SHA-1 of the DER, upper-case hex, 40 characters: the API's thumbprint.
    public var thumbprint: String
    /// SHA-256 of the DER, upper-case hex.
    public var sha256: String
    /// Subject, most specific part first, `", "` between parts, UTF-8 unescaped.
    public var subject: String
    /// The subject's commonName, if it has one.
    public var commonName: String?
    /// Issuer, in the same form as the subject.
    public var issuer: String
    /// Serial number, upper-case hex.
    public var serialNumber: String
    /// Start of validity, UTC.
    public var notBefore: Date
    /// End of validity (notAfter), UTC.
    public var expirationDate: Date
    /// Whether the signature verifies with the certificate's own key.
    public var selfSigned: Bool
    /// Whether the certificate is a CA (basic constraints or a v1 self-signed certificate).
    public var isCertificateAuthority: Bool
    /// `RSA`, `EC`, `Ed25519`, …
    public var keyAlgorithm: String
    /// Size of the public key in bits.
    public var keyBits: Int
    /// The curve of an EC key (`prime256v1`, `secp384r1`, …).
    public var curve: String?
    /// The signature algorithm's long name (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, …).
    public var signatureAlgorithm: String
    /// Whether the signature's digest is MD5 or SHA-1 (or older).
    public var weakSignature: Bool
    /// What the certificate's X.509 extensions allow it to be used for; `nil` when it could not be read.
    public var usage: CertificateUsage? = nil
}

/// The X.509 extensions that say what a certificate may be used for (RFC 5280 §4.2.1.3, §4.2.1.6, §4.2.1.12).
public struct CertificateUsage: Sendable, Hashable, Codable {
    /// Whether the certificate has a subjectAltName extension.
    public var hasSubjectAltName: Bool
    /// The keyUsage bits set (`digitalSignature`, `keyEncipherment`, `keyAgreement`, `keyCertSign`, …); `nil`
    /// when the extension is absent (any use is allowed).
    public var keyUsage: Set<String>?
    /// The extendedKeyUsage purposes (`serverAuth`, `clientAuth`, `anyExtendedKeyUsage`, …); `nil` when the
    /// extension is absent (any purpose is allowed).
    public var extendedKeyUsage: Set<String>?

    /// Makes usage facts.
    public init(hasSubjectAltName: Bool, keyUsage: Set<String>?, extendedKeyUsage: Set<String>?) {
        self.hasSubjectAltName = hasSubjectAltName
        self.keyUsage = keyUsage
        self.extendedKeyUsage = extendedKeyUsage
    }
}

/// One password-based encryption scheme found in a file, read from its algorithm identifier.
public struct EncryptionScheme: Sendable, Hashable, Codable, Comparable {
    /// `PBES1` (a PKCS#12 or PKCS#5 v1.5 PBE) or `PBES2` (PKCS#5 v2, RFC 8018).
    public var kind: String
    /// The cipher by OpenSSL's short name: `AES-256-CBC`, `DES-EDE3-CBC` (3DES), `RC2-40-CBC`, `RC4`, …
    public var cipher: String
    /// PBES2's PBKDF2 pseudo-random function (`hmacWithSHA256`, …); `nil` for PBES1.
    public var prf: String?
    /// The key derivation's iteration count.
    public var iterations: Int

    /// Makes a scheme.
    public init(kind: String, cipher: String, prf: String?, iterations: Int) {
        self.kind = kind
        self.cipher = cipher
        self.prf = prf
        self.iterations = iterations
    }

    /// `AES-256-CBC (PBES2, hmacWithSHA256)`, `DES-EDE3-CBC (PBES1)`.
    public var summary: String {
        let parts = [kind] + (prf.map { [$0] } ?? [])
        return "\(cipher) (\(parts.joined(separator: ", ")))"
    }

    public static func < (lhs: EncryptionScheme, rhs: EncryptionScheme) -> Bool {
        (lhs.kind, lhs.cipher, lhs.prf ?? "", lhs.iterations) < (rhs.kind, rhs.cipher, rhs.prf ?? "", rhs.iterations)
    }
}

/// Another certificate carried in the same file.
public struct ChainCertificate: Sendable, Hashable, Codable {
    /// The subject, in the same form as ``CertificateFacts/subject``.
    public var subject: String
    /// SHA-1 thumbprint, upper-case hex.
    public var thumbprint: String
}

/// How a PKCS#12 file is protected and what it holds.
public struct PKCS12Facts: Sendable, Hashable, Codable {
    /// The MAC's digest (`SHA256`, `SHA1`), `nil` when the file has no MAC.
    public var macAlgorithm: String?
    /// The MAC key derivation's iteration count, `nil` without a MAC.
    public var macIterations: Int?
    /// How the certificate bags are encrypted (`none` when in the clear, `nil` with no certificate).
    public var certEncryption: String?
    /// How the key bags are encrypted (`none` when in the clear, `nil` with no key).
    public var keyEncryption: String?
    /// Whether an algorithm of OpenSSL's legacy provider (RC2, RC4, single DES) protects anything.
    public var legacyEncryption: Bool
    /// Whether the file holds a private key.
    public var hasPrivateKey: Bool
    /// Whether the leaf's public key is the private key's; `nil` without a private key.
    public var keyMatchesCertificate: Bool?
    /// The number of private keys in the file.
    public var privateKeys: Int
    /// The number of certificates in the file.
    public var certificates: Int
    /// The position (0-based) of the candidate password that opened the file; `nil` when no password was needed
    /// or the implicit empty one was used.
    public var passwordCandidate: Int?
    /// The friendlyName attribute of the leaf's bag, if any.
    public var friendlyName: String?
    /// Neither a MAC nor any encryption: anyone can read and change the file.
    public var unprotected: Bool
    /// The password that opened it is empty.
    public var emptyPassword: Bool
    /// A private key is stored in a plain (unencrypted) key bag.
    public var unencryptedKey: Bool
    /// The encryption schemes of the certificate bags, sorted (empty when they are in the clear).
    public var certSchemes: [EncryptionScheme] = []
    /// The encryption schemes of the key bags, sorted (empty when the keys are in the clear).
    public var keySchemes: [EncryptionScheme] = []
}
