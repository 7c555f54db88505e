import Foundation

/// A certificate in the legacy dialect, as the reference shows it:
///
/// ```json
/// { "id": "/certificates/544fe9abc3b8f30fb490d90f", "subject": "CN=myapi.cloudapp.net",
///   "thumbprint": "446581AC8386C0F79FE0C5C866431E45FCA5545E", "expirationDate": "2016-08-21T21:10:42Z" }
/// ```
///
/// `expirationDate` is written with a `Z` and read with or without one (the reference's samples have none) and
/// with or without a fraction of a second. `id` is the entity's path; the identifier in it is not
/// percent-encoded, since the body is JSON and not a URL.
public struct CertificateEntity: Hashable, Sendable, Codable {
    /// The prefix of ``id``: `/certificates/`.
    public static let idPrefix = "/certificates/"

    /// The entity's path, `/certificates/{cid}`.
    public let id: String
    /// The leaf's subject.
    public let subject: String
    /// SHA-1 of the leaf's DER, upper-case hex.
    public let thumbprint: String
    /// The leaf's notAfter.
    public let expirationDate: Date

    /// Makes an entity with an `id` as given.
    public init(id: String, subject: String, thumbprint: String, expirationDate: Date) {
        self.id = id
        self.subject = subject
        self.thumbprint = thumbprint
        self.expirationDate = expirationDate
    }

    /// Renders a record: `id` becomes `/certificates/{certificateId}`.
    public init(_ record: CertificateRecord) {
        self.init(
            id: Self.idPrefix + record.certificateId,
            subject: record.subject,
            thumbprint: record.thumbprint,
            expirationDate: record.expirationDate
        )
    }

    /// The `{cid}` part of ``id``, or `nil` when `id` does not start with `/certificates/` or has nothing after it.
    public var certificateId: String? {
        guard id.hasPrefix(Self.idPrefix) else { return nil }
        let rest = String(id.dropFirst(Self.idPrefix.count))
        return rest.isEmpty ? nil : rest
    }

    /// The record this entity shows, or `nil` when ``certificateId`` is `nil`.
    public var record: CertificateRecord? {
        guard let certificateId else { return nil }
        return CertificateRecord(
            certificateId: certificateId,
            subject: subject,
            thumbprint: thumbprint,
            expirationDate: expirationDate
        )
    }

    private enum CodingKeys: String, CodingKey {
        case id, subject, thumbprint, expirationDate
    }

    /// Decodes an entity; `expirationDate` may lack the `Z` and may have a fraction of a second.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        subject = try container.decode(String.self, forKey: .subject)
        thumbprint = try container.decode(String.self, forKey: .thumbprint)
        expirationDate = try container.decodeWireDate(forKey: .expirationDate)
    }

    /// Encodes an entity with `expirationDate` as `yyyy-MM-ddTHH:mm:ssZ`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(subject, forKey: .subject)
        try container.encode(thumbprint, forKey: .thumbprint)
        try container.encodeWireDate(expirationDate, forKey: .expirationDate)
    }
}
