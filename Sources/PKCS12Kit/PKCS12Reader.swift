internal import COpenSSL
import Foundation

/// Walks a PKCS#12 structure's safe bags itself rather than through `PKCS12_parse`, which keeps only the first
/// key and refuses MAC-less files on OpenSSL 3.0.
///
/// ```
/// PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }
/// AuthenticatedSafe ::= SEQUENCE OF ContentInfo  -- data, encryptedData or envelopedData
/// SafeBag ::= SEQUENCE { bagId, bagValue [0] EXPLICIT ANY, bagAttributes SET OF PKCS12Attribute OPTIONAL }
/// ```
///
/// Every iteration count is read and checked before the first key derivation. The per-file budget of
/// ``PKCS12Options`` is counted as the walk goes: each key derivation asked for (MAC checks and decryptions, for
/// every candidate password), each safe bag read, each certificate read.
final class PKCS12Reader {
    struct KeyEntry {
        let key: PrivateKey
        let localKeyID: [UInt8]?
        let friendlyName: String?
    }

    struct CertificateEntry {
        let certificate: X509Certificate
        let localKeyID: [UInt8]?
        let friendlyName: String?
    }

    /// What one successful walk found.
    struct Contents {
        var keys: [KeyEntry] = []
        var certificates: [CertificateEntry] = []
        var certEncryption: Set<String> = []
        var keyEncryption: Set<String> = []
        var certSchemes: Set<EncryptionScheme> = []
        var keySchemes: Set<EncryptionScheme> = []
        var legacy = false
        var plainKey = false
        var protected = false
        var emptyPassword = false
        /// Plain key bags read from the safe being walked (a plain bag inside an encrypted safe is protected by
        /// the safe's encryption).
        var keyBagsInClear = 0
    }

    struct DecryptionFailed: Error {}

    let p12: OpaquePointer
    let options: PKCS12Options
    /// The authenticated safes (`STACK_OF(PKCS7)`), unpacked once for the pre-scan and every walk.
    private(set) var safes: OpaquePointer?
    /// The bags of each plain (`data`) safe, by the safe's index, unpacked once by the pre-scan.
    private(set) var plainBags: [Int32: OpaquePointer] = [:]
    let macAlgorithm: String?
    let macIterations: Int?
    /// The content octets the MAC covers, located once (``PKCS12MAC/authenticatedContent(of:original:)``); `nil`
    /// when there is no MAC or they cannot be located (then OpenSSL's own check runs).
    private let macContent: [UInt8]?
    private var encryptedSafes = false
    private(set) var legacy = false
    /// Key derivations asked for so far, over every attempt.
    private(set) var derivations = 0
    /// Safe bags read so far while trying passwords, over every attempt.
    private(set) var bagsRead = 0
    /// Safe bags of the plain safes read by the pre-scan.
    private var prescannedBags = 0

    init(bytes: [UInt8], options: PKCS12Options) throws(PKCS12Error) {
        self.options = options
        OpenSSLErrorQueue.clear()
        let parsed: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_PKCS12(nil, &cursor, buffer.count)
        }
        guard let parsed else {
            OpenSSLErrorQueue.clear()
            throw Self.unreadable(bytes)
        }
        p12 = parsed

        if PKCS12_mac_present(parsed) == 1 {
            var algorithm: UnsafePointer<X509_ALGOR>?
            var iterations: UnsafePointer<ASN1_INTEGER>?
            PKCS12_get0_mac(nil, &algorithm, nil, &iterations, parsed)
            var object: OpaquePointer?
            X509_ALGOR_get0(&object, nil, nil, algorithm)
            let nid = OBJ_obj2nid(object)
            macAlgorithm = OBJ_nid2sn(nid).map { String(cString: $0) } ?? "unknown"
            macIterations = iterations == nil ? 1 : cd_asn1_integer_get(iterations)
            macContent = PKCS12MAC.authenticatedContent(of: parsed, original: bytes)
        } else {
            macAlgorithm = nil
            macIterations = nil
            macContent = nil
        }
        try checkMAC()
        try prescan()
    }

    deinit {
        for bags in plainBags.values { cd_sk_SAFEBAG_pop_free(bags) }
        if let safes { cd_sk_PKCS7_pop_free(safes) }
        PKCS12_free(p12)
    }

    /// Tells "not PKCS#12 at all" from a damaged PKCS#12: a PFX starts `SEQUENCE { INTEGER 3, …` (DER or BER).
    private static func unreadable(_ bytes: [UInt8]) -> PKCS12Error {
        if BERPrefix.startsLikePFX(bytes) {
            return PKCS12Error(.corrupt, "the PKCS#12 structure is damaged or truncated (\(bytes.count) bytes)")
        }
        guard BERPrefix.header(bytes, at: 0)?.identifier == 0x30 else {
            return PKCS12Error(.notPKCS12, "not a PKCS#12 file (it does not start with an ASN.1 sequence)")
        }
        return PKCS12Error(.notPKCS12, "not a PKCS#12 file (ASN.1 data of another kind)")
    }

    /// Counts one key derivation against the budget, before it is made.
    func spendDerivation() throws(PKCS12Error) {
        guard derivations < options.maxDerivations else {
            throw PKCS12Error(
                .tooManyDerivations,
                "opening the file needs more than \(options.maxDerivations) key derivations "
                    + "(MAC checks and decryptions over every candidate password)")
        }
        derivations += 1
    }

    /// Counts the bags of one safe against the budget, before they are looked at. The pre-scan of the plain safes
    /// (once, before any password) and the walks with candidate passwords (over all attempts) each get the cap.
    func spendBags(_ count: Int32, prescan: Bool = false) throws(PKCS12Error) {
        if prescan {
            prescannedBags += Int(max(0, count))
        } else {
            bagsRead += Int(max(0, count))
        }
        guard max(prescannedBags, bagsRead) <= options.maxBags else {
            throw PKCS12Error(.tooManyBags, "the file holds more than \(options.maxBags) safe bags")
        }
    }

    private func checkMAC() throws(PKCS12Error) {
        guard let macAlgorithm, let macIterations else { return }
        guard macIterations > 0 else { throw PKCS12Error(.corrupt, "the MAC's iteration count is unreadable") }
        guard macIterations <= options.maxIterations else {
            throw PKCS12Error(
                .iterationLimit,
                "the MAC asks for \(macIterations) key-derivation iterations, over the limit of \(options.maxIterations)"
            )
        }
        guard let digest = EVP_MD_fetch(nil, macAlgorithm, nil) else {
            OpenSSLErrorQueue.clear()
            throw PKCS12Error(.unsupportedAlgorithm, "the MAC uses the unsupported digest \(macAlgorithm)")
        }
        EVP_MD_free(digest)
    }

    /// Reads every algorithm reachable without a password and checks it.
    private func prescan() throws(PKCS12Error) {
        try withSafes { index, safe throws(PKCS12Error) in
            switch cd_p7_type_nid(safe) {
            case NID_pkcs7_data:
                guard let bags = PKCS12_unpack_p7data(safe) else {
                    OpenSSLErrorQueue.clear()
                    if let data = safe.pointee.d.data, let content = ASN1_STRING_get0_data(data) {
                        let bytes = Array(UnsafeBufferPointer(start: content, count: Int(ASN1_STRING_length(data))))
                        if let error = SafeContentsDiagnosis.diagnose(bytes) { throw error }
                    }
                    throw PKCS12Error(.corrupt, "a safe of the PKCS#12 file cannot be read")
                }
                plainBags[index] = bags
                try prescan(bags: bags)
            case NID_pkcs7_encrypted:
                guard let algorithm = PBEAlgorithm(cd_p7_encrypted_algorithm(safe)) else {
                    throw PKCS12Error(.corrupt, "an encrypted safe has no algorithm")
                }
                legacy = try algorithm.check(maxIterations: options.maxIterations, what: "an encrypted safe") || legacy
                encryptedSafes = true
            case let nid:
                throw PKCS12Error(
                    .unsupportedAlgorithm,
                    "a safe of type \(PBEAlgorithm.name(nid)) (public-key protection) is not supported")
            }
        }
    }

    private func prescan(bags: OpaquePointer) throws(PKCS12Error) {
        try spendBags(cd_sk_SAFEBAG_num(bags), prescan: true)
        for index in 0..<cd_sk_SAFEBAG_num(bags) {
            guard let bag = cd_sk_SAFEBAG_value(bags, index) else { continue }
            switch PKCS12_SAFEBAG_get_nid(bag) {
            case NID_pkcs8ShroudedKeyBag:
                guard let algorithm = PBEAlgorithm(cd_shrouded_key_algorithm(bag)) else {
                    throw PKCS12Error(.corrupt, "a shrouded key bag has no algorithm")
                }
                legacy = try algorithm.check(maxIterations: options.maxIterations, what: "a private key") || legacy
                encryptedSafes = true
            case NID_safeContentsBag:
                if let nested = PKCS12_SAFEBAG_get0_safes(bag) { try prescan(bags: nested) }
            default:
                break
            }
        }
    }

    /// Unpacks the authenticated safes (kept for the walks) and runs `body` on each, with its index.
    private func withSafes(
        _ body: (Int32, UnsafeMutablePointer<PKCS7>) throws(PKCS12Error) -> Void
    ) throws(PKCS12Error) {
        OpenSSLErrorQueue.clear()
        guard let safes = PKCS12_unpack_authsafes(p12) else {
            OpenSSLErrorQueue.clear()
            throw PKCS12Error(.corrupt, "the PKCS#12 contents cannot be read")
        }
        self.safes = safes
        for index in 0..<cd_sk_PKCS7_num(safes) {
            guard let safe = cd_sk_PKCS7_value(safes, index) else { continue }
            try body(index, safe)
        }
    }

    /// Tries the candidates in order and returns what the first that works reveals.
    func open(candidates: [SecretBytes]) throws(PKCS12Error) -> (contents: Contents, candidate: Int) {
        if macAlgorithm == nil && !encryptedSafes {
            guard var contents = try attempt(PasswordVariant(bytes: nil)) else {
                throw PKCS12Error(.corrupt, "the unencrypted PKCS#12 contents cannot be read")
            }
            contents.protected = false
            return (contents, candidates.count)
        }
        var macPassedButNoDecrypt = false
        for (position, candidate) in candidates.enumerated() {
            let variants = PasswordVariant.variants(of: candidate)
            for (variantIndex, variant) in variants.enumerated() {
                if macAlgorithm != nil {
                    try spendDerivation()
                    OpenSSLErrorQueue.clear()
                    let verified = variant.withCString { PKCS12MAC.verify(p12, $0, $1, content: .some(macContent)) }
                    OpenSSLErrorQueue.clear()
                    guard verified else { continue }
                    // The MAC and the bags may read the bytes differently (BMPString against raw bytes).
                    let order = [variant] + variants.enumerated().filter { $0.offset != variantIndex }.map(\.element)
                    for attempt in order {
                        if var contents = try self.attempt(attempt) {
                            contents.protected = true
                            contents.emptyPassword = candidate.isEmpty
                            return (contents, position)
                        }
                    }
                    macPassedButNoDecrypt = true
                    break
                } else if var contents = try attempt(variant) {
                    contents.protected = true
                    contents.emptyPassword = candidate.isEmpty
                    return (contents, position)
                }
            }
        }
        if macPassedButNoDecrypt {
            throw PKCS12Error(
                .corrupt,
                "the MAC verifies but the contents do not decrypt: the data is damaged or the password's encoding "
                    + "does not match")
        }
        let tried =
            candidates.count == 1 ? "the only candidate password" : "all \(candidates.count) candidate passwords"
        if macAlgorithm != nil {
            throw PKCS12Error(.wrongPassword, "wrong password: the MAC does not verify with \(tried)")
        }
        throw PKCS12Error(.wrongPassword, "wrong password: the file has no MAC and does not decrypt with \(tried)")
    }
}
