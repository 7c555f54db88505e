import CertificateAPI
import Foundation
import PKCS12Kit

/// Turns a `PUT` body's upload into what the store keeps: opens the PKCS#12 file with the given password and
/// reads the leaf's facts, or fetches a Key Vault reference's secret from the local Key Vault (``keyVault``) and
/// records how the fetch went.
///
/// The file is opened on the service's ``PKCS12WorkPool``, never on an event loop or the cooperative pool, with
/// the iteration cap of ``options`` checked before any key is derived. The password lives only in a
/// ``PKCS12Kit/SecretBytes`` buffer that is wiped when the file has been opened; it is never stored, logged or put
/// in an error message.
struct UploadValidator: Sendable {
    /// Limits for opening untrusted PKCS#12 files.
    let options: PKCS12Options
    /// The threads that open them.
    let pool: PKCS12WorkPool
    /// Where a refusal for a full pool is counted, if anywhere.
    var metrics: ServiceMetrics? = nil
    /// The local Key Vault, or `nil` when the service has none (every fetch then fails).
    var keyVault: LocalKeyVault? = nil
    /// The clock of `lastStatus.timeStampUtc`.
    var now: @Sendable () -> Date = { Date() }

    /// Validates an upload.
    /// - Throws: ``CertificateServiceError/Code/invalidCertificate`` naming the problem: not PKCS#12, damaged,
    ///   wrong password, unsupported algorithm, too many iterations, no certificate, no private key, or a key that
    ///   belongs to no certificate in the file; ``CertificateServiceError/Code/serviceUnavailable`` (detail
    ///   `pkcs12-queue-full`) when the pool's queue is full.
    func content(of upload: CertificateUpload) async throws(CertificateServiceError) -> CertificateContent {
        switch upload {
        case .keyVault(let reference):
            return try await fetch(reference, previous: nil)
        case .pkcs12(let data, let password):
            let bytes = Array(data)
            do {
                return try await pool.run { () throws(CertificateServiceError) -> CertificateContent in
                    try open(bytes, password: password)
                }
            } catch {
                if error.detailCode == "pkcs12-queue-full" { metrics?.recordRefusal("pkcs12-queue-full") }
                throw error
            }
        }
    }

    /// Opens the file on the calling thread.
    func open(_ bytes: [UInt8], password: String?) throws(CertificateServiceError) -> CertificateContent {
        var options = self.options
        // With no password the empty one is tried (as NULL and ""); with one, only it.
        options.tryEmptyPassword = password == nil
        let secrets = password.map { [SecretBytes(utf8: $0)] } ?? []
        let bundle: PKCS12Bundle
        do {
            bundle = try PKCS12Bundle.open(bytes, passwords: secrets, options: options)
        } catch {
            throw CertificateServiceError(error)
        }
        guard let leaf = bundle.certificate else {
            throw CertificateServiceError(
                .invalidCertificate, "the PKCS#12 file holds no certificate", detailCode: "no-certificate",
                target: "data")
        }
        guard bundle.pkcs12.hasPrivateKey else {
            throw CertificateServiceError(
                .invalidCertificate, "the PKCS#12 file holds no private key; upload a certificate with its key",
                detailCode: "no-private-key", target: "data")
        }
        guard bundle.pkcs12.keyMatchesCertificate == true else {
            throw CertificateServiceError(
                .invalidCertificate, "the PKCS#12 file's private key belongs to none of its certificates",
                detailCode: "key-mismatch", target: "data")
        }
        return CertificateContent(
            subject: leaf.subject, thumbprint: leaf.thumbprint, expirationDate: leaf.expirationDate, pkcs12: bytes)
    }
}
