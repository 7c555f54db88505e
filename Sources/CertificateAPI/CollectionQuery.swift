/// The query of a list request: `api-version`, `$filter`, `$top`, `$skip` and (ARM, from 2020-06-01-preview)
/// `isKeyVaultRefreshFailed`, read and checked in that order.
///
/// The service reads it from the request's query parameters and builds the response's `nextLink` with it:
///
/// ```swift
/// let query = try CollectionQuery(apiVersion: q["api-version"], filter: q["$filter"], top: q["$top"],
///                                 skip: q["$skip"], dialect: .legacy)
/// let next = query.nextLink(collectionURL: "https://host/certificates", totalCount: count)
/// ```
public struct CollectionQuery: Hashable, Sendable {
    /// The api-version, one the dialect supports.
    public let apiVersion: String
    /// The parsed `$filter`, or `nil` when the request has none.
    public let filter: ODataFilter?
    /// `$top` and `$skip`.
    public let page: PageRequest
    /// `isKeyVaultRefreshFailed=true`: only Key Vault certificates whose last fetch failed.
    public let keyVaultRefreshFailed: Bool

    /// Makes a query from parts already checked.
    public init(apiVersion: String, filter: ODataFilter?, page: PageRequest, keyVaultRefreshFailed: Bool = false) {
        self.apiVersion = apiVersion
        self.filter = filter
        self.page = page
        self.keyVaultRefreshFailed = keyVaultRefreshFailed
    }

    /// Reads and checks a list request's query parameters (each `nil` when absent, percent-decoded otherwise).
    ///
    /// An empty `$filter` (`$filter=`) counts as absent, since clients that build URLs send it; a blank one is an
    /// error.
    /// `isKeyVaultRefreshFailed` takes `true` or `false` (any letter case, as .NET reads booleans); it is defined
    /// only by the ARM api-versions that have Key Vault certificates (``ARMAPIVersion/hasKeyVault``). Elsewhere
    /// (the legacy dialect, older ARM versions) it is an unknown parameter and ignored, except that `true` is
    /// refused.
    /// - Throws: ``CertificateAPIError`` for the first parameter that is wrong: api-version, then `$filter`, then
    ///   `$top`, then `$skip`, then `isKeyVaultRefreshFailed` (``CertificateAPIError/Code/notInAPIVersion`` for
    ///   `true` where the version does not define it).
    public init(
        apiVersion: String?,
        filter: String?,
        top: String?,
        skip: String?,
        keyVaultRefreshFailed: String? = nil,
        dialect: Dialect,
        limits: ODataFilter.Limits = .default
    ) throws(CertificateAPIError) {
        let version = try dialect.validateAPIVersion(apiVersion)
        self.apiVersion = version
        if let filter, !filter.isEmpty {
            self.filter = try ODataFilter(filter, dialect: dialect, limits: limits)
        } else {
            self.filter = nil
        }
        self.page = try PageRequest(top: top, skip: skip)
        guard let keyVaultRefreshFailed else {
            self.keyVaultRefreshFailed = false
            return
        }
        guard dialect == .arm, Dialect.armAPIVersion(version)?.hasKeyVault == true else {
            // Elsewhere the parameter is unknown and so ignored, as ARM ignores extras; but `true` asks for a
            // subset that this version cannot give, and answering with every certificate would mislead.
            self.keyVaultRefreshFailed = false
            guard keyVaultRefreshFailed.lowercased() == "true" else { return }
            throw CertificateAPIError(
                .notInAPIVersion,
                "isKeyVaultRefreshFailed is defined from ARM api-version \(Dialect.firstKeyVaultAPIVersion) on, "
                    + "not in \(CertificateAPIError.quoted(version))")
        }
        switch keyVaultRefreshFailed.lowercased() {
        case "true": self.keyVaultRefreshFailed = true
        case "false": self.keyVaultRefreshFailed = false
        default:
            throw CertificateAPIError(
                .invalidKeyVaultRefreshFailed,
                "isKeyVaultRefreshFailed must be true or false, got "
                    + CertificateAPIError.quoted(keyVaultRefreshFailed)
            )
        }
    }

    /// The absolute URL of the next page, or `nil` when this page is the last.
    ///
    /// The URL is `collectionURL` with the query `api-version`, `$filter` (when there is one, as its text came),
    /// `$top`, `$skip` (the next one) and `isKeyVaultRefreshFailed=true` (when asked for), in that order. Values
    /// are percent-encoded except for RFC 3986's unreserved characters (`A–Z a–z 0–9 - . _ ~`), so a space is `%20`
    /// and `'` is `%27`.
    /// - Parameters:
    ///   - collectionURL: The collection's absolute URL, such as `https://host/certificates`. When it has a query
    ///     already, the parameters are appended to it with `&`.
    ///   - totalCount: How many certificates match in all.
    public func nextLink(collectionURL: String, totalCount: Int) -> String? {
        guard let next = page.nextSkip(totalCount: totalCount) else { return nil }
        var items = [("api-version", apiVersion)]
        if let filter { items.append(("$filter", filter.text)) }
        items.append(("$top", String(page.top)))
        items.append(("$skip", String(next)))
        if keyVaultRefreshFailed { items.append(("isKeyVaultRefreshFailed", "true")) }
        let query = items.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        return collectionURL + (collectionURL.contains("?") ? "&" : "?") + query
    }

    /// Percent-encodes every UTF-8 byte of `text` except RFC 3986's unreserved characters.
    public static func percentEncode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hex[Int(byte >> 4)])
                result.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return result
    }
}
