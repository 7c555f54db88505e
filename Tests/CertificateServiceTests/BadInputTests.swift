import CertDropTestSupport
import CertificateAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CertificateService

/// Bad input in both dialects: each is a precise 4xx in the error body, never a 500 and never a crash.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let method: HTTPRequest.Method
        /// Builds the URI for a dialect.
        let uri: @Sendable (DialectClient) -> String
        let body: @Sendable (DialectClient) -> String?
        var headers: HTTPFields = [:]
        let status: HTTPResponse.Status
        let code: ErrorCode
        let detail: String

        var testDescription: String { name }
    }

    static func put(
        _ name: String, id: String = "c1", body: @escaping @Sendable (DialectClient) -> String?,
        headers: HTTPFields = [:], _ detail: String, status: HTTPResponse.Status = .badRequest,
        code: ErrorCode = .validationError
    ) -> Case {
        Case(
            name: name, method: .put, uri: { $0.entity(id) }, body: body, headers: headers, status: status, code: code,
            detail: detail)
    }

    static func get(_ name: String, query: String, _ detail: String) -> Case {
        Case(
            name: name, method: .get, uri: { $0.collection(query) }, body: { _ in nil }, status: .badRequest,
            code: .validationError, detail: detail)
    }

    static func wrapped(_ d: DialectClient, _ properties: String) -> String {
        d.dialect == .arm ? "{\"properties\": \(properties)}" : properties
    }

    static let cases: [Case] = [
        put("malformed JSON", body: { _ in "{\"data\": " }, "body-not-json"),
        put("JSON array", body: { _ in "[]" }, "body-not-json"),
        put("empty body", body: { _ in "" }, "body-not-json"),
        put("deeply nested JSON", body: { _ in String(repeating: "[", count: 100_000) }, "body-not-json"),
        put("data of the wrong type", body: { wrapped($0, "{\"data\": 5}") }, "body-invalid-field"),
        put(
            "password of the wrong type", body: { wrapped($0, "{\"data\": \"AAAA\", \"password\": []}") },
            "body-invalid-field"),
        put("no data", body: { wrapped($0, "{\"password\": \"x\"}") }, "body-missing-data"),
        put("data not base64", body: { wrapped($0, "{\"data\": \"***not base64***\"}") }, "body-data-not-base64"),
        put("data not PKCS#12", body: { $0.uploadBody(Array("hello, world".utf8), password: "x") }, "not-pkcs12"),
        put("PEM text under a .pfx name", body: { $0.uploadBody(fixture: "not-pkcs12.pfx") }, "not-pkcs12"),
        put("truncated PKCS#12", body: { $0.uploadBody(fixture: "corrupt.pfx") }, "corrupt"),
        put("wrong password", body: { $0.uploadBody(fixture: "wrong-password.pfx") }, "wrong-password"),
        put(
            "no password for a protected file", body: { $0.uploadBody(Fixtures.bytes("ec-p256.pfx"), password: nil) },
            "wrong-password"),
        put("no private key", body: { $0.uploadBody(fixture: "cert-only.pfx") }, "no-private-key"),
        put("too many iterations", body: { $0.uploadBody(fixture: "high-iterations.pfx") }, "iteration-limit"),
        put(
            "identifier with %2F", id: "a%2Fb", body: { $0.uploadBody(fixture: "rsa-default.pfx") },
            "invalid-identifier"),
        put(
            "identifier with %00", id: "a%00b", body: { $0.uploadBody(fixture: "rsa-default.pfx") },
            "invalid-identifier"),
        put(
            "double-encoded slash %252F", id: "a%252Fb", body: { $0.uploadBody(fixture: "rsa-default.pfx") },
            "invalid-identifier"),
        put(
            "broken percent-encoding", id: "a%zzb", body: { $0.uploadBody(fixture: "rsa-default.pfx") },
            "invalid-identifier"),
        put(
            "identifier '..'", id: "%2E%2E", body: { $0.uploadBody(fixture: "rsa-default.pfx") },
            "invalid-identifier"),
        put(
            "identifier of 257 characters", id: String(repeating: "x", count: 257),
            body: { $0.uploadBody(fixture: "rsa-default.pfx") }, "invalid-identifier"),
        put(
            "XML content type", body: { $0.uploadBody(fixture: "rsa-default.pfx") },
            headers: [.contentType: "application/xml"], "unsupported-media-type",
            status: .unsupportedMediaType, code: .unsupportedMediaType),
        put(
            "form content type", body: { $0.uploadBody(fixture: "rsa-default.pfx") },
            headers: [.contentType: "application/x-www-form-urlencoded"], "unsupported-media-type",
            status: .unsupportedMediaType, code: .unsupportedMediaType),
        put(
            "JSON in Latin-1", body: { $0.uploadBody(fixture: "rsa-default.pfx") },
            headers: [.contentType: "application/json; charset=iso-8859-1"], "unsupported-media-type",
            status: .unsupportedMediaType, code: .unsupportedMediaType),
        put(
            "body over 4 MiB", body: { _ in String(repeating: " ", count: 4 * 1_024 * 1_024 + 1) },
            "request-too-large", status: .contentTooLarge, code: .requestEntityTooLarge),
        put(
            "unterminated If-Match", body: { $0.uploadBody(fixture: "rsa-default.pfx") },
            headers: [.ifMatch: "\"abc"], "invalid-if-match"),
        get("bad $filter", query: "&$filter=thumbprint%20eq", "filter-syntax"),
        get("$filter on an unknown field", query: "&$filter=foo%20eq%20'x'", "filter-unknown-field"),
        get("$filter too deep", query: "&$filter=" + String(repeating: "(", count: 40), "filter-too-deep"),
        get("$filter with a bad date", query: "&$filter=expirationDate%20gt%202020-13-45", "filter-invalid-literal"),
        get("$top 0", query: "&$top=0", "invalid-top"),
        get("$top 1001", query: "&$top=1001", "invalid-top"),
        get("$top negative", query: "&$top=-1", "invalid-top"),
        get("$top not a number", query: "&$top=1e3", "invalid-top"),
        get("$skip negative", query: "&$skip=-1", "invalid-skip"),
        get("$skip huge", query: "&$skip=99999999999999999999999", "invalid-skip"),
        get("api-version twice", query: "&api-version=2014-02-14", "invalid-query"),
        get("broken percent-encoding in the query", query: "&$filter=%E0%A4", "invalid-query"),
        Case(
            name: "missing api-version", method: .get, uri: { $0.collectionPath }, body: { _ in nil },
            status: .badRequest, code: .validationError, detail: "missing-api-version"),
        Case(
            name: "the other dialect's api-version", method: .get,
            uri: { "\($0.collectionPath)?api-version=\($0.dialect == .legacy ? "2024-05-01" : "2014-02-14")" },
            body: { _ in nil }, status: .badRequest, code: .validationError, detail: "unsupported-api-version"),
    ]

    @Test(arguments: DialectClient.both, cases)
    func badInputIsAPrecise4xx(_ d: DialectClient, _ c: Case) async throws {
        try await TestService().test { client in
            let response = try await d.send(client, c.method, c.uri(d), body: c.body(d), headers: c.headers)
            expectError(response, c.status, c.code, detail: c.detail)
        }
    }

    @Test func armIdentifiersFollowTheARMRule() async throws {
        let d = DialectClient(dialect: .arm)
        try await TestService().test { client in
            for id in ["a%3Ab", "a*b", "a%23b", "a%26b", "a%2Bb", "a%3Cb", String(repeating: "y", count: 81)] {
                let response = try await d.put(client, id)
                expectError(response, .badRequest, .validationError, detail: "invalid-identifier")
            }
            // The legacy rule allows these.
            let legacy = DialectClient(dialect: .legacy)
            #expect(try await legacy.put(client, "a%3Ab").status == .created)
            #expect(try await legacy.put(client, String(repeating: "y", count: 256)).status == .created)
        }
    }

    @Test func keyVaultReferencesAreNotPartOfTheLegacyDialect() async throws {
        let d = DialectClient(dialect: .legacy)
        try await TestService().test { client in
            let body =
                "{\"properties\": {\"keyVault\": {\"secretIdentifier\": \"https://v.vault.azure.net/secrets/c\"}}}"
            expectError(
                try await d.send(client, .put, d.entity("kv"), body: body), .badRequest, .validationError,
                detail: "body-missing-data")
        }
    }
}
