/// One page of a certificate list: `{ "value": [...], "count": <total matching>, "nextLink": <URL or null> }`.
///
/// `count` is the number of certificates that match the request's `$filter` in all, not the size of this page.
/// `nextLink` is the absolute URL of the next page (``CollectionQuery/nextLink(collectionURL:totalCount:)``), or
/// `nil` on the last page; it is always written, as `null` when absent, as the reference's sample shows.
public struct CertificateCollection<Element: Hashable & Sendable & Codable>: Hashable, Sendable, Codable {
    /// The certificates of this page, ordered by identifier.
    public let value: [Element]
    /// The number of matching certificates in all.
    public let count: Int
    /// The next page's absolute URL, or `nil` on the last page.
    public let nextLink: String?

    /// Makes a page.
    public init(value: [Element], count: Int, nextLink: String?) {
        self.value = value
        self.count = count
        self.nextLink = nextLink
    }

    private enum CodingKeys: String, CodingKey {
        case value, count, nextLink
    }

    /// Decodes a page; a missing `count` reads as the page's size and a missing `nextLink` as `nil`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        value = try container.decode([Element].self, forKey: .value)
        count = try container.decodeIfPresent(Int.self, forKey: .count) ?? value.count
        nextLink = try container.decodeIfPresent(String.self, forKey: .nextLink)
    }

    /// Encodes all three members, `nextLink` as `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try container.encode(count, forKey: .count)
        try container.encode(nextLink, forKey: .nextLink)
    }
}

/// A page of the legacy list: `GET /certificates`.
public typealias CertificateEntityCollection = CertificateCollection<CertificateEntity>

/// A page of the ARM list: `GET …/service/{svc}/certificates`.
public typealias ARMCertificateCollection = CertificateCollection<ARMCertificateResource>
