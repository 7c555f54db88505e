/// Which slice of a list a request asks for: `$top` and `$skip`.
///
/// `$top` is an integer from 1 to 1000 (default 100) and `$skip` an integer of zero or more (default 0), both in
/// plain ASCII digits. Anything else — a sign, a space, a fraction, an exponent, an empty value, a number too big
/// for the machine — is an error that says what is wrong (*our reading* of the contract).
public struct PageRequest: Hashable, Sendable {
    /// The page size when `$top` is absent: 100.
    public static let defaultTop = 100
    /// The largest `$top`: 1000.
    public static let maximumTop = 1_000

    /// How many certificates to return, 1...``maximumTop``.
    public let top: Int
    /// How many matching certificates to pass over first, 0 or more.
    public let skip: Int

    /// Makes a page request from numbers.
    /// - Throws: ``CertificateAPIError/Code/invalidTop`` or ``CertificateAPIError/Code/invalidSkip`` when out of
    ///   range.
    public init(top: Int = PageRequest.defaultTop, skip: Int = 0) throws(CertificateAPIError) {
        try self.init(top: String(top), skip: String(skip))
    }

    /// Reads `$top` and `$skip` as they came in the query.
    /// - Parameters:
    ///   - top: The `$top` value, or `nil` when absent (then ``defaultTop``).
    ///   - skip: The `$skip` value, or `nil` when absent (then 0).
    /// - Throws: ``CertificateAPIError/Code/invalidTop`` or ``CertificateAPIError/Code/invalidSkip``.
    public init(top: String?, skip: String?) throws(CertificateAPIError) {
        self.top = try Self.parseTop(top)
        self.skip = try Self.parseSkip(skip)
    }

    /// Reads `$top`: `nil` is ``defaultTop``.
    /// - Throws: ``CertificateAPIError/Code/invalidTop``.
    public static func parseTop(_ text: String?) throws(CertificateAPIError) -> Int {
        guard let text else { return defaultTop }
        let range = "from 1 to \(maximumTop)"
        switch readCount(text) {
        case .value(0):
            throw CertificateAPIError(.invalidTop, "$top must be at least 1, got \(CertificateAPIError.quoted(text))")
        case .value(let value) where value <= maximumTop:
            return value
        case .value, .tooLarge:
            throw CertificateAPIError(
                .invalidTop,
                "$top must be at most \(maximumTop), got \(CertificateAPIError.quoted(text))"
            )
        case .negative:
            throw CertificateAPIError(
                .invalidTop,
                "$top must be \(range), not negative, got \(CertificateAPIError.quoted(text))"
            )
        case .notANumber:
            throw CertificateAPIError(
                .invalidTop,
                "$top must be an integer \(range), got \(CertificateAPIError.quoted(text))"
            )
        }
    }

    /// Reads `$skip`: `nil` is 0.
    /// - Throws: ``CertificateAPIError/Code/invalidSkip``.
    public static func parseSkip(_ text: String?) throws(CertificateAPIError) -> Int {
        guard let text else { return 0 }
        switch readCount(text) {
        case .value(let value):
            return value
        case .tooLarge:
            throw CertificateAPIError(.invalidSkip, "$skip is too large, got \(CertificateAPIError.quoted(text))")
        case .negative:
            throw CertificateAPIError(
                .invalidSkip, "$skip must not be negative, got \(CertificateAPIError.quoted(text))")
        case .notANumber:
            throw CertificateAPIError(
                .invalidSkip,
                "$skip must be an integer of 0 or more, got \(CertificateAPIError.quoted(text))"
            )
        }
    }

    /// The `$skip` of the next page, or `nil` when this page reaches the end of `totalCount` matching
    /// certificates (or the next `$skip` would not fit in an `Int`).
    public func nextSkip(totalCount: Int) -> Int? {
        let (next, overflow) = skip.addingReportingOverflow(top)
        guard !overflow, next < totalCount else { return nil }
        return next
    }

    private enum Count {
        case value(Int)
        case tooLarge
        case negative
        case notANumber
    }

    private static func readCount(_ text: String) -> Count {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return .notANumber
        }
        if negative { return .negative }
        var value = 0
        for byte in digits.utf8 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return .tooLarge }
            value = sum
        }
        return .value(value)
    }
}
