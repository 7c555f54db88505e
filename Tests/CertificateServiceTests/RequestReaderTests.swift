import CertificateAPI
import Foundation
import Testing

@testable import CertificateService

/// The request parts the service reads by hand: query strings, identifiers, `Content-Type`, `If-Match`.
@Suite struct RequestReaderTests {
    @Test func queriesArePercentDecodedWithPlusAsSpace() throws {
        let query = try RequestReader.query("api-version=2014-02-14&%24filter=subject+eq+%27a%2Bb%27&$TOP=5&flag")
        #expect(query["api-version"] == "2014-02-14")
        #expect(query["$filter"] == "subject eq 'a+b'")
        #expect(query["$top"] == "5")
        #expect(query["flag"] == "")
        #expect(try RequestReader.query(nil).isEmpty)
    }

    @Test(arguments: ["%", "%4", "%G0", "a=%FF", "$top=1&$top=2", "password=a&PASSWORD=b"])
    func badQueriesAreRefused(_ raw: String) {
        #expect(throws: CertificateServiceError.self) { try RequestReader.query(raw) }
    }

    @Test func unknownParametersMayRepeat() throws {
        #expect(try RequestReader.query("x=1&x=2")["x"] == "1")
    }

    @Test(arguments: [
        ("plain", "plain"), ("with%20space", "with space"), ("a+b", "a+b"), ("Z%C3%BCrich", "Zürich"),
    ])
    func identifiersAreDecodedOnce(_ raw: String, _ expected: String) throws {
        #expect(try RequestReader.identifier(raw, dialect: .legacy) == expected)
    }

    @Test(arguments: ["a%2Fb", "a%00", "a%252F", "%", "%C3", "%2E", "", "a%0Ab"])
    func identifiersThatBreakTheRuleAreRefused(_ raw: String) {
        #expect(throws: CertificateServiceError.self) { try RequestReader.identifier(raw, dialect: .legacy) }
    }

    @Test(arguments: [
        nil, "application/json", "application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\"",
        "text/plain; charset=utf-8", "text/plain",
    ])
    func jsonAndTextAreAccepted(_ value: String?) throws {
        try RequestReader.checkContentType(value)
    }

    @Test(arguments: ["application/xml", "multipart/form-data", "text/plain; charset=utf-16", "application/jsonx"])
    func otherContentTypesAreRefused(_ value: String) {
        #expect {
            try RequestReader.checkContentType(value)
        } throws: { error in
            (error as? CertificateServiceError)?.code == .unsupportedMediaType
        }
    }

    @Test func ifMatchListsAndStars() throws {
        #expect(try EntityTagCondition(header: "*") == .any)
        #expect(try EntityTagCondition(header: "\"a\", W/\"b\",\"c\"") == .tags(["\"a\"", "\"c\""]))
        #expect(try EntityTagCondition(header: "0000000000000001") == .tags(["\"0000000000000001\""]))
        let condition = try EntityTagCondition(header: " \"x,y\" ")
        #expect(condition.matches("\"x,y\""))
        #expect(!condition.matches("\"x\""))
        #expect(EntityTagCondition.any.matches("\"anything\""))
    }

    @Test(arguments: ["", "\"unterminated", "\"a\" \"b\"", "\"a\",*", "W/", "\"a b\""])
    func badIfMatchHeadersAreRefused(_ header: String) {
        #expect(throws: CertificateServiceError.self) { try EntityTagCondition(header: header) }
    }

    @Test func errorsRenderTheContractsBody() throws {
        let error = CertificateServiceError(
            CertificateAPIError(.filterSyntax, "unexpected end at position 14", position: 14))
        #expect(error.code == .invalidRequest)
        #expect(error.errorResponse.error.knownCode == .validationError)
        #expect(error.errorResponse.error.details.first?.code == "filter-syntax")
        #expect(error.errorResponse.error.details.first?.target == "$filter")
        let storage = CertificateServiceError(.storageFailure, "disk full")
        #expect(storage.code.httpStatus == 500)
        #expect(storage.errorResponse.error.code == "InternalServerError")
        for code in CertificateServiceError.Code.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "-" })
        }
    }
}
