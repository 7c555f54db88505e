import CertDropTestSupport
import CertificateAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CertificateService

/// The certificate examples of Microsoft's specification (`Azure/azure-rest-api-specs`,
/// `…/Microsoft.ApiManagement/stable/2024-05-01/examples/ApiManagement*Certificate*.json`), reproduced member by
/// member against the running service (HTTP on 127.0.0.1), with the project's own fixtures and a local Key Vault.
///
/// The shapes below are written from those examples: every member an example's body has, of the kind it has
/// there. Values differ by design (our certificates, not Microsoft's); what must agree is the set of members, their
/// kinds, the statuses and the `ETag` header.
@Suite struct SpecificationExampleTests {
    static let version = "2024-05-01"

    /// `properties` of an uploaded certificate (`ApiManagementGetCertificate`, `…CreateCertificate`).
    static let uploadedProperties: [String: JSONShape] = [
        "subject": .string, "thumbprint": .string, "expirationDate": .date(fractionDigits: 0),
    ]

    /// A certificate resource (`ApiManagementGetCertificate`).
    static let uploaded = JSONShape.object([
        "id": .string, "type": .string, "name": .string, "properties": .object(uploadedProperties),
    ])

    /// A Key Vault certificate resource (`ApiManagementGetCertificateWithKeyVault`, `…RefreshCertificate`): the
    /// example's `lastStatus` has `code` and `timeStampUtc` (seven fraction digits); `message` comes with a failure.
    static let fromKeyVault = JSONShape.object([
        "id": .string, "type": .string, "name": .string,
        "properties": .object(
            uploadedProperties.merging(
                [
                    "keyVault": .object([
                        "secretIdentifier": .string, "identityClientId": .string,
                        "lastStatus": .object(
                            ["code": .string, "timeStampUtc": .date(fractionDigits: 7), "message": .string],
                            optional: ["message"]),
                    ])
                ], uniquingKeysWith: { $1 })),
    ])

    /// A page (`ApiManagementListCertificates`): both kinds of certificate, `count`, `nextLink`.
    static let list = JSONShape.object([
        "value": .array([uploaded, fromKeyVault]), "count": .integer, "nextLink": .lastLink,
    ])

    static let identityClientId = "ceaa6b06-c00f-43ef-99ac-f53d1fe876a0"

    /// A service with a local Key Vault holding `kv-test/api-cert/v1` (an unprotected PFX, as Key Vault exports).
    static func service(_ vault: KeyVaultFolder) throws -> TestService {
        vault.add(secret: "api-cert", version: "v1", fixture: "empty-password.pfx")
        return try TestService { $0.keyVault = LocalKeyVault(root: vault.root.path) }
    }

    static func path(_ id: String? = nil, version: String = version, query: String = "") -> String {
        DialectClient.armCollection(service: TestService.instance) + (id.map { "/\($0)" } ?? "")
            + "?api-version=\(version)" + query
    }

    static func keyVaultBody(_ secret: String) -> String {
        let body = ARMCertificateCreateRequest(
            keyVault: KeyVaultReference(secretIdentifier: secret, identityClientId: identityClientId))
        return String(decoding: (try? JSONEncoder().encode(body)) ?? Data(), as: UTF8.self)
    }

    static func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
    }

    static let arm = DialectClient(dialect: .arm)

    @discardableResult
    static func putKeyVault(_ client: any TestClientProtocol, _ id: String, secret: String) async throws
        -> TestResponse
    {
        try await arm.send(client, .put, path(id), body: keyVaultBody(secret))
    }

    @discardableResult
    static func putUpload(_ client: any TestClientProtocol, _ id: String, fixture: String = "rsa-default.pfx")
        async throws -> TestResponse
    {
        try await arm.send(client, .put, path(id), body: arm.uploadBody(fixture: fixture))
    }

    @Test func createCertificateMatchesTheExample() async throws {
        try await Self.service(KeyVaultFolder()).testLive { client in
            let created = try await Self.putUpload(client, "tempcert")
            #expect(created.status == .created)
            #expect(created.headers[.eTag] != nil)
            #expect(Self.uploaded.differences(try Self.json(created)) == [])
            let replaced = try await Self.putUpload(client, "tempcert", fixture: "ec-p256.pfx")
            #expect(replaced.status == .ok)
            #expect(Self.uploaded.differences(try Self.json(replaced)) == [])
            let resource = try decode(ARMCertificateResource.self, replaced)
            #expect(resource.type == ARMCertificateResource.resourceType)
            #expect(resource.name == "tempcert")
            #expect(resource.id == Self.path("tempcert").components(separatedBy: "?")[0])
        }
    }

    @Test func createCertificateWithKeyVaultMatchesTheExample() async throws {
        let vault = KeyVaultFolder()
        try await Self.service(vault).testLive { client in
            let secret = KeyVaultFolder.identifier(secret: "api-cert")
            let created = try await Self.putKeyVault(client, "templateCertkv", secret: secret)
            #expect(created.status == .created)
            #expect(Self.fromKeyVault.differences(try Self.json(created)) == [])
            let resource = try decode(ARMCertificateResource.self, created)
            #expect(resource.properties.keyVault?.secretIdentifier == secret)
            #expect(resource.properties.keyVault?.identityClientId == Self.identityClientId)
            #expect(resource.properties.keyVaultStatus?.code == "Success")
            #expect(resource.properties.keyVaultStatus?.message == nil)
            #expect(resource.properties.subject == "CN=empty-password.certdrop.test, O=CertDrop Test")
            #expect(resource.properties.thumbprint.count == 40)
            #expect(resource.properties.expirationDate > Date(timeIntervalSince1970: 0))
            let replaced = try await Self.putKeyVault(client, "templateCertkv", secret: secret)
            #expect(replaced.status == .ok)
            #expect(Self.fromKeyVault.differences(try Self.json(replaced)) == [])
        }
    }

    @Test func getCertificateAndGetWithKeyVaultMatchTheExamples() async throws {
        try await Self.service(KeyVaultFolder()).testLive { client in
            let put = try await Self.putUpload(client, "templateCert1")
            try await Self.putKeyVault(client, "templateCertkv", secret: KeyVaultFolder.identifier(secret: "api-cert"))
            let get = try await Self.arm.send(client, .get, Self.path("templateCert1"))
            #expect(get.status == .ok)
            #expect(get.headers[.eTag] == put.headers[.eTag])
            #expect(Self.uploaded.differences(try Self.json(get)) == [])
            let keyVault = try await Self.arm.send(client, .get, Self.path("templateCertkv"))
            #expect(keyVault.status == .ok)
            #expect(keyVault.headers[.eTag] != nil)
            #expect(Self.fromKeyVault.differences(try Self.json(keyVault)) == [])
        }
    }

    @Test func headCertificateMatchesTheExample() async throws {
        try await Self.service(KeyVaultFolder()).testLive { client in
            let put = try await Self.putUpload(client, "templateCert1")
            let head = try await Self.arm.send(client, .head, Self.path("templateCert1"))
            #expect(head.status == .ok)
            #expect(head.headers[.eTag] == put.headers[.eTag])
            #expect(head.body.readableBytes == 0)
        }
    }

    @Test func listCertificatesMatchesTheExample() async throws {
        try await Self.service(KeyVaultFolder()).testLive { client in
            try await Self.putUpload(client, "templateCert1")
            try await Self.putKeyVault(client, "templateCertkv", secret: KeyVaultFolder.identifier(secret: "api-cert"))
            let list = try await Self.arm.send(client, .get, Self.path())
            #expect(list.status == .ok)
            let body = try Self.json(list)
            #expect(Self.list.differences(body) == [])
            // Each element fits its own kind: the first is uploaded, the second from Key Vault.
            let value = try #require((body as? [String: Any])?["value"] as? [Any])
            #expect(value.count == 2)
            #expect(Self.uploaded.differences(value.first) == [])
            #expect(Self.fromKeyVault.differences(value.last) == [])
            #expect((body as? [String: Any])?["count"] as? Int == 2)
        }
    }

    @Test func deleteCertificateMatchesTheExample() async throws {
        try await Self.service(KeyVaultFolder()).testLive { client in
            try await Self.putUpload(client, "tempcert")
            let deleted = try await Self.arm.send(client, .delete, Self.path("tempcert"), headers: [.ifMatch: "*"])
            #expect(deleted.status == .ok)
            #expect(deleted.body.readableBytes == 0)
            #expect(try await Self.arm.send(client, .get, Self.path("tempcert")).status == .notFound)
        }
    }

    @Test func refreshCertificateMatchesTheExample() async throws {
        try await Self.service(KeyVaultFolder()).testLive { client in
            let put = try await Self.putKeyVault(
                client, "templateCertkv", secret: KeyVaultFolder.identifier(secret: "api-cert"))
            let refreshed = try await Self.arm.send(client, .post, Self.path("templateCertkv/refreshSecret"))
            #expect(refreshed.status == .ok)
            #expect(refreshed.headers[.eTag] != nil)
            #expect(refreshed.headers[.eTag] != put.headers[.eTag])
            #expect(Self.fromKeyVault.differences(try Self.json(refreshed)) == [])
        }
    }

    @Test func theShapeCheckNamesWhatDiffers() {
        let resource: [String: Any] = [
            "id": "x", "type": "t", "name": 3, "extra": true,
            "properties": ["subject": "s", "expirationDate": "2020-01-01T00:00:00.5Z"],
        ]
        let found = Self.uploaded.differences(resource)
        #expect(found.count == 4)
        #expect(found.contains("$.extra: not in the example"))
        #expect(found.contains("$.properties.thumbprint: missing"))
        #expect(found.contains { $0.hasPrefix("$.name: expected a string") })
        #expect(found.contains("$.properties.expirationDate: 2020-01-01T00:00:00.5Z is not yyyy-MM-ddTHH:mm:ssZ"))
        #expect(JSONShape.isDate("2020-09-22T00:24:53.3191468Z", fractionDigits: 7))
        #expect(!JSONShape.isDate("2020-09-22T00:24:53.319146Z", fractionDigits: 7))
        #expect(!JSONShape.isDate("2020-09-22T00:24:53.31914680Z", fractionDigits: 7))
        #expect(JSONShape.isDate("2017-04-23T17:03:41Z", fractionDigits: 0))
        #expect(!JSONShape.isDate("2017-02-30T17:03:41Z", fractionDigits: 0))
    }
}
