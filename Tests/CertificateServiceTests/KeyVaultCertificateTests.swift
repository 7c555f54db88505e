import CertDropTestSupport
import CertificateAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CertificateService

/// Key Vault certificates against a local Key Vault folder: real facts and `lastStatus`, `refreshSecret`, and
/// `isKeyVaultRefreshFailed` with `$filter`, `$top`, `$skip` and `nextLink`.
@Suite struct KeyVaultCertificateTests {
    typealias S = SpecificationExampleTests
    static let arm = S.arm

    static func service(_ vault: KeyVaultFolder?) throws -> TestService {
        try TestService { configuration in
            configuration.keyVault = vault.map { LocalKeyVault(root: $0.root.path) }
        }
    }

    static func resource(_ response: TestResponse) throws -> ARMCertificateResource {
        try decode(ARMCertificateResource.self, response)
    }

    /// Makes a Key Vault certificate of the secret `secret` (and `version`) of the test vault; its resource.
    static func keyVault(_ client: any TestClientProtocol, _ id: String, secret: String, version: String? = nil)
        async throws -> ARMCertificateResource
    {
        let identifier = KeyVaultFolder.identifier(secret: secret, version: version)
        return try resource(try await S.putKeyVault(client, id, secret: identifier))
    }

    /// The thumbprint the service reads from a fixture, uploaded under a scratch identifier.
    static func thumbprint(_ client: any TestClientProtocol, _ fixture: String) async throws -> String {
        let scratch = "scratch-" + fixture.replacingOccurrences(of: ".", with: "-")
        return try Self.resource(try await S.putUpload(client, scratch, fixture: fixture)).properties.thumbprint
    }

    @Test func withoutAKeyVaultTheStatusIsFailedAndSaysWhy() async throws {
        try await Self.service(nil).test { client in
            let created = try await S.putKeyVault(client, "kv", secret: KeyVaultFolder.identifier(secret: "api-cert"))
            #expect(created.status == .created)
            let resource = try Self.resource(created)
            let status = try #require(resource.properties.keyVaultStatus)
            #expect(status.code == "Failed")
            #expect(status.message?.contains("--key-vault-dir") == true)
            #expect(status.timeStampUtc != nil)
            #expect(resource.properties.thumbprint == "")
            #expect(S.fromKeyVault.differences(try S.json(created)) == [])
        }
    }

    @Test func aMissingSecretIsFailedAndAFoundOneHasItsFacts() async throws {
        let vault = KeyVaultFolder()
        vault.add(secret: "present", version: "v1", fixture: "empty-password.pfx")
        try await Self.service(vault).test { client in
            let missing = try await Self.keyVault(client, "a", secret: "absent")
            #expect(missing.properties.keyVaultStatus?.code == "Failed")
            #expect(missing.properties.keyVaultStatus?.message?.contains("was not found") == true)
            let missingVersion = try await Self.keyVault(client, "b", secret: "present", version: "v9")
            #expect(missingVersion.properties.keyVaultStatus?.message?.contains("v9.pfx") == true)
            let found = try await Self.keyVault(client, "c", secret: "present")
            #expect(found.properties.keyVaultStatus?.code == "Success")
            let expected1 = try await Self.thumbprint(client, "empty-password.pfx")
            #expect(found.properties.thumbprint == expected1)
            #expect(found.properties.subject == "CN=empty-password.certdrop.test, O=CertDrop Test")
        }
    }

    @Test func aProtectedPFXNeedsItsPasswordFile() async throws {
        let vault = KeyVaultFolder()
        vault.add(secret: "with-file", version: "v1", fixture: "rsa-default.pfx", password: "rsa-default-pw\n")
        vault.add(secret: "without-file", version: "v1", fixture: "rsa-default.pfx")
        vault.add(secret: "wrong-file", version: "v1", fixture: "rsa-default.pfx", password: "rsa-default-pw2")
        try await Self.service(vault).test { client in
            let good = try await Self.keyVault(client, "a", secret: "with-file")
            #expect(good.properties.keyVaultStatus?.code == "Success")
            let expected2 = try await Self.thumbprint(client, "rsa-default.pfx")
            #expect(good.properties.thumbprint == expected2)
            for secret in ["without-file", "wrong-file"] {
                let bad = try await Self.keyVault(client, "b-\(secret)", secret: secret)
                #expect(bad.properties.keyVaultStatus?.code == "Failed")
                let message = bad.properties.keyVaultStatus?.message ?? ""
                #expect(message.contains("password"))
                #expect(!message.contains("rsa-default-pw"))
            }
        }
    }

    @Test func aSecretFileOthersCanReadIsRefused() async throws {
        let vault = KeyVaultFolder()
        vault.add(secret: "shared", version: "v1", fixture: "empty-password.pfx", mode: 0o644)
        vault.add(secret: "private", version: "v1", fixture: "empty-password.pfx", mode: 0o600)
        try await Self.service(vault).test { client in
            let shared = try await Self.keyVault(client, "a", secret: "shared")
            #expect(shared.properties.keyVaultStatus?.code == "Failed")
            #expect(shared.properties.keyVaultStatus?.message?.contains("chmod 600") == true)
            let owned = try await Self.keyVault(client, "b", secret: "private")
            #expect(owned.properties.keyVaultStatus?.code == "Success")
        }
    }

    @Test(arguments: [(CertificateUpload.maximumBodySize, false), (CertificateUpload.maximumBodySize + 1, true)])
    func aSecretOver4MiBIsNotRead(_ size: Int, refused: Bool) async throws {
        let vault = KeyVaultFolder()
        let folder = vault.root.appendingPathComponent("kv-test/big")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(
            atPath: folder.appendingPathComponent("v1.pfx").path, contents: Data(count: size),
            attributes: [.posixPermissions: 0o600])
        try await Self.service(vault).test { client in
            let status = try await Self.keyVault(client, "big", secret: "big").properties.keyVaultStatus
            #expect(status?.code == "Failed")
            // Just inside the cap the file is read (and is no PKCS#12); just outside it is not read at all.
            #expect(status?.message?.contains("is larger than 4194304 bytes; it is not a Key Vault secret") == refused)
            #expect(status?.message?.contains("cannot be used") == !refused)
        }
    }

    @Test func refreshPicksUpANewVersionAndAPinnedVersionStays() async throws {
        let vault = KeyVaultFolder()
        let old = Date(timeIntervalSince1970: 1_700_000_000)
        vault.add(secret: "rotating", version: "v1", fixture: "empty-password.pfx", modified: old)
        try await Self.service(vault).test { client in
            let current = KeyVaultFolder.identifier(secret: "rotating")
            let pinned = KeyVaultFolder.identifier(secret: "rotating", version: "v1")
            let first = try await S.putKeyVault(client, "current", secret: current)
            try await S.putKeyVault(client, "pinned", secret: pinned)
            let expected3 = try await Self.thumbprint(client, "empty-password.pfx")
            #expect(try Self.resource(first).properties.thumbprint == expected3)

            // A newer version, one second later: the unversioned identifier now names it.
            vault.add(
                secret: "rotating", version: "v2", fixture: "ec-p256.pfx", password: "ec-pw",
                modified: old.addingTimeInterval(1))
            let refreshed = try await Self.arm.send(client, .post, S.path("current/refreshSecret"))
            #expect(refreshed.status == .ok)
            #expect(refreshed.headers[.eTag] != first.headers[.eTag])
            let expected4 = try await Self.thumbprint(client, "ec-p256.pfx")
            #expect(try Self.resource(refreshed).properties.thumbprint == expected4)
            let get = try await Self.arm.send(client, .get, S.path("current"))
            #expect(get.headers[.eTag] == refreshed.headers[.eTag])

            let stays = try await Self.arm.send(client, .post, S.path("pinned/refreshSecret"))
            let expected5 = try await Self.thumbprint(client, "empty-password.pfx")
            #expect(try Self.resource(stays).properties.thumbprint == expected5)
        }
    }

    @Test func aRefreshThatFailsKeepsTheFactsAndRecordsTheFailure() async throws {
        let vault = KeyVaultFolder()
        vault.add(secret: "going", version: "v1", fixture: "empty-password.pfx")
        try await Self.service(vault).test { client in
            let created = try await Self.keyVault(client, "kv", secret: "going")
            try FileManager.default.removeItem(at: vault.root.appendingPathComponent("kv-test/going/v1.pfx"))
            let refreshed = try await Self.arm.send(client, .post, S.path("kv/refreshSecret"))
            #expect(refreshed.status == .ok)
            let resource = try Self.resource(refreshed)
            #expect(resource.properties.keyVaultStatus?.code == "Failed")
            #expect(resource.properties.thumbprint == created.properties.thumbprint)
            #expect(resource.properties.expirationDate == created.properties.expirationDate)
            let failed = try await Self.arm.send(client, .get, S.path(query: "&isKeyVaultRefreshFailed=true"))
            #expect(try decode(ARMCertificateCollection.self, failed).value.map(\.name) == ["kv"])
        }
    }

    @Test func refreshOfAnUploadOrAnAbsentCertificateOrAnOldVersionIsRefused() async throws {
        try await Self.service(KeyVaultFolder()).test { client in
            try await S.putUpload(client, "uploaded")
            let upload = try await Self.arm.send(client, .post, S.path("uploaded/refreshSecret"))
            expectError(upload, .badRequest, .validationError, detail: "not-key-vault-certificate")
            let absent = try await Self.arm.send(client, .post, S.path("absent/refreshSecret"))
            expectError(absent, .notFound, .resourceNotFound)
            let old = try await Self.arm.send(client, .post, S.path("uploaded/refreshSecret", version: "2019-12-01"))
            expectError(old, .badRequest, .validationError, detail: "not-in-api-version")
            let first = try await Self.arm.send(
                client, .post, S.path("absent/refreshSecret", version: "2020-06-01-preview"))
            expectError(first, .notFound, .resourceNotFound)
            let get = try await Self.arm.send(client, .get, S.path("uploaded/refreshSecret"))
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "POST")
            let legacy = DialectClient(dialect: .legacy)
            let onLegacy = try await legacy.send(
                client, .post, "/certificates/uploaded/refreshSecret?api-version=2014-02-14")
            #expect(onLegacy.status == .notFound)
        }
    }

    /// Three uploads, two good Key Vault certificates and five failed ones (`f1`…`f3` and `g1`, `g2`).
    static func mixedStore(_ client: any TestClientProtocol, _ vault: KeyVaultFolder) async throws {
        vault.add(secret: "good", version: "v1", fixture: "empty-password.pfx")
        for id in ["u1", "u2", "u3"] { try await S.putUpload(client, id) }
        for id in ["k1", "k2"] {
            try await S.putKeyVault(client, id, secret: KeyVaultFolder.identifier(secret: "good"))
        }
        for id in ["f1", "f2", "f3", "g1", "g2"] {
            try await S.putKeyVault(client, id, secret: KeyVaultFolder.identifier(secret: "missing-\(id)"))
        }
    }

    static func page(_ response: TestResponse) throws -> (ids: [String], count: Int, nextLink: String?) {
        let page = try decode(ARMCertificateCollection.self, response)
        return (page.value.map(\.name), page.count, page.nextLink)
    }

    @Test func isKeyVaultRefreshFailedListsOnlyFailedKeyVaultCertificates() async throws {
        let vault = KeyVaultFolder()
        try await Self.service(vault).test { client in
            try await Self.mixedStore(client, vault)
            let all = try Self.page(try await Self.arm.send(client, .get, S.path()))
            #expect(all.count == 10)
            for value in ["true", "TRUE", "True"] {
                let failed = try Self.page(
                    try await Self.arm.send(client, .get, S.path(query: "&isKeyVaultRefreshFailed=\(value)")))
                #expect(failed.ids == ["f1", "f2", "f3", "g1", "g2"])
                #expect(failed.count == 5)
                #expect(failed.nextLink == nil)
            }
            let notAsked = try Self.page(
                try await Self.arm.send(client, .get, S.path(query: "&isKeyVaultRefreshFailed=false")))
            #expect(notAsked.count == 10)
        }
    }

    @Test func isKeyVaultRefreshFailedCombinesWithFilterTopSkipAndNextLink() async throws {
        let vault = KeyVaultFolder()
        try await Self.service(vault).test { client in
            try await Self.mixedStore(client, vault)
            let first = try Self.page(
                try await Self.arm.send(client, .get, S.path(query: "&isKeyVaultRefreshFailed=true&$top=2")))
            #expect(first.ids == ["f1", "f2"])
            #expect(first.count == 5)
            let next = try #require(first.nextLink)
            #expect(next.hasSuffix("$top=2&$skip=2&isKeyVaultRefreshFailed=true"))
            let path = String(next[try #require(next.range(of: "/subscriptions"))!.lowerBound...])
            let second = try Self.page(try await Self.arm.send(client, .get, path))
            #expect(second.ids == ["f3", "g1"])
            let third = try Self.page(
                try await Self.arm.send(client, .get, S.path(query: "&isKeyVaultRefreshFailed=true&$top=2&$skip=4")))
            #expect(third.ids == ["g2"])
            #expect(third.nextLink == nil)

            let filter = "&$filter=startswith(name,%27f%27)&isKeyVaultRefreshFailed=true&$top=2"
            let filtered = try Self.page(try await Self.arm.send(client, .get, S.path(query: filter)))
            #expect(filtered.ids == ["f1", "f2"])
            #expect(filtered.count == 3)
            #expect(filtered.nextLink?.contains("$filter=startswith%28name%2C%27f%27%29") == true)
            #expect(filtered.nextLink?.hasSuffix("$skip=2&isKeyVaultRefreshFailed=true") == true)
            let uploads = "&$filter=startswith(name,%27u%27)&isKeyVaultRefreshFailed=true"
            let none = try Self.page(try await Self.arm.send(client, .get, S.path(query: uploads)))
            #expect(none.ids.isEmpty)
            #expect(none.count == 0)
        }
    }

    @Test(arguments: ["yes", "1", "", "true "])
    func aBadIsKeyVaultRefreshFailedIs400(_ value: String) async throws {
        try await Self.service(nil).test { client in
            let query = "&isKeyVaultRefreshFailed=\(CollectionQuery.percentEncode(value))"
            let response = try await Self.arm.send(client, .get, S.path(query: query))
            expectError(response, .badRequest, .validationError, detail: "invalid-is-key-vault-refresh-failed")
        }
    }

    @Test(arguments: [("2019-12-01", false), ("2020-06-01-preview", true)])
    func isKeyVaultRefreshFailedExistsFrom2020(_ version: String, defined: Bool) async throws {
        try await Self.service(nil).test { client in
            let response = try await Self.arm.send(
                client, .get, S.path(version: version, query: "&isKeyVaultRefreshFailed=true"))
            if defined {
                #expect(response.status == .ok)
            } else {
                expectError(response, .badRequest, .validationError, detail: "not-in-api-version")
            }
        }
    }
}
