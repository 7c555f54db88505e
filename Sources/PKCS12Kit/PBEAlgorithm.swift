internal import CFastKDF
internal import COpenSSL

/// A password-based encryption algorithm identifier, read without deriving anything.
///
/// The parameters are read by `cd_pbe_parameters` (`CFastKDF/pkcs12.c`) with OpenSSL's own ASN.1 decoders
/// (`PBE2PARAM`, `PBKDF2PARAM`, `PBEPARAM`), not with swift-asn1: they must be read exactly as the decryption that
/// follows reads them, and OpenSSL accepts BER forms inside them that a DER parser refuses (a long-form length
/// for a short salt, for one; `PBEParameterDecodingTests` pins that difference).
struct PBEAlgorithm: Hashable {
    let scheme: Int32
    let cipher: Int32
    let prf: Int32
    let iterations: Int

    /// Reads `algorithm`'s parameters; `nil` when there is no algorithm.
    init?(_ algorithm: UnsafePointer<X509_ALGOR>?) {
        guard let algorithm else { return nil }
        var scheme: Int32 = 0
        var cipher: Int32 = 0
        var prf: Int32 = 0
        var iterations: Int = -1
        cd_pbe_parameters(UnsafeRawPointer(algorithm), &scheme, &cipher, &prf, &iterations)
        ERR_clear_error()
        self.scheme = scheme
        self.cipher = cipher
        self.prf = prf
        self.iterations = iterations
    }

    var isPBES2: Bool { scheme == NID_pbes2 }

    /// For example `AES-256-CBC, PBKDF2-HMAC-SHA256, 2048 iterations` or
    /// `pbeWithSHA1And40BitRC2-CBC, 2048 iterations`.
    var description: String {
        if isPBES2 {
            let prfName: String
            switch prf {
            case NID_hmacWithSHA1: prfName = "PBKDF2-HMAC-SHA1"
            case NID_hmacWithSHA224: prfName = "PBKDF2-HMAC-SHA224"
            case NID_hmacWithSHA256: prfName = "PBKDF2-HMAC-SHA256"
            case NID_hmacWithSHA384: prfName = "PBKDF2-HMAC-SHA384"
            case NID_hmacWithSHA512: prfName = "PBKDF2-HMAC-SHA512"
            case ..<0: prfName = Self.name(-prf)
            default: prfName = "PBKDF2-" + Self.name(prf)
            }
            return "\(Self.name(cipher).uppercased()), \(prfName), \(iterations) iterations"
        }
        return "\(Self.name(scheme)), \(iterations) iterations"
    }

    /// The scheme as the public facts show it; `nil` when its parameters are unreadable.
    var encryptionScheme: EncryptionScheme? {
        guard iterations > 0 else { return nil }
        if isPBES2 {
            let prfName = prf < 0 ? Self.name(-prf) : (OBJ_nid2sn(prf).map { String(cString: $0) } ?? Self.name(prf))
            let cipherName = OBJ_nid2sn(cipher).map { String(cString: $0) } ?? Self.name(cipher)
            return EncryptionScheme(kind: "PBES2", cipher: cipherName, prf: prfName, iterations: iterations)
        }
        var cipherNid: Int32 = 0
        var digestNid: Int32 = 0
        let found = EVP_PBE_find(EVP_PBE_TYPE_OUTER, scheme, &cipherNid, &digestNid, nil) == 1 && cipherNid != 0
        let cipherName =
            found ? (OBJ_nid2sn(cipherNid).map { String(cString: $0) } ?? Self.name(cipherNid)) : Self.name(scheme)
        return EncryptionScheme(kind: "PBES1", cipher: cipherName, prf: nil, iterations: iterations)
    }

    /// The cipher this scheme decrypts with, fetched from the loaded providers.
    private var cipherName: String? {
        if isPBES2 { return OBJ_nid2sn(cipher).map { String(cString: $0) } }
        var cipherNid: Int32 = 0
        var digestNid: Int32 = 0
        guard EVP_PBE_find(EVP_PBE_TYPE_OUTER, scheme, &cipherNid, &digestNid, nil) == 1, cipherNid != 0 else {
            return nil
        }
        return OBJ_nid2sn(cipherNid).map { String(cString: $0) }
    }

    /// Checks that the algorithm can be used and that its cost stays under `maxIterations`.
    /// Returns whether the cipher lives in OpenSSL's legacy provider.
    func check(maxIterations: Int, what: String) throws(PKCS12Error) -> Bool {
        guard scheme != NID_undef else {
            throw PKCS12Error(.unsupportedAlgorithm, "\(what) uses an unknown encryption algorithm")
        }
        guard iterations > 0 else {
            throw PKCS12Error(.corrupt, "\(what) has unreadable \(Self.name(scheme)) parameters")
        }
        guard iterations <= maxIterations else {
            throw PKCS12Error(
                .iterationLimit,
                "\(what) asks for \(iterations) key-derivation iterations, over the limit of \(maxIterations)")
        }
        if isPBES2, prf < 0 {
            throw PKCS12Error(.unsupportedAlgorithm, "\(what) uses the key derivation \(Self.name(-prf))")
        }
        guard let cipherName, let fetched = EVP_CIPHER_fetch(nil, cipherName, nil) else {
            ERR_clear_error()
            let needsLegacy =
                [NID_rc2_cbc, NID_rc2_40_cbc, NID_rc4, NID_rc4_40, NID_des_cbc].contains(cipher)
                || Self.name(scheme).contains("RC2") || Self.name(scheme).contains("RC4")
                || Self.name(scheme).contains("DES-CBC")
            if needsLegacy && !OpenSSLRuntime.legacyProviderAvailable {
                throw PKCS12Error(
                    .unsupportedAlgorithm,
                    "\(what) is encrypted with \(description), which needs OpenSSL's legacy provider; "
                        + "it could not be loaded (install the OpenSSL legacy module)")
            }
            throw PKCS12Error(
                .unsupportedAlgorithm, "\(what) is encrypted with an unsupported algorithm (\(description))")
        }
        defer { EVP_CIPHER_free(fetched) }
        guard let provider = EVP_CIPHER_get0_provider(fetched), let providerName = OSSL_PROVIDER_get0_name(provider)
        else { return false }
        return String(cString: providerName) == "legacy"
    }

    static func name(_ nid: Int32) -> String {
        if let long = OBJ_nid2ln(nid) { return String(cString: long) }
        return "algorithm \(nid)"
    }
}
