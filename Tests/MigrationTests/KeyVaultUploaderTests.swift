import CertDropTestSupport
import CertificateAPI
import CertificateClient
import Foundation
import Testing

@testable import DropPipeline

/// `KeyVaultUploader.upload` against a live instance: create, the same reference again, another certificate under
/// the id with each `--on-existing`, and the legacy dialect, which cannot hold a reference.
@Suite struct KeyVaultUploaderTests {
    static let gateway = KeyVaultReference(secretIdentifier: KeyVaultFolder.identifier(secret: "gateway"))
    static let renewed = KeyVaultReference(secretIdentifier: KeyVaultFolder.identifier(secret: "gateway-2027"))

    /// Runs `body` with an ARM client of a fresh instance (no vault: references are stored, their facts unknown).
    static func withInstance(_ body: (Instance, CertificateServiceClient) async throws -> Void) async throws {
        let instance = try await Instance.start()
        let client = try instance.client(.arm)
        do {
            try await body(instance, client)
        } catch {
            Issue.record(error)
        }
        await client.shutdown()
        await instance.stop()
    }

    @Test func aReferenceIsCreatedThenUnchanged() async throws {
        try await Self.withInstance { instance, client in
            let uploader = KeyVaultUploader(client: client)
            let created = await uploader.upload(id: "kv-gateway", reference: Self.gateway)
            #expect(created.action == .created, "\(String(describing: created.error))")
            #expect(created.etag != nil)
            let stored = try await instance.stored()
            #expect(stored["kv-gateway"]?.keyVault == Self.gateway.secretIdentifier)

            let again = await uploader.upload(id: "kv-gateway", reference: Self.gateway)
            #expect(again.action == .unchanged)
            #expect(again.error == nil)
            #expect(again.etag == created.etag, "nothing was written")
        }
    }

    @Test(
        arguments: [
            (OnExisting.fail, ImportAction.conflict, "conflict"), (.skip, .skipped, "exists"), (.update, .updated, nil),
        ] as [(OnExisting, ImportAction, String?)])
    func anotherReferenceUnderTheIDFollowsOnExisting(_ onExisting: OnExisting, _ action: ImportAction, _ code: String?)
        async throws
    {
        try await Self.withInstance { instance, client in
            #expect(await KeyVaultUploader(client: client).upload(id: "kv", reference: Self.gateway).action == .created)
            let before = try #require(try await instance.stored()["kv"])
            let outcome = await KeyVaultUploader(client: client, onExisting: onExisting).upload(
                id: "kv", reference: Self.renewed)
            #expect(outcome.action == action)
            #expect(outcome.error?.code == code)
            let after = try #require(try await instance.stored()["kv"])
            if action == .updated {
                #expect(after.keyVault == Self.renewed.secretIdentifier)
                #expect(after.etag != before.etag)
                #expect(outcome.etag == after.etag)
            } else {
                #expect(after.keyVault == Self.gateway.secretIdentifier, "left as it was")
                #expect(after.etag == before.etag)
                #expect(outcome.error?.message.contains(Self.gateway.secretIdentifier) == true)
            }
        }
    }

    @Test func anIDHoldingAnUploadedPFXIsAnotherCertificate() async throws {
        try await Self.withInstance { instance, client in
            let drop = Fixtures.drop(count: 1)
            let pfx = drop.appendingPathComponent("cert-00001.pfx").path
            try await instance.seed("gateway", pfx: pfx, password: "drop-pw")
            let outcome = await KeyVaultUploader(client: client).upload(id: "gateway", reference: Self.gateway)
            #expect(outcome.action == .conflict)
            let seeded = try thumbprint(of: pfx)
            #expect(outcome.error?.message.contains(seeded) == true)
            let stored = try await instance.stored()
            #expect(stored["gateway"]?.keyVault == nil)
        }
    }

    @Test func theLegacyDialectCannotHoldAReference() async throws {
        let instance = try await Instance.start()
        let client = try instance.client(.legacy)
        let outcome = await KeyVaultUploader(client: client).upload(id: "kv", reference: Self.gateway)
        #expect(outcome.action == .failed)
        #expect(outcome.attempts == 0, "nothing was sent")
        #expect(outcome.error?.code == "key-vault")
        let stored = try await instance.stored()
        #expect(stored.isEmpty)
        await client.shutdown()
        await instance.stop()
    }
}
