// The contract's error body, for every 4xx and 5xx response that has one:
//
//   { "error": { "code": "…", "message": "…", "details": [ { "code": "…", "target": "…", "message": "…" } ] } }

/// An error code of the contract, as sent in `error.code`.
public enum ErrorCode: String, Hashable, Sendable, CaseIterable, Codable {
    /// The request is not valid (`400`).
    case validationError = "ValidationError"
    /// The resource does not exist (`404`).
    case resourceNotFound = "ResourceNotFound"
    /// A certificate with the identifier already exists (`409`).
    case identifierAlreadyInUse = "IdentifierAlreadyInUse"
    /// `If-Match` does not match (`412`).
    case preconditionFailed = "PreconditionFailed"
    /// Credentials are missing, malformed, expired or wrongly signed (`401`).
    case unauthorized = "Unauthorized"
    /// The path is known but the method is not (`405`).
    case methodNotAllowed = "MethodNotAllowed"
    /// The body is over the size limit (`413`).
    case requestEntityTooLarge = "RequestEntityTooLarge"
    /// The `Content-Type` is not JSON or text (`415`).
    case unsupportedMediaType = "UnsupportedMediaType"
    /// The certificate is referenced by a policy and cannot be deleted (`400`).
    case certificateInUse = "CertificateInUse"
    /// Too many requests; the response carries `Retry-After` (`429`).
    case tooManyRequests = "TooManyRequests"
    /// The service cannot answer now (`503`).
    case serviceUnavailable = "ServiceUnavailable"

    /// The HTTP status that the contract pairs with this code.
    public var httpStatus: Int {
        switch self {
        case .validationError, .certificateInUse: return 400
        case .unauthorized: return 401
        case .resourceNotFound: return 404
        case .methodNotAllowed: return 405
        case .identifierAlreadyInUse: return 409
        case .preconditionFailed: return 412
        case .requestEntityTooLarge: return 413
        case .unsupportedMediaType: return 415
        case .tooManyRequests: return 429
        case .serviceUnavailable: return 503
        }
    }
}

/// One entry of `error.details`: `{ "code", "target", "message" }`.
public struct ErrorDetail: Hashable, Sendable, Codable {
    /// A machine code for the detail; this module uses its ``CertificateAPIError/Code`` raw values.
    public let code: String
    /// The request element the detail is about (`$filter`, `id`, `body`), or `nil`.
    public let target: String?
    /// A human message.
    public let message: String

    /// Makes a detail.
    public init(code: String, target: String?, message: String) {
        self.code = code
        self.target = target
        self.message = message
    }

    private enum CodingKeys: String, CodingKey {
        case code, target, message
    }

    /// Decodes a detail; a missing `target` reads as `nil`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        target = try container.decodeIfPresent(String.self, forKey: .target)
        message = try container.decode(String.self, forKey: .message)
    }

    /// Encodes all three members; an absent target is `null`, so that the shape is always the same.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(target, forKey: .target)
        try container.encode(message, forKey: .message)
    }
}

/// The inner object of the error body: `{ "code", "message", "details" }`.
public struct ErrorResponseBody: Hashable, Sendable, Codable {
    /// The code as sent. It is a `String`, not an ``ErrorCode``, so that a client can read codes that a newer
    /// or foreign service sends; ``knownCode`` maps it.
    public let code: String
    /// A human message.
    public let message: String
    /// Further details; empty when there are none.
    public let details: [ErrorDetail]

    /// Makes a body with a contract code.
    public init(code: ErrorCode, message: String, details: [ErrorDetail] = []) {
        self.init(rawCode: code.rawValue, message: message, details: details)
    }

    /// Makes a body with any code string.
    public init(rawCode: String, message: String, details: [ErrorDetail] = []) {
        self.code = rawCode
        self.message = message
        self.details = details
    }

    /// The contract code, or `nil` when ``code`` is not one of the contract's.
    public var knownCode: ErrorCode? { ErrorCode(rawValue: code) }

    private enum CodingKeys: String, CodingKey {
        case code, message, details
    }

    /// Decodes a body; missing or `null` `details` read as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        message = try container.decode(String.self, forKey: .message)
        details = try container.decodeIfPresent([ErrorDetail].self, forKey: .details) ?? []
    }

    /// Encodes all three members; `details` is always an array.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode(details, forKey: .details)
    }
}

/// The error body: `{ "error": { "code", "message", "details" } }`.
public struct ErrorResponse: Hashable, Sendable, Codable {
    /// The inner object.
    public let error: ErrorResponseBody

    /// Wraps an inner object.
    public init(error: ErrorResponseBody) {
        self.error = error
    }

    /// Makes an error body with a contract code.
    public init(code: ErrorCode, message: String, details: [ErrorDetail] = []) {
        self.error = ErrorResponseBody(code: code, message: message, details: details)
    }
}
