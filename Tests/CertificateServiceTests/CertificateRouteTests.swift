import CertDropTestSupport
import CertificateAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CertificateService

/// The contract's rows for one certificate, in both dialects: GET, HEAD, PUT and DELETE.
@Suite struct CertificateRouteTests {
    @Test(arguments: DialectClient.both)
    func createReturns201WithBodyAndETag(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let response = try await d.put(client, "api-cert")
            #expect(response.status == .created)
            let etag = try #require(response.headers[.eTag])
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
            let record = try d.record(response)
            #expect(record.certificateId == "api-cert")
            #expect(record.subject == "CN=rsa-default.certdrop.test, O=CertDrop Test")
            #expect(record.thumbprint.count == 40)
        }
    }

    @Test(arguments: DialectClient.both)
    func getReturnsTheCertificateWithItsETag(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let created = try await d.put(client, "c1", fixture: "ec-p256.pfx")
            let response = try await d.send(client, .get, d.entity("c1"))
            #expect(response.status == .ok)
            #expect(response.headers[.eTag] == created.headers[.eTag])
            #expect(try d.record(response) == d.record(created))
            if d.dialect == .arm {
                let resource = try decode(ARMCertificateResource.self, response)
                #expect(resource.type == "Microsoft.ApiManagement/service/certificates")
                #expect(resource.id == d.collectionPath + "/c1")
            } else {
                #expect(try decode(CertificateEntity.self, response).id == "/certificates/c1")
            }
        }
    }

    @Test(arguments: DialectClient.both)
    func getOfAnAbsentCertificateIs404(_ d: DialectClient) async throws {
        try await TestService().test { client in
            expectError(try await d.send(client, .get, d.entity("missing")), .notFound, .resourceNotFound)
        }
    }

    @Test(arguments: DialectClient.both)
    func headReturnsTheETagAndNoBody(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let created = try await d.put(client, "c1")
            let response = try await d.send(client, .head, d.entity("c1"))
            #expect(response.status == .ok)
            #expect(response.headers[.eTag] == created.headers[.eTag])
            #expect(response.body.readableBytes == 0)
            let absent = try await d.send(client, .head, d.entity("missing"))
            #expect(absent.status == .notFound)
            #expect(absent.body.readableBytes == 0)
        }
    }

    @Test(arguments: DialectClient.both)
    func putWithoutIfMatchOnAnExistingIdConflictsInLegacyAndReplacesInARM(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let first = try await d.put(client, "c1")
            let second = try await d.put(client, "c1", fixture: "ec-p256.pfx")
            switch d.dialect {
            case .legacy:
                expectError(second, .conflict, .identifierAlreadyInUse, detail: "identifier-in-use")
            case .arm:
                #expect(second.status == .ok)
                #expect(second.headers[.eTag] != first.headers[.eTag])
                #expect(try d.record(second).subject.contains("ec-p256"))
            }
        }
    }

    @Test(arguments: DialectClient.both)
    func putWithAMatchingIfMatchReplaces(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let first = try await d.put(client, "c1")
            let etag = try #require(first.headers[.eTag])
            let second = try await d.put(client, "c1", fixture: "ec-p256.pfx", ifMatch: etag)
            let newETag = try #require(second.headers[.eTag])
            #expect(newETag != etag)
            switch d.dialect {
            case .legacy:
                #expect(second.status == .noContent)
                #expect(second.body.readableBytes == 0)
            case .arm:
                #expect(second.status == .ok)
                #expect(try d.record(second).subject.contains("ec-p256"))
            }
            let current = try await d.send(client, .get, d.entity("c1"))
            #expect(current.headers[.eTag] == newETag)
            #expect(try d.record(current).subject.contains("ec-p256"))
        }
    }

    @Test(arguments: DialectClient.both)
    func putWithAStaleIfMatchIs412AndChangesNothing(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let first = try await d.put(client, "c1")
            let etag = try #require(first.headers[.eTag])
            _ = try await d.put(client, "c1", ifMatch: etag)  // moves the ETag on
            let stale = try await d.put(client, "c1", fixture: "ec-p256.pfx", ifMatch: etag)
            expectError(stale, .preconditionFailed, .preconditionFailed)
            let current = try await d.send(client, .get, d.entity("c1"))
            #expect(try d.record(current).subject.contains("rsa-default"))
            // A specific tag on an absent certificate cannot match either.
            expectError(
                try await d.put(client, "absent", ifMatch: "\"0000000000000001\""), .preconditionFailed,
                .preconditionFailed)
        }
    }

    @Test(arguments: DialectClient.both)
    func putWithIfMatchStarCreatesOrReplaces(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let created = try await d.put(client, "c1", ifMatch: "*")
            #expect(created.status == .created)
            let replaced = try await d.put(client, "c1", fixture: "ec-p256.pfx", ifMatch: "*")
            #expect(replaced.status == (d.dialect == .legacy ? .noContent : .ok))
        }
    }

    @Test(arguments: DialectClient.both)
    func theQueryPasswordIsAcceptedAndTheBodyWins(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let bytes = Fixtures.bytes("rsa-default.pfx")
            let noPassword = d.uploadBody(bytes, password: nil)
            let viaQuery = try await d.send(
                client, .put, d.entity("c1", query: "&password=rsa-default-pw"), body: noPassword)
            #expect(viaQuery.status == .created)
            let bodyWins = try await d.send(
                client, .put, d.entity("c2", query: "&password=wrong"),
                body: d.uploadBody(bytes, password: "rsa-default-pw"))
            #expect(bodyWins.status == .created)
        }
    }

    @Test(arguments: DialectClient.both)
    func textPlainBodiesAreAcceptedAsTheReferenceSampleSendsThem(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let response = try await d.send(
                client, .put, d.entity("c1"), body: d.uploadBody(fixture: "rsa-default.pfx"),
                headers: [.contentType: "text/plain; charset=utf-8"])
            #expect(response.status == .created)
        }
    }

    @Test(arguments: DialectClient.both)
    func deleteNeedsAMatchingIfMatch(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let created = try await d.put(client, "c1")
            let etag = try #require(created.headers[.eTag])
            expectError(
                try await d.send(client, .delete, d.entity("c1")), .badRequest, .validationError,
                detail: "missing-if-match")
            expectError(
                try await d.send(client, .delete, d.entity("c1"), headers: [.ifMatch: "\"nope\""]),
                .preconditionFailed, .preconditionFailed)
            let deleted = try await d.send(client, .delete, d.entity("c1"), headers: [.ifMatch: etag])
            #expect(deleted.status == (d.dialect == .legacy ? .noContent : .ok))
            #expect(try await d.send(client, .get, d.entity("c1")).status == .notFound)
            expectError(
                try await d.send(client, .delete, d.entity("c1"), headers: [.ifMatch: "*"]), .notFound,
                .resourceNotFound)
        }
    }

    @Test(arguments: DialectClient.both)
    func bothDialectsShareOneStore(_ d: DialectClient) async throws {
        let other = DialectClient(dialect: d.dialect == .legacy ? .arm : .legacy)
        try await TestService().test { client in
            let created = try await d.put(client, "shared")
            let seen = try await other.send(client, .get, other.entity("shared"))
            #expect(seen.status == .ok)
            #expect(seen.headers[.eTag] == created.headers[.eTag])
            #expect(try other.record(seen) == d.record(created))
        }
    }
}
