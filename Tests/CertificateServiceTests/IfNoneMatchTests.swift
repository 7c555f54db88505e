import CertDropTestSupport
import CertificateAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CertificateService

/// `PUT` with `If-None-Match: *`: create only, `412` when the certificate exists, in both dialects.
@Suite struct IfNoneMatchTests {
    static func put(
        _ d: DialectClient, _ client: any TestClientProtocol, _ id: String, fixture: String = "rsa-default.pfx",
        headers: HTTPFields
    ) async throws -> TestResponse {
        try await d.send(client, .put, d.entity(id), body: d.uploadBody(fixture: fixture), headers: headers)
    }

    @Test(arguments: DialectClient.both)
    func createsAnAbsentCertificate(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let created = try await Self.put(d, client, "fresh", headers: [.ifNoneMatch: "*"])
            #expect(created.status == .created)
            #expect(created.headers[.eTag] != nil)
            #expect(try d.record(created).certificateId == "fresh")
        }
    }

    @Test(arguments: DialectClient.both)
    func anExistingCertificateIs412AndUnchanged(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let first = try await d.put(client, "taken")
            let etag = try #require(first.headers[.eTag])
            let refused = try await Self.put(d, client, "taken", fixture: "ec-p256.pfx", headers: [.ifNoneMatch: "*"])
            expectError(refused, .preconditionFailed, .preconditionFailed)
            let current = try await d.send(client, .get, d.entity("taken"))
            #expect(current.headers[.eTag] == etag)
            #expect(try d.record(current).subject.contains("rsa-default"))
        }
    }

    @Test(arguments: DialectClient.both)
    func onlyTheStarIsSupportedAndNotWithIfMatch(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let tagged = try await Self.put(d, client, "x", headers: [.ifNoneMatch: "\"0000000000000001\""])
            expectError(tagged, .badRequest, .validationError, detail: "invalid-if-none-match")
            let both = try await Self.put(d, client, "x", headers: [.ifNoneMatch: "*", .ifMatch: "*"])
            expectError(both, .badRequest, .validationError, detail: "invalid-if-none-match")
            // Neither created anything.
            #expect(try await d.send(client, .get, d.entity("x")).status == .notFound)
            // Spaces around the star are allowed.
            #expect(try await Self.put(d, client, "x", headers: [.ifNoneMatch: " * "]).status == .created)
        }
    }

    @Test func theStoreRefusesAnExistingIdentifier() async throws {
        let store = try SQLiteCertificateStore(location: .memory)
        let content = CertificateContent(
            subject: "CN=a", thumbprint: String(repeating: "A", count: 40), expirationDate: Date(), pkcs12: [1])
        #expect(try await store.put(id: "a", content: content, condition: .ifNoneMatchAny).isCreated)
        await #expect(throws: CertificateServiceError.self) {
            _ = try await store.put(id: "a", content: content, condition: .ifNoneMatchAny)
        }
    }
}
