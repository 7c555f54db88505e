internal import COpenSSL
import Foundation

/// The walks of ``PKCS12Reader``: one per password variant tried, over the safes the pre-scan unpacked.
extension PKCS12Reader {
    /// One walk with `password`: `nil` when it does not decrypt, a thrown ``PKCS12Error`` when a part is over the limits.
    func attempt(_ password: PasswordVariant) throws(PKCS12Error) -> Contents? {
        do {
            return try walk(password)
        } catch let error as PKCS12Error {
            throw error
        } catch {
            return nil
        }
    }

    /// Reads every bag with one password variant; throws `DecryptionFailed` when any part does not decrypt, or a
    /// ``PKCS12Error`` when a part asks for more than the limits allow.
    private func walk(_ password: PasswordVariant) throws -> Contents {
        var contents = Contents()
        contents.legacy = legacy
        try withSafesRethrowing { index, safe in
            switch cd_p7_type_nid(safe) {
            case NID_pkcs7_data:
                // Unpacked by the pre-scan, which throws when one does not unpack.
                guard let bags = plainBags[index] else { throw DecryptionFailed() }
                try read(bags: bags, safeEncryption: "none", password: password, into: &contents)
            case NID_pkcs7_encrypted:
                let algorithm = PBEAlgorithm(cd_p7_encrypted_algorithm(safe))
                try spendDerivation()
                OpenSSLErrorQueue.clear()
                let bags = password.withCString { PKCS12_unpack_p7encdata(safe, $0, $1) }
                OpenSSLErrorQueue.clear()
                guard let bags else {
                    try diagnoseEncryptedSafe(safe, password: password)
                    throw DecryptionFailed()
                }
                defer { cd_sk_SAFEBAG_pop_free(bags) }
                let before = contents.certificates.count
                contents.keyBagsInClear = 0
                try read(
                    bags: bags, safeEncryption: algorithm?.description ?? "unknown", password: password,
                    into: &contents)
                if let scheme = algorithm?.encryptionScheme {
                    if contents.certificates.count > before { contents.certSchemes.insert(scheme) }
                    if contents.keyBagsInClear > 0 { contents.keySchemes.insert(scheme) }
                }
                contents.keyBagsInClear = 0
            default:
                throw DecryptionFailed()
            }
        }
        return contents
    }

    /// Runs `body` on each authenticated safe the pre-scan unpacked, with its index.
    private func withSafesRethrowing(_ body: (Int32, UnsafeMutablePointer<PKCS7>) throws -> Void) throws {
        guard let safes else { throw DecryptionFailed() }
        for index in 0..<cd_sk_PKCS7_num(safes) {
            guard let safe = cd_sk_PKCS7_value(safes, index) else { continue }
            try body(index, safe)
        }
    }

    private func read(
        bags: OpaquePointer, safeEncryption: String, password: PasswordVariant, into contents: inout Contents
    ) throws {
        try spendBags(cd_sk_SAFEBAG_num(bags))
        for index in 0..<cd_sk_SAFEBAG_num(bags) {
            guard let bag = cd_sk_SAFEBAG_value(bags, index) else { continue }
            switch PKCS12_SAFEBAG_get_nid(bag) {
            case NID_keyBag:
                guard let info = PKCS12_SAFEBAG_get0_p8inf(bag), let key = PrivateKeyImport.key(fromInfo: info)
                else { throw DecryptionFailed() }
                contents.keys.append(KeyEntry(key: key, localKeyID: localKeyID(bag), friendlyName: friendlyName(bag)))
                contents.keyEncryption.insert(safeEncryption)
                contents.keyBagsInClear += 1
                if safeEncryption == "none" { contents.plainKey = true }
            case NID_pkcs8ShroudedKeyBag:
                guard let algorithm = PBEAlgorithm(cd_shrouded_key_algorithm(bag)) else { throw DecryptionFailed() }
                contents.legacy =
                    try algorithm.check(maxIterations: options.maxIterations, what: "a private key")
                    || contents.legacy
                guard let shrouded = PKCS12_SAFEBAG_get0_pkcs8(bag) else { throw DecryptionFailed() }
                var encryption: UnsafePointer<X509_ALGOR>?
                var encrypted: UnsafePointer<ASN1_OCTET_STRING>?
                X509_SIG_get0(shrouded, &encryption, &encrypted)
                guard let encryption, let encrypted else { throw DecryptionFailed() }
                try spendDerivation()
                // Decrypted here and decoded apart (as PKCS12_decrypt_skey would, in one step), so that a key that
                // decrypts but is a PKCS#8 v2 structure is told apart from a wrong password.
                let decoded = try PBEDecryption.withPlaintext(
                    algorithm: encryption, data: encrypted, password: password
                ) { plaintext throws(PKCS12Error) in
                    try PBEDecryption.privateKey(fromPKCS8: plaintext, what: "the private key")
                }
                guard let decoded, let key = decoded else { throw DecryptionFailed() }
                contents.keys.append(KeyEntry(key: key, localKeyID: localKeyID(bag), friendlyName: friendlyName(bag)))
                contents.keyEncryption.insert(algorithm.description)
                if let scheme = algorithm.encryptionScheme { contents.keySchemes.insert(scheme) }
            case NID_certBag:
                guard PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate else { continue }
                guard contents.certificates.count < options.maxCertificates else {
                    throw PKCS12Error(
                        .tooManyCertificates, "the file holds more than \(options.maxCertificates) certificates")
                }
                guard let certificate = PKCS12_SAFEBAG_get1_cert(bag) else { throw DecryptionFailed() }
                contents.certificates.append(
                    CertificateEntry(
                        certificate: X509Certificate(taking: certificate),
                        localKeyID: localKeyID(bag), friendlyName: friendlyName(bag)))
                contents.certEncryption.insert(safeEncryption)
            case NID_safeContentsBag:
                if let nested = PKCS12_SAFEBAG_get0_safes(bag) {
                    try read(bags: nested, safeEncryption: safeEncryption, password: password, into: &contents)
                }
            default:
                continue
            }
        }
    }

    /// An encrypted safe that did not unpack: when its contents decrypt with `password` to safe contents that hold
    /// a structure OpenSSL 3.0 cannot read, says so. Costs one more key derivation, only on this failure path.
    private func diagnoseEncryptedSafe(_ safe: UnsafeMutablePointer<PKCS7>, password: PasswordVariant) throws {
        guard let algorithm = cd_p7_encrypted_algorithm(safe), let encrypted = safe.pointee.d.encrypted,
            let data = encrypted.pointee.enc_data, let ciphertext = data.pointee.enc_data
        else { return }
        try spendDerivation()
        let diagnosis = PBEDecryption.withPlaintext(
            algorithm: algorithm, data: UnsafePointer(ciphertext), password: password
        ) { plaintext in
            SafeContentsDiagnosis.diagnose(plaintext)
        }
        if let diagnosis, let error = diagnosis { throw error }
    }

    private func localKeyID(_ bag: OpaquePointer) -> [UInt8]? {
        guard let id = cd_bag_local_key_id(bag), let data = ASN1_STRING_get0_data(id) else { return nil }
        return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(id))))
    }

    private func friendlyName(_ bag: OpaquePointer) -> String? {
        guard let name = PKCS12_get_friendlyname(bag) else { return nil }
        defer { cd_openssl_free(name) }
        return String(cString: name)
    }
}
