import CertificateAPI
import Foundation
import PKCS12Kit

extension UploadValidator {
    /// Fetches a Key Vault reference's secret: locates it in the local Key Vault, reads the PKCS#12 file (and its
    /// password file) as secrets, and opens it on the pool like an upload.
    ///
    /// A fetch that fails is not an error of the request: the content keeps `previous`'s facts (or none) and a
    /// `Failed` status whose message says why, as Key Vault certificates in ARM do.
    /// - Throws: ``CertificateServiceError/Code/serviceUnavailable`` only when the pool's queue is full, so that the
    ///   client retries instead of a transient refusal being recorded as the secret's status.
    func fetch(_ reference: KeyVaultReference, previous: CertificateRecord?) async throws(CertificateServiceError)
        -> CertificateContent
    {
        let failure = { (message: String) -> CertificateContent in
            CertificateContent(
                keyVault: reference,
                failure: KeyVaultStatus(code: KeyVaultStatus.failed, message: message, timeStampUtc: now()),
                previous: previous)
        }
        guard let keyVault else {
            return failure(
                "the service has no Key Vault to read \(RequestReader.quoted(reference.secretIdentifier)) "
                    + "from; start it with --key-vault-dir DIR to resolve secrets from a local folder")
        }
        let version: LocalKeyVault.SecretVersion
        switch keyVault.locate(reference.secretIdentifier) {
        case .success(let found): version = found
        case .failure(let error): return failure(error.message)
        }
        let bytes: [UInt8]
        let password: String?
        do {
            bytes = try SecretFile.read(
                path: version.pkcs12Path, what: "Key Vault secret", maximumSize: CertificateUpload.maximumBodySize)
            password = try version.passwordPath.map { path throws(SecretFileError) -> String in
                Self.passwordText(try SecretFile.read(path: path, what: "Key Vault password file"))
            }
        } catch {
            return failure(error.message)
        }
        let content: CertificateContent
        do {
            content = try await pool.run { () throws(CertificateServiceError) -> CertificateContent in
                try open(bytes, password: password)
            }
        } catch {
            if error.detailCode == "pkcs12-queue-full" {
                metrics?.recordRefusal("pkcs12-queue-full")
                throw error
            }
            return failure(
                "the Key Vault secret \(RequestReader.quoted(reference.secretIdentifier)) (version "
                    + "\(version.version)) cannot be used: \(error.message)")
        }
        let facts = CertificateRecord(
            certificateId: "", subject: content.subject, thumbprint: content.thumbprint,
            expirationDate: content.expirationDate)
        return CertificateContent(
            keyVault: reference, facts: facts,
            status: KeyVaultStatus(code: KeyVaultStatus.success, timeStampUtc: now()))
    }

    /// The password in a password file: its UTF-8 text without one trailing line break (`\n` or `\r\n`).
    static func passwordText(_ bytes: [UInt8]) -> String {
        var bytes = bytes[...]
        if bytes.last == 0x0A { bytes = bytes.dropLast() }
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
