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
    /// the first of `passwords` that works. An encrypted PKCS#8 key's iteration count is checked against
    /// `options.maxIterations` before anything is derived, and every decryption tried counts against
    /// `options.maxDerivations`.
    public init(pieces: [[UInt8]], passwords: [SecretBytes] = [], options: PKCS12Options = PKCS12Options())
        throws(PKCS12Error)
    {
        OpenSSLRuntime.ensureLoaded()
        var keys: [PrivateKey] = []
        var certificates: [X509Certificate] = []
        var budget = KeyBudget(options: options)
        for piece in pieces {
            if let certificate = X509Certificate(der: piece) {
                certificates.append(certificate)
                continue
            }
            OpenSSLErrorQueue.clear()
            certificates += Self.readCertificates(piece)
            guard certificates.count <= options.maxCertificates else {
                throw PKCS12Error(
                    .tooManyCertificates, "the PEM text holds more than \(options.maxCertificates) certificates")
            }
            for block in Self.blocks(piece) where block.label.hasSuffix("PRIVATE KEY") {
                if let key = try Self.readKey(block, passwords: passwords, budget: &budget) { keys.append(key) }
            }
        }
        OpenSSLErrorQueue.clear()
        self.keys = keys
        self.certificates = certificates
    }

    /// Counts the decryptions tried against the budget.
    private struct KeyBudget {
        let options: PKCS12Options
        var derivations = 0

        mutating func spend() throws(PKCS12Error) {
            guard derivations < options.maxDerivations else {
                throw PKCS12Error(
                    .tooManyDerivations,
                    "reading the keys needs more than \(options.maxDerivations) decryptions over the candidate passwords"
                )
            }
            derivations += 1
        }
    }

    /// One PEM block: its label (`ENCRYPTED PRIVATE KEY`), its header lines and its decoded bytes.
    private struct Block {
        let label: String
        let header: [UInt8]
        var data: [UInt8]
    }

    /// The PEM blocks of `pem`, in order; text around and between them is skipped.
    private static func blocks(_ pem: [UInt8]) -> [Block] {
        pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(clamping: raw.count)) else { return [] }
            defer { BIO_free(bio) }
            var result: [Block] = []
            while true {
                var name: UnsafeMutablePointer<CChar>?
                var header: UnsafeMutablePointer<CChar>?
                var data: UnsafeMutablePointer<UInt8>?
                var length = 0
                guard PEM_read_bio(bio, &name, &header, &data, &length) == 1 else { break }
                defer {
                    cd_openssl_free(name)
                    cd_openssl_free(header)
                    if let data { CRYPTO_clear_free(data, length, nil, 0) }
                }
                result.append(
                    Block(
                        label: name.map { String(cString: $0) } ?? "",
                        header: header.map { Array(String(cString: $0).utf8) } ?? [],
                        data: data.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []))
            }
            ERR_clear_error()
            return result
        }
    }

    /// The key in one PEM block, `nil` when the block holds none OpenSSL reads.
    private static func readKey(_ block: Block, passwords: [SecretBytes], budget: inout KeyBudget)
        throws(PKCS12Error) -> PrivateKey?
    {
        var block = block
        defer { SecretBytes.wipe(&block.data) }
        switch block.label {
        case "ENCRYPTED PRIVATE KEY":
            return try readEncryptedPKCS8(block.data, passwords: passwords, budget: &budget)
        case "PRIVATE KEY":
            return try PBEDecryption.privateKey(fromPKCS8: block.data, what: "the private key")
        default:
            return try readTraditional(block, passwords: passwords, budget: &budget)
        }
    }

    /// `EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING }`
    private static func readEncryptedPKCS8(_ der: [UInt8], passwords: [SecretBytes], budget: inout KeyBudget)
        throws(PKCS12Error) -> PrivateKey?
    {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_X509_SIG(nil, &cursor, buffer.count)
        }
        guard let signature = parsed else {
            OpenSSLErrorQueue.clear()
            throw PKCS12Error(.corrupt, "the encrypted private key cannot be read")
        }
        defer { X509_SIG_free(signature) }
        var algorithm: UnsafePointer<X509_ALGOR>?
        var encrypted: UnsafePointer<ASN1_OCTET_STRING>?
        X509_SIG_get0(signature, &algorithm, &encrypted)
        guard let algorithm, let encrypted, let pbe = PBEAlgorithm(algorithm) else {
            throw PKCS12Error(.corrupt, "the encrypted private key has no algorithm")
        }
        if pbe.isPBES2, pbe.prf == -NID_id_scrypt {
            guard let cost = ScryptCost.cost(of: algorithm) else {
                throw PKCS12Error(.corrupt, "the encrypted private key has unreadable scrypt parameters")
            }
            guard cost <= budget.options.maxIterations else {
                throw PKCS12Error(
                    .iterationLimit,
                    "the encrypted private key asks for an scrypt cost (N·r·p) of \(cost), over the limit of "
                        + "\(budget.options.maxIterations)")
            }
        } else {
            _ = try pbe.check(maxIterations: budget.options.maxIterations, what: "the encrypted private key")
        }
        for password in passwords {
            try budget.spend()
            let decoded = try PBEDecryption.withPlaintext(
                algorithm: algorithm, data: encrypted, password: PasswordVariant(bytes: password)
            ) { plaintext throws(PKCS12Error) in
                try PBEDecryption.privateKey(fromPKCS8: plaintext, what: "the private key")
            }
            if let decoded, let key = decoded { return key }
        }
        throw wrongPassword(passwords)
    }

    /// A traditional (`RSA PRIVATE KEY`, `EC PRIVATE KEY`) block, possibly encrypted with a `DEK-Info` header,
    /// which OpenSSL derives with one iteration.
    private static func readTraditional(_ block: Block, passwords: [SecretBytes], budget: inout KeyBudget)
        throws(PKCS12Error) -> PrivateKey?
    {
        guard let text = pemText(block) else { return nil }
        if let key = readKey(text, password: nil) { return key }
        guard String(decoding: block.header, as: UTF8.self).contains("ENCRYPTED") else { return nil }
        for password in passwords {
            try budget.spend()
            let key = password.withBytes { bytes in readKey(text, password: Array(bytes)) }
            if let key { return key }
        }
        throw wrongPassword(passwords)
    }

    private static func wrongPassword(_ passwords: [SecretBytes]) -> PKCS12Error {
        PKCS12Error(
            .wrongPassword,
            "wrong password: the encrypted private key does not decrypt with "
                + (passwords.isEmpty ? "no password given" : "any of \(passwords.count) candidates"))
    }

    /// The block written back as PEM text, for OpenSSL's own reader of traditional keys.
    private static func pemText(_ block: Block) -> [UInt8]? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        let header = String(decoding: block.header, as: UTF8.self)
        let written = block.data.withUnsafeBufferPointer { data in
            PEM_write_bio(bio, block.label, header, data.baseAddress, data.count)
        }
        guard written > 0 else { return nil }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = cd_BIO_get_mem_data(bio, &pointer)
        guard let pointer, length > 0 else { return nil }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
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

    private static func readKey(_ pem: [UInt8], password: [UInt8]?) -> PrivateKey? {
        // OpenSSL reads the passphrase as a C string.
        var passphrase = (password ?? []) + [0]
        defer { SecretBytes.wipe(&passphrase) }
        let prompt = password != nil
        return pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(clamping: raw.count)) else { return nil }
            defer { BIO_free(bio) }
            let key: OpaquePointer? = passphrase.withUnsafeMutableBytes { buffer in
                // Without a password, a callback that gives nothing: an encrypted key then fails instead of
                // prompting on a terminal.
                prompt
                    ? PEM_read_bio_PrivateKey(bio, nil, nil, buffer.baseAddress)
                    : PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
            }
            ERR_clear_error()
            return key.map { PrivateKey(taking: $0) }
        }
    }
}
