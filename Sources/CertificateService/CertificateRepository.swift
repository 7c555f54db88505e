import CertificateAPI
import Foundation

/// Where certificates are kept: one store behind both dialects.
///
/// Every method either happens whole or not at all, and a write's precondition is checked in the same transaction
/// as the write, so that two clients racing with the same `If-Match` cannot both win. Errors are
/// ``CertificateServiceError``s: ``CertificateServiceError/Code/resourceNotFound``,
/// ``CertificateServiceError/Code/identifierInUse``, ``CertificateServiceError/Code/preconditionFailed``,
/// ``CertificateServiceError/Code/certificateInUse`` or ``CertificateServiceError/Code/storageFailure``.
public protocol CertificateRepository: Sendable {
    /// One page of the certificates that pass `filter` (all when `nil`), ordered by identifier, and how many pass
    /// in all; with `keyVaultRefreshFailed`, only Key Vault certificates whose last fetch failed.
    func list(filter: ODataFilter?, page: PageRequest, keyVaultRefreshFailed: Bool)
        async throws(CertificateServiceError) -> CertificatePage

    /// The certificate with this identifier, or `nil`.
    func certificate(id: String) async throws(CertificateServiceError) -> StoredCertificate?

    /// The PKCS#12 bytes stored for the certificate, or `nil` when it is absent or comes from Key Vault.
    func pkcs12(id: String) async throws(CertificateServiceError) -> [UInt8]?

    /// Creates or replaces a certificate if `condition` allows it; the new ETag differs from every earlier one.
    func put(id: String, content: CertificateContent, condition: WriteCondition)
        async throws(CertificateServiceError) -> PutOutcome

    /// Deletes a certificate if it exists, `condition` matches its ETag and no policy names it.
    /// - Returns: The certificate as it was.
    func delete(id: String, condition: EntityTagCondition) async throws(CertificateServiceError) -> StoredCertificate

    /// Records that a policy scope names a certificate; the certificate must exist.
    /// - Returns: `true` when the reference is new.
    func addPolicyReference(_ reference: PolicyReference) async throws(CertificateServiceError) -> Bool

    /// Forgets a policy reference.
    /// - Returns: `true` when there was one.
    func removePolicyReference(_ reference: PolicyReference) async throws(CertificateServiceError) -> Bool

    /// The policy references, all or those of one certificate, ordered by certificate and scope.
    func policyReferences(certificateId: String?) async throws(CertificateServiceError) -> [PolicyReference]
}

extension CertificateRepository {
    /// One page of the certificates that pass `filter`, Key Vault status aside.
    public func list(filter: ODataFilter?, page: PageRequest) async throws(CertificateServiceError)
        -> CertificatePage
    {
        try await list(filter: filter, page: page, keyVaultRefreshFailed: false)
    }
}

/// What a `PUT` (or a Key Vault refresh) stores: the facts read from the PKCS#12 file and its bytes, or a Key Vault
/// reference with the facts of the secret it names and how its fetch went.
///
/// The password is not part of it: the service never stores one.
public struct CertificateContent: Hashable, Sendable {
    /// The leaf's subject (empty for an unresolved Key Vault reference).
    public let subject: String
    /// The leaf's thumbprint (empty for an unresolved Key Vault reference).
    public let thumbprint: String
    /// The leaf's notAfter (1970-01-01 for an unresolved Key Vault reference).
    public let expirationDate: Date
    /// The PKCS#12 file as uploaded, or `nil` for a Key Vault reference.
    public let pkcs12: [UInt8]?
    /// The Key Vault secret, for ARM's `properties.keyVault`.
    public let keyVault: KeyVaultReference?
    /// How the last fetch of the Key Vault secret went, for `keyVault.lastStatus`.
    public let keyVaultStatus: KeyVaultStatus?

    /// Makes the content of an upload.
    public init(subject: String, thumbprint: String, expirationDate: Date, pkcs12: [UInt8]) {
        self.subject = subject
        self.thumbprint = thumbprint
        self.expirationDate = expirationDate
        self.pkcs12 = pkcs12
        self.keyVault = nil
        self.keyVaultStatus = nil
    }

    /// Makes the content of a Key Vault reference whose secret was read: the facts of its certificate and a
    /// `Success` status (or, with `status`, the status given).
    public init(keyVault: KeyVaultReference, facts: CertificateRecord, status: KeyVaultStatus) {
        self.subject = facts.subject
        self.thumbprint = facts.thumbprint
        self.expirationDate = facts.expirationDate
        self.pkcs12 = nil
        self.keyVault = keyVault
        self.keyVaultStatus = status
    }

    /// Makes the content of a Key Vault reference whose secret could not be read: the facts stay as `previous`
    /// says (empty, with 1970-01-01 as expiry, for a new certificate) and the status says why.
    public init(keyVault: KeyVaultReference, failure: KeyVaultStatus? = nil, previous: CertificateRecord? = nil) {
        self.subject = previous?.subject ?? ""
        self.thumbprint = previous?.thumbprint ?? ""
        self.expirationDate = previous?.expirationDate ?? Date(timeIntervalSince1970: 0)
        self.pkcs12 = nil
        self.keyVault = keyVault
        self.keyVaultStatus = failure
    }
}

/// A certificate as the store holds it, without its bytes.
public struct StoredCertificate: Hashable, Sendable {
    /// The facts both dialects show.
    public let record: CertificateRecord
    /// The current entity tag, quoted (`"0000000000000007"`).
    public let etag: String
    /// The Key Vault secret, for certificates that come from Key Vault.
    public let keyVault: KeyVaultReference?
    /// How the last fetch of that secret went.
    public let keyVaultStatus: KeyVaultStatus?

    /// Makes a stored certificate.
    public init(
        record: CertificateRecord, etag: String, keyVault: KeyVaultReference? = nil,
        keyVaultStatus: KeyVaultStatus? = nil
    ) {
        self.record = record
        self.etag = etag
        self.keyVault = keyVault
        self.keyVaultStatus = keyVault == nil ? nil : keyVaultStatus
    }
}

/// One page of a list and the number of matching certificates in all.
public struct CertificatePage: Hashable, Sendable {
    /// The certificates of the page, ordered by identifier.
    public let certificates: [StoredCertificate]
    /// How many certificates match in all.
    public let totalCount: Int

    /// Makes a page.
    public init(certificates: [StoredCertificate], totalCount: Int) {
        self.certificates = certificates
        self.totalCount = totalCount
    }
}

/// When a `PUT` may write.
public enum WriteCondition: Hashable, Sendable {
    /// Only when the identifier is free: legacy `PUT` without `If-Match` (else `409`).
    case mustNotExist
    /// Only when the identifier is free, asked for with `If-None-Match: *` (else `412`).
    case ifNoneMatchAny
    /// Always: ARM `PUT` without `If-Match`, which replaces as the live service does.
    case unconditional
    /// When `If-Match` matches; `*` also creates an absent certificate (else `412`).
    case ifMatch(EntityTagCondition)
}

/// The outcome of a `PUT`.
public enum PutOutcome: Hashable, Sendable {
    /// The certificate did not exist and was created.
    case created(StoredCertificate)
    /// The certificate existed and was replaced.
    case replaced(StoredCertificate)

    /// The certificate as stored now.
    public var certificate: StoredCertificate {
        switch self {
        case .created(let certificate), .replaced(let certificate): return certificate
        }
    }
}

/// A record that a policy scope names a certificate, which keeps the certificate from being deleted.
public struct PolicyReference: Hashable, Sendable, Codable {
    /// The policy's scope, such as `apis/echo-api` or `global` (opaque to the service).
    public let scope: String
    /// The certificate the policy names.
    public let certificateId: String

    /// Makes a reference.
    public init(scope: String, certificateId: String) {
        self.scope = scope
        self.certificateId = certificateId
    }
}
