import CertificateAPI
import Foundation
import Testing

@Suite struct ErrorResponseTests {
    @Test func encodesTheContractShape() throws {
        let body = ErrorResponse(
            code: .validationError,
            message: "One or more fields contain incorrect values:",
            details: [ErrorDetail(code: "ValidationError", target: "data", message: "not base64")]
        )
        #expect(
            try JSONTesting.encode(body)
                == #"{"error":{"code":"ValidationError","details":[{"code":"ValidationError","#
                + #""message":"not base64","target":"data"}],"#
                + #""message":"One or more fields contain incorrect values:"}}"#
        )
    }

    @Test func alwaysWritesDetailsAndTarget() throws {
        let body = ErrorResponse(code: .resourceNotFound, message: "Certificate not found.")
        #expect(
            try JSONTesting.encode(body)
                == #"{"error":{"code":"ResourceNotFound","details":[],"message":"Certificate not found."}}"#)
        let detail = ErrorDetail(code: "x", target: nil, message: "m")
        #expect(try JSONTesting.encode(detail) == #"{"code":"x","message":"m","target":null}"#)
    }

    @Test func decodesForeignBodies() throws {
        let body = try JSONTesting.decode(
            ErrorResponse.self,
            #"{"error":{"code":"SomethingNew","message":"m"}}"#
        )
        #expect(body.error.code == "SomethingNew")
        #expect(body.error.knownCode == nil)
        #expect(body.error.details.isEmpty)
        let known = try JSONTesting.decode(
            ErrorResponse.self,
            #"{"error":{"code":"CertificateInUse","message":"m","details":[{"code":"c","message":"d"}]}}"#
        )
        #expect(known.error.knownCode == .certificateInUse)
        #expect(known.error.details == [ErrorDetail(code: "c", target: nil, message: "d")])
    }

    @Test(arguments: [
        (ErrorCode.validationError, 400), (.resourceNotFound, 404), (.identifierAlreadyInUse, 409),
        (.preconditionFailed, 412), (.unauthorized, 401), (.methodNotAllowed, 405), (.requestEntityTooLarge, 413),
        (.unsupportedMediaType, 415), (.certificateInUse, 400), (.tooManyRequests, 429), (.serviceUnavailable, 503),
    ])
    func mapsCodesToStatuses(code: ErrorCode, status: Int) throws {
        #expect(code.httpStatus == status)
        #expect(try JSONTesting.decode(ErrorCode.self, "\"\(code.rawValue)\"") == code)
    }

    @Test func codesAreTheContractSpelling() {
        #expect(
            ErrorCode.allCases.map(\.rawValue) == [
                "ValidationError", "ResourceNotFound", "IdentifierAlreadyInUse", "PreconditionFailed", "Unauthorized",
                "MethodNotAllowed", "RequestEntityTooLarge", "UnsupportedMediaType", "CertificateInUse",
                "TooManyRequests", "ServiceUnavailable",
            ]
        )
    }

    @Test func moduleErrorsBecomeErrorBodies() {
        let error = CertificateAPIError(.filterUnknownField, "unknown field 'foo' at position 5", position: 5)
        #expect(error.description == "[filter-unknown-field] unknown field 'foo' at position 5")
        let body = error.errorResponse
        #expect(body.error.knownCode == .validationError)
        #expect(body.error.message == "unknown field 'foo' at position 5")
        #expect(
            body.error.details == [ErrorDetail(code: "filter-unknown-field", target: "$filter", message: error.message)]
        )
        let auth = CertificateAPIError(.sasExpired, "expired").errorResponse
        #expect(auth.error.knownCode == .unauthorized)
        #expect(auth.error.details.first?.target == "Authorization")
    }

    @Test func moduleCodesAreStableAndHyphenated() {
        for code in CertificateAPIError.Code.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(code.rawValue)")
        }
        #expect(CertificateAPIError.Code.allCases.count == Set(CertificateAPIError.Code.allCases.map(\.rawValue)).count)
    }
}
