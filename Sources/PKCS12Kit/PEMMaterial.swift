internal import COpenSSL
import Foundation

/// Certificates and private keys read from PEM text (and DER certificates), to be normalised into PKCS#12.
///
/// `@unchecked Sendable`: immutable after reading; the OpenSSL objects are only read.
public final class PEMMaterial: @unchecked Sendable {
    let keys: [PrivateKey]
    let certificates: [X509Certificate]

    /// The number of private keys read.
    public var keyCount: Int { keys.count }
    /// The number of certificates read.
    public var certificateCount: Int { certificates.count }

    /// Whether the text holds an encrypted private key (which needs a password to read).
    public static func hasEncryptedKey(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")
    }

    /// Reads every certificate and key in `pieces` (PEM texts or DER certificates), decrypting encrypted keys with
    /// the first of `passwords` that works.
    public init(pieces: [[UInt8]], passwords: [SecretBytes] = []) throws(PKCS12Error) {
        OpenSSLRuntime.ensureLoaded()
        var keys: [PrivateKey] = []
        var certificates: [X509Certificate] = []
        for piece in pieces {
            if let certificate = X509Certificate(der: piece) {
                certificates.append(certificate)
                continue
            }
            OpenSSLErrorQueue.clear()
            certificates += Self.readCertificates(piece)
            let encrypted = Self.hasEncryptedKey(piece)
            var found = Self.readKeys(piece, password: nil)
            if found.isEmpty, encrypted {
                for password in passwords {
                    found = password.withBytes { bytes in
                        Self.readKeys(piece, password: Array(bytes))
                    }
                    if !found.isEmpty { break }
                }
                if found.isEmpty {
                    throw PKCS12Error(
                        .wrongPassword,
                        "wrong password: the encrypted private key does not decrypt with "
                            + (passwords.isEmpty ? "no password given" : "any of \(passwords.count) candidates"))
                }
            }
            keys += found
        }
        OpenSSLErrorQueue.clear()
        self.keys = keys
        self.certificates = certificates
    }

    /// Certificates with the one that matches the first key (the leaf) first.
    var orderedCertificates: [X509Certificate] {
        guard let key = keys.first, let leaf = certificates.firstIndex(where: { key.matches($0) }) else {
            return certificates
        }
        var ordered = certificates
        ordered.insert(ordered.remove(at: leaf), at: 0)
        return ordered
    }

    /// Whether some certificate matches the first key.
    public var keyMatchesACertificate: Bool {
        guard let key = keys.first else { return false }
        return certificates.contains { key.matches($0) }
    }

    private static func readCertificates(_ pem: [UInt8]) -> [X509Certificate] {
        pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return [] }
            defer { BIO_free(bio) }
            var result: [X509Certificate] = []
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                result.append(X509Certificate(taking: certificate))
            }
            ERR_clear_error()
            return result
        }
    }

    private static func readKeys(_ pem: [UInt8], password: [UInt8]?) -> [PrivateKey] {
        // OpenSSL reads the passphrase as a C string.
        var passphrase = (password ?? []) + [0]
        defer { SecretBytes.wipe(&passphrase) }
        let prompt = password != nil
        return pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return [] }
            defer { BIO_free(bio) }
            var result: [PrivateKey] = []
            while true {
                let key: OpaquePointer? = passphrase.withUnsafeMutableBytes { buffer in
                    // Without a password, a callback that gives nothing: an encrypted key then fails instead of
                    // prompting on a terminal.
                    prompt
                        ? PEM_read_bio_PrivateKey(bio, nil, nil, buffer.baseAddress)
                        : PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
                }
                guard let key else { break }
                result.append(PrivateKey(taking: key))
            }
            ERR_clear_error()
            return result
        }
    }
}
