import CertificateAPI
import Foundation
import HTTPTypes
import Hummingbird
import PKCS12Kit

/// The one error type of `CertificateService`.
///
/// Every failure the service reports is one of these: a stable machine ``code`` (lower-case words with hyphens that
/// never change once shipped), the contract's wire code and status, a human ``message`` and one detail whose code is
/// the finest stable code known — `filter-syntax` for a bad `$filter`, `wrong-password` for a PKCS#12 that the
/// password does not open. Tests compare codes. It renders itself as the contract's error body
/// (`{ "error": { "code", "message", "details" } }`), with the headers its status needs (`WWW-Authenticate`,
/// `Allow`, `Retry-After`).
///
/// No message ever holds a key, a signature, a password or certificate bytes.
public struct CertificateServiceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable machine code.
    public enum Code: String, Hashable, Sendable, CaseIterable, Codable {
        /// The request breaks the contract: api-version, identifier, `$filter`, `$top`, `$skip` or body (`400`).
        case invalidRequest = "invalid-request"
        /// The PKCS#12 file cannot be used: not PKCS#12, damaged, wrong password, unsupported, too costly (`400`).
        case invalidCertificate = "invalid-certificate"
        /// `DELETE` without `If-Match` (`400`).
        case missingIfMatch = "missing-if-match"
        /// The credentials are missing, malformed, expired or wrongly signed (`401`).
        case unauthorized
        /// No such certificate, service or path (`404`).
        case resourceNotFound = "resource-not-found"
        /// The path is known but the method is not (`405`).
        case methodNotAllowed = "method-not-allowed"
        /// A legacy `PUT` without `If-Match` on an identifier that exists (`409`).
        case identifierInUse = "identifier-in-use"
        /// `If-Match` does not match the certificate's ETag, or `If-None-Match: *` and the certificate exists
        /// (`412`).
        case preconditionFailed = "precondition-failed"
        /// The body is over the size limit (`413`).
        case requestTooLarge = "request-too-large"
        /// The body's `Content-Type` is neither JSON nor text (`415`).
        case unsupportedMediaType = "unsupported-media-type"
        /// A policy names the certificate, so it cannot be deleted (`400`).
        case certificateInUse = "certificate-in-use"
        /// Fault injection: the throttle refused the request (`429`).
        case tooManyRequests = "too-many-requests"
        /// The service cannot take the request now (`503`, with `Retry-After`): fault injection, a full PKCS#12
        /// queue (detail `pkcs12-queue-full`) or the connection cap (detail `connection-limit`).
        case serviceUnavailable = "service-unavailable"
        /// The store failed; the request had no effect (`500`).
        case storageFailure = "storage-failure"
        /// Anything else the service did not expect (`500`).
        case internalError = "internal-error"

        /// The contract's code in `error.code`, or `nil` for the two `500` codes, which the contract does not list.
        public var wireCode: ErrorCode? {
            switch self {
            case .invalidRequest, .invalidCertificate, .missingIfMatch: return .validationError
            case .unauthorized: return .unauthorized
            case .resourceNotFound: return .resourceNotFound
            case .methodNotAllowed: return .methodNotAllowed
            case .identifierInUse: return .identifierAlreadyInUse
            case .preconditionFailed: return .preconditionFailed
            case .requestTooLarge: return .requestEntityTooLarge
            case .unsupportedMediaType: return .unsupportedMediaType
            case .certificateInUse: return .certificateInUse
            case .tooManyRequests: return .tooManyRequests
            case .serviceUnavailable: return .serviceUnavailable
            case .storageFailure, .internalError: return nil
            }
        }

        /// The HTTP status.
        public var httpStatus: Int { wireCode?.httpStatus ?? 500 }
    }

    /// The stable machine code.
    public let code: Code
    /// A human message.
    public let message: String
    /// The finest stable code: a ``CertificateAPIError/Code``, a ``PKCS12Error/Code`` or this ``code``.
    public let detailCode: String
    /// The request element the error is about (`$filter`, `id`, `body`, `If-Match`, …), or `nil`.
    public let target: String?
    /// Headers the response carries besides the body's.
    public let headers: [String: String]

    /// Makes an error.
    public init(
        _ code: Code,
        _ message: String,
        detailCode: String? = nil,
        target: String? = nil,
        headers: [String: String] = [:]
    ) {
        self.code = code
        self.message = message
        self.detailCode = detailCode ?? code.rawValue
        self.target = target
        self.headers = headers
    }

    /// Wraps an error of `CertificateAPI`: authentication errors become ``Code/unauthorized`` (with the scheme's
    /// `WWW-Authenticate` challenge), the others ``Code/invalidRequest``.
    public init(_ error: CertificateAPIError) {
        switch error.code.wireCode {
        case .unauthorized:
            let scheme = error.code.rawValue.hasPrefix("token") ? BearerToken.scheme : SharedAccessSignature.scheme
            self.init(
                .unauthorized, error.message, detailCode: error.code.rawValue, target: error.code.target,
                headers: ["WWW-Authenticate": scheme])
        default:
            self.init(.invalidRequest, error.message, detailCode: error.code.rawValue, target: error.code.target)
        }
    }

    /// Wraps a failure to open a PKCS#12 file as ``Code/invalidCertificate`` with a message that says which.
    public init(_ error: PKCS12Error) {
        let message: String
        let target: String
        switch error.code {
        case .wrongPassword:
            message = "the password does not open the PKCS#12 file"
            target = "password"
        case .notPKCS12:
            message = "'data' is not a PKCS#12 file"
            target = "data"
        case .corrupt:
            message = "'data' is a damaged PKCS#12 file: \(error.message)"
            target = "data"
        case .unsupportedAlgorithm:
            message = "the PKCS#12 file uses an unsupported algorithm: \(error.message)"
            target = "data"
        case .iterationLimit:
            message = "the PKCS#12 file asks for too many key-derivation iterations: \(error.message)"
            target = "data"
        case .exportFailed:
            message = "the PKCS#12 file cannot be read: \(error.message)"
            target = "data"
        case .unsupportedFormat:
            message = "the PKCS#12 file holds a structure this service cannot read: \(error.message)"
            target = "data"
        case .tooManyBags, .tooManyCertificates, .tooManyDerivations:
            message = "the PKCS#12 file is over the service's per-file limits: \(error.message)"
            target = "data"
        }
        self.init(.invalidCertificate, message, detailCode: error.code.rawValue, target: target)
    }

    /// `[code/detail] message`.
    public var description: String {
        detailCode == code.rawValue ? "[\(code.rawValue)] \(message)" : "[\(code.rawValue)/\(detailCode)] \(message)"
    }

    /// The contract's error body.
    public var errorResponse: ErrorResponse {
        let detail = ErrorDetail(code: detailCode, target: target, message: message)
        let body = ErrorResponseBody(
            rawCode: code.wireCode?.rawValue ?? "InternalServerError", message: message, details: [detail])
        return ErrorResponse(error: body)
    }
}

extension CertificateServiceError: HTTPResponseError {
    /// The HTTP status of ``Code/httpStatus``.
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: code.httpStatus) }

    /// The error body as JSON, with ``headers``: `{ "error": { … } }`, or, for ARM api-version 2016-10-10 (whose
    /// specification's `ErrorBodyContract` has no envelope), the inner object alone.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = HTTPFields()
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        if Self.wantsFlatBody(request) {
            return JSONBody.response(status: status, errorResponse.error, headers: fields)
        }
        return JSONBody.response(status: status, errorResponse, headers: fields)
    }

    /// Whether a request is ARM's (`/subscriptions/…`) with an api-version of the flat shape (2016-10-10).
    static func wantsFlatBody(_ request: Request) -> Bool {
        guard request.uri.path.lowercased().hasPrefix("/subscriptions/"),
            let version = (try? RequestReader.query(request.uri.query))?["api-version"]
        else { return false }
        return Dialect.armAPIVersion(version)?.shape == .flat
    }
}

extension CertificateServiceError {
    static func notFound(_ message: String) -> CertificateServiceError {
        CertificateServiceError(.resourceNotFound, message)
    }

    static func storage(_ error: any Error) -> CertificateServiceError {
        // GRDB's description names the SQL and the failure, never bound values.
        CertificateServiceError(.storageFailure, "the store failed: \(error)")
    }
}
