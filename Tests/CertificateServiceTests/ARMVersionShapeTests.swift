import CertDropTestSupport
import CertificateAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CertificateService

/// Every ARM api-version of ``CertificateAPI/Dialect/armAPIVersions`` answers, and in its own shape where the
/// specification's versions differ: flat in 2016-10-10, without `count` and `keyVault` before 2020-06-01-preview,
/// `204` for `DELETE` where the specification lists only that.
@Suite struct ARMVersionShapeTests {
    typealias S = SpecificationExampleTests

    static let flat = JSONShape.object([
        "id": .string, "subject": .string, "thumbprint": .string, "expirationDate": .date(fractionDigits: 0),
    ])

    static func listShape(_ version: ARMAPIVersion) -> JSONShape {
        switch (version.shape, version.listsCount) {
        case (.flat, _):
            return .object(["value": .array([flat]), "count": .integer, "nextLink": .lastLink])
        case (.envelope, true):
            return S.list
        case (.envelope, false):
            return .object(["value": .array([S.uploaded]), "nextLink": .lastLink])
        }
    }

    @Test(arguments: Dialect.armAPIVersions)
    func eachVersionAnswersInItsShape(_ version: ARMAPIVersion) async throws {
        let vault = KeyVaultFolder()
        try await S.service(vault).test { client in
            // Both kinds of certificate, stored through the newest version.
            try await S.putUpload(client, "up")
            try await S.putKeyVault(client, "kv", secret: KeyVaultFolder.identifier(secret: "api-cert"))
            let name = version.name
            let upload = try await S.arm.send(client, .get, S.path("up", version: name))
            let keyVault = try await S.arm.send(client, .get, S.path("kv", version: name))
            let list = try await S.arm.send(client, .get, S.path(version: name))
            #expect(upload.status == .ok && keyVault.status == .ok && list.status == .ok)
            #expect(upload.headers[.eTag] != nil)
            #expect(Self.listShape(version).differences(try S.json(list)) == [])
            switch version.shape {
            case .flat:
                #expect(Self.flat.differences(try S.json(upload)) == [])
                #expect(Self.flat.differences(try S.json(keyVault)) == [])
                #expect(try decode(CertificateEntity.self, upload).id == "/certificates/up")
            case .envelope:
                #expect(S.uploaded.differences(try S.json(upload)) == [])
                let expected = version.hasKeyVault ? S.fromKeyVault : S.uploaded
                #expect(expected.differences(try S.json(keyVault)) == [])
            }
            let deleted = try await S.arm.send(
                client, .delete, S.path("up", version: name), headers: [.ifMatch: "*"])
            #expect(deleted.status == (version.deleteAnswersNoContent ? .noContent : .ok))
        }
    }

    @Test func version2016TakesTheFlatBodyAndAnswersWithoutOne() async throws {
        try await S.service(KeyVaultFolder()).test { client in
            let legacy = DialectClient(dialect: .legacy)
            let body = legacy.uploadBody(fixture: "rsa-default.pfx")
            let created = try await S.arm.send(client, .put, S.path("c1", version: "2016-10-10"), body: body)
            #expect(created.status == .created)
            #expect(created.headers[.eTag] != nil)
            #expect(created.body.readableBytes == 0)
            let replaced = try await S.arm.send(client, .put, S.path("c1", version: "2016-10-10"), body: body)
            #expect(replaced.status == .noContent)
            #expect(replaced.headers[.eTag] != created.headers[.eTag])
            let enveloped = try await S.arm.send(
                client, .put, S.path("c2", version: "2016-10-10"), body: S.arm.uploadBody(fixture: "rsa-default.pfx"))
            #expect(enveloped.status == .badRequest)
            let error = try decode(ErrorResponseBody.self, enveloped)
            #expect(error.code == "ValidationError")
            #expect(error.details.first?.code == "body-missing-data")
        }
    }

    @Test(arguments: [("2016-10-10", true), ("2017-03-01", false)])
    func version2016WritesErrorsWithoutTheEnvelope(_ version: String, flat: Bool) async throws {
        try await S.service(KeyVaultFolder()).test { client in
            let response = try await S.arm.send(client, .get, S.path("absent", version: version))
            #expect(response.status == .notFound)
            let body = try #require(try S.json(response) as? [String: Any])
            let error = try #require((flat ? body : body["error"]) as? [String: Any])
            #expect(error["code"] as? String == "ResourceNotFound")
            #expect(error["message"] is String)
            #expect(error["details"] is [Any])
            #expect((body["error"] == nil) == flat)
        }
    }

    @Test(arguments: [("2019-12-01", false), ("2020-06-01-preview", true), ("2017-03-01", false)])
    func keyVaultBodiesNeedAVersionThatDefinesThem(_ version: String, defined: Bool) async throws {
        try await S.service(KeyVaultFolder()).test { client in
            let body = S.keyVaultBody(KeyVaultFolder.identifier(secret: "api-cert"))
            let response = try await S.arm.send(client, .put, S.path("kv", version: version), body: body)
            if defined {
                #expect(response.status == .created)
                #expect(S.fromKeyVault.differences(try S.json(response)) == [])
            } else {
                expectError(response, .badRequest, .validationError, detail: "not-in-api-version")
            }
        }
    }

    @Test(arguments: ["2016-07-07", "2025-03-01", "2024-05-01-preview", "2014-02-14", "2024-5-1"])
    func versionsTheSpecificationDoesNotDefineAre400(_ version: String) async throws {
        try await S.service(KeyVaultFolder()).test { client in
            let response = try await S.arm.send(client, .get, S.path(version: version))
            expectError(response, .badRequest, .validationError, detail: "unsupported-api-version")
        }
    }
}
