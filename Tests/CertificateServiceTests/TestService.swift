import CertDropTestSupport
import CertificateAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import CertificateService

/// A service over an in-memory store with known keys, and the requests the tests send it in either dialect.
struct TestService {
    static let keys = AccessKeyFile(
        identifier: "integration", keys: SharedAccessKeyPair(primary: "primary-test-key", secondary: "secondary-key"))
    static let instance = "apim-test"

    let server: CertificateServer

    init(
        faults: FaultInjection = FaultInjection(),
        store: SQLiteCertificateStore.Location = .memory,
        configure: (inout ServiceConfiguration) -> Void = { _ in }
    ) throws {
        var configuration = ServiceConfiguration(
            store: store, accessKeys: Self.keys, instanceName: Self.instance, logger: Self.quietLogger)
        configuration.faults = faults
        configure(&configuration)
        server = try CertificateServer(configuration: configuration)
    }

    /// A logger that drops everything, so that test output stays readable.
    static let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    var repository: any CertificateRepository { server.repository }

    /// Runs `body` against the router, without a network.
    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await server.buildApplication().test(.router, body)
    }

    /// Runs `body` against a live server on 127.0.0.1.
    func testLive(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await server.buildApplication().test(.live, body)
    }
}

/// How a test addresses one dialect.
struct DialectClient: Sendable, CustomTestStringConvertible {
    let dialect: Dialect

    static let both = [DialectClient(dialect: .legacy), DialectClient(dialect: .arm)]
    static let subscription = "00000000-0000-0000-0000-000000000001"
    static let resourceGroup = "rg-test"

    var testDescription: String { dialect.rawValue }

    var apiVersion: String { dialect == .legacy ? "2014-02-14" : "2024-05-01" }

    var collectionPath: String {
        switch dialect {
        case .legacy: return "/certificates"
        case .arm: return Self.armCollection(service: TestService.instance)
        }
    }

    static func armCollection(service: String) -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.ApiManagement/service/"
            + "\(service)/certificates"
    }

    /// The entity path of a raw (already percent-encoded) identifier, with the api-version.
    func entity(_ rawId: String, query: String = "") -> String {
        "\(collectionPath)/\(rawId)?api-version=\(apiVersion)\(query)"
    }

    /// The collection path with the api-version and extra query text (`&$top=2`).
    func collection(_ query: String = "") -> String {
        "\(collectionPath)?api-version=\(apiVersion)\(query)"
    }

    /// A valid `Authorization` header value for the dialect.
    var authorization: String {
        let expiry = Date().addingTimeInterval(3_600)
        switch dialect {
        case .legacy:
            return (try? AccessToken.mint(.sharedAccessSignature(.keyed), keys: TestService.keys, expiry: expiry)) ?? ""
        case .arm:
            let token = (try? AccessToken.mint(.bearer, keys: TestService.keys, expiry: expiry)) ?? ""
            return BearerToken.authorizationHeaderValue(token: token)
        }
    }

    /// A `PUT` body that uploads a PKCS#12 file.
    func uploadBody(_ bytes: [UInt8], password: String?) -> String {
        let encoder = JSONEncoder()
        let data: Data?
        switch dialect {
        case .legacy: data = try? encoder.encode(CertificateCreateRequest(pkcs12: bytes, password: password))
        case .arm: data = try? encoder.encode(ARMCertificateCreateRequest(pkcs12: bytes, password: password))
        }
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    /// A `PUT` body that uploads a fixture with its password.
    func uploadBody(fixture: String) -> String {
        uploadBody(Fixtures.bytes(fixture), password: Fixtures.password(fixture))
    }

    /// Sends a request with this dialect's credentials (unless `authorization` says otherwise).
    @discardableResult
    func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil,
        headers: HTTPFields = [:], authorization: String?? = .none
    ) async throws -> TestResponse {
        var fields = headers
        if let value = authorization ?? self.authorization {
            fields[.authorization] = value
        }
        if body != nil, fields[.contentType] == nil {
            fields[.contentType] = "application/json"
        }
        return try await client.execute(
            uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
    }

    /// Uploads a fixture under `id` and returns the response.
    @discardableResult
    func put(
        _ client: any TestClientProtocol, _ id: String, fixture: String = "rsa-default.pfx", ifMatch: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let ifMatch { headers[.ifMatch] = ifMatch }
        return try await send(client, .put, entity(id), body: uploadBody(fixture: fixture), headers: headers)
    }

    /// The certificate in a response body, in neither dialect's shape.
    func record(_ response: TestResponse) throws -> CertificateRecord {
        switch dialect {
        case .legacy: return try #require(try decode(CertificateEntity.self, response).record)
        case .arm: return try decode(ARMCertificateResource.self, response).record
        }
    }

    /// The identifiers and counts of a list response.
    func page(_ response: TestResponse) throws -> (ids: [String], count: Int, nextLink: String?) {
        switch dialect {
        case .legacy:
            let page = try decode(CertificateEntityCollection.self, response)
            return (page.value.compactMap(\.certificateId), page.count, page.nextLink)
        case .arm:
            let page = try decode(ARMCertificateCollection.self, response)
            return (page.value.map(\.name), page.count, page.nextLink)
        }
    }
}

/// Decodes a response body.
func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
    try JSONDecoder().decode(type, from: Data(response.body.readableBytesView))
}

/// Checks that a response is the contract's error body with this status, wire code and detail code.
func expectError(
    _ response: TestResponse, _ status: HTTPResponse.Status, _ code: ErrorCode, detail: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(
        response.headers[.contentType] == "application/json; charset=utf-8", sourceLocation: sourceLocation)
    guard let body = try? decode(ErrorResponse.self, response) else {
        Issue.record(
            "not an error body: \(String(buffer: response.body))", sourceLocation: sourceLocation)
        return
    }
    #expect(body.error.knownCode == code, sourceLocation: sourceLocation)
    #expect(!body.error.message.isEmpty, sourceLocation: sourceLocation)
    if let detail {
        #expect(body.error.details.first?.code == detail, sourceLocation: sourceLocation)
    }
}

/// The first detail's message of an error body.
func errorMessage(_ response: TestResponse) -> String {
    (try? decode(ErrorResponse.self, response))?.error.message ?? ""
}
