/// The one error type of `CertificateAPI`.
///
/// Every failure of this module — a bad `$filter`, a bad `$top`, a bad identifier, a shared access signature that
/// does not verify — is a `CertificateAPIError` with a stable machine ``code`` and a human ``message``. Tests and
/// callers compare codes; the message is for people and may be improved over time.
///
/// Errors about a `$filter` also carry the 1-based ``position`` of the offending character, which the message
/// repeats (`unknown field 'foo' at position 5`).
///
/// No error message or description ever contains a key, a signature or a password.
public struct CertificateAPIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable machine code: lower-case words with hyphens that never change once shipped.
    public enum Code: String, Hashable, Sendable, CaseIterable, Codable {
        /// The `api-version` query parameter is absent or empty.
        case missingAPIVersion = "missing-api-version"
        /// The `api-version` query parameter names a version the dialect does not support.
        case unsupportedAPIVersion = "unsupported-api-version"
        /// A certificate identifier breaks the dialect's identifier rule.
        case invalidIdentifier = "invalid-identifier"
        /// A date string is not ISO-8601 in a form this module reads.
        case invalidDate = "invalid-date"

        /// `$filter` is not well formed: an unexpected character or token, a missing `)` or `,`, an unterminated
        /// string, or an unexpected end.
        case filterSyntax = "filter-syntax"
        /// `$filter` names a field the dialect does not know.
        case filterUnknownField = "filter-unknown-field"
        /// `$filter` calls a function that is not supported.
        case filterUnknownFunction = "filter-unknown-function"
        /// `$filter` applies an operator or function to a field of the wrong type, or compares a field with a
        /// literal of the wrong type.
        case filterTypeMismatch = "filter-type-mismatch"
        /// `$filter` holds a literal that cannot be read, such as an invalid date.
        case filterInvalidLiteral = "filter-invalid-literal"
        /// `$filter` is longer than the limit.
        case filterTooLong = "filter-too-long"
        /// `$filter` nests parentheses or `not` deeper than the limit.
        case filterTooDeep = "filter-too-deep"

        /// `$top` is not an integer from 1 to the maximum page size.
        case invalidTop = "invalid-top"
        /// `$skip` is not an integer of zero or more.
        case invalidSkip = "invalid-skip"
        /// `isKeyVaultRefreshFailed` is neither `true` nor `false`.
        case invalidKeyVaultRefreshFailed = "invalid-is-key-vault-refresh-failed"
        /// The request uses something its api-version does not define, such as `keyVault` or `refreshSecret`
        /// before 2020-06-01-preview.
        case notInAPIVersion = "not-in-api-version"

        /// The request body is not a JSON object.
        case bodyNotJSON = "body-not-json"
        /// The request body lacks `data` (or, in ARM, both `properties.data` and `properties.keyVault`).
        case bodyMissingData = "body-missing-data"
        /// A member of the request body has the wrong JSON type or is empty.
        case bodyInvalidField = "body-invalid-field"
        /// `data` is not base64.
        case bodyDataNotBase64 = "body-data-not-base64"
        /// The ARM request body holds both `data` and `keyVault`.
        case bodyConflictingProperties = "body-conflicting-properties"

        /// No `Authorization` header with a shared access signature.
        case sasMissing = "sas-missing"
        /// The shared access signature cannot be read.
        case sasMalformed = "sas-malformed"
        /// The shared access signature was valid but its expiry has passed.
        case sasExpired = "sas-expired"
        /// The shared access signature's signature matches neither key.
        case sasBadSignature = "sas-bad-signature"
        /// The shared access signature names an identifier that has no keys.
        case sasUnknownIdentifier = "sas-unknown-identifier"

        /// No `Authorization: Bearer` header.
        case tokenMissing = "token-missing"
        /// The bearer token cannot be read.
        case tokenMalformed = "token-malformed"
        /// The bearer token was valid but has expired.
        case tokenExpired = "token-expired"
        /// The bearer token's signature matches none of the keys.
        case tokenBadSignature = "token-bad-signature"

        /// The contract's error code under which a service reports this error.
        public var wireCode: ErrorCode {
            switch self {
            case .sasMissing, .sasMalformed, .sasExpired, .sasBadSignature, .sasUnknownIdentifier,
                .tokenMissing, .tokenMalformed, .tokenExpired, .tokenBadSignature:
                return .unauthorized
            default:
                return .validationError
            }
        }

        /// The request element that an error with this code is about, for an error body's `details[].target`.
        public var target: String? {
            switch self {
            case .missingAPIVersion, .unsupportedAPIVersion, .notInAPIVersion: return "api-version"
            case .invalidKeyVaultRefreshFailed: return "isKeyVaultRefreshFailed"
            case .invalidIdentifier: return "id"
            case .filterSyntax, .filterUnknownField, .filterUnknownFunction, .filterTypeMismatch,
                .filterInvalidLiteral, .filterTooLong, .filterTooDeep:
                return "$filter"
            case .invalidTop: return "$top"
            case .invalidSkip: return "$skip"
            case .bodyNotJSON, .bodyMissingData, .bodyInvalidField, .bodyDataNotBase64, .bodyConflictingProperties:
                return "body"
            case .sasMissing, .sasMalformed, .sasExpired, .sasBadSignature, .sasUnknownIdentifier,
                .tokenMissing, .tokenMalformed, .tokenExpired, .tokenBadSignature:
                return "Authorization"
            case .invalidDate: return nil
            }
        }
    }

    /// The stable machine code.
    public let code: Code
    /// A human message; for `$filter` errors it ends with `at position N`.
    public let message: String
    /// For `$filter` errors, the 1-based position (in Unicode scalars) of the offending character; else `nil`.
    public let position: Int?

    /// Makes an error.
    /// - Parameters:
    ///   - code: The stable machine code.
    ///   - message: The human message. It must not contain secrets.
    ///   - position: The 1-based position in the `$filter` text, when the error is about one.
    public init(_ code: Code, _ message: String, position: Int? = nil) {
        self.code = code
        self.message = message
        self.position = position
    }

    /// `[code] message`.
    public var description: String { "[\(code.rawValue)] \(message)" }

    /// The contract's error body for this error: the wire code, the message, and one detail naming the target.
    public var errorResponse: ErrorResponse {
        ErrorResponse(
            code: code.wireCode,
            message: message,
            details: [ErrorDetail(code: code.rawValue, target: code.target, message: message)]
        )
    }
}

extension CertificateAPIError {
    /// Shortens user input for quoting it in a message: at most `limit` characters, control characters replaced.
    static func quoted(_ text: some StringProtocol, limit: Int = 40) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                result += "…"
                break
            }
            result.unicodeScalars.append(scalar.properties.generalCategory == .control ? "?" : scalar)
            count += 1
        }
        return "'\(result)'"
    }
}
