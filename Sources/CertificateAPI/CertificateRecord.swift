import Foundation

/// The facts of one stored certificate, in neither dialect's shape.
///
/// The service keeps these per certificate and renders them as a ``CertificateEntity`` (legacy) or an
/// ``ARMCertificateResource`` (ARM); `$filter` is evaluated over them (``ODataFilter/matches(_:)``).
public struct CertificateRecord: Hashable, Sendable {
    /// The identifier (`{cid}`, ARM's `{certificateId}` and `name`).
    public let certificateId: String
    /// The leaf's subject, most specific part first, `", "` between parts (`CN=a, O=b, C=CH`).
    public let subject: String
    /// SHA-1 of the leaf's DER, upper-case hex, 40 characters.
    public let thumbprint: String
    /// The leaf's notAfter.
    public let expirationDate: Date

    /// Makes a record.
    public init(certificateId: String, subject: String, thumbprint: String, expirationDate: Date) {
        self.certificateId = certificateId
        self.subject = subject
        self.thumbprint = thumbprint
        self.expirationDate = expirationDate
    }
}
