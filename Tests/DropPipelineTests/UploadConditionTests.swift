import CertDropTestSupport
import CertificateAPI
import CertificateClient
import Foundation
import PKCS12Kit
import Synchronization
import Testing

@testable import DropPipeline

/// `If-Match` is never a silent `*`, and an ARM create never overwrites a concurrent creator's certificate. The
/// service is a stub, since the embedded one ignores `If-None-Match`.
@Suite struct UploadConditionTests {
    let scope = ARMServiceScope(subscriptionId: "S", resourceGroupName: "RG", serviceName: "gw")

    private func material() throws -> UploadMaterial {
        let bytes = Fixtures.bytes("ec-p256.pfx")
        return UploadMaterial(
            pkcs12: bytes, bundle: try PKCS12Bundle.open(bytes, passwords: [SecretBytes(utf8: "ec-pw")]))
    }

    private func record(_ id: String = "x") -> CertificateRecord {
        CertificateRecord(
            certificateId: id, subject: "CN=other", thumbprint: String(repeating: "B", count: 40),
            expirationDate: Date(timeIntervalSince1970: 2_000_000_000))
    }

    private func legacyEntity(etag: String?) -> StubReply {
        .json(200, encoding: CertificateEntity(record()), headers: etag.map { [("ETag", $0)] } ?? [])
    }

    private func armResource(etag: String?, keyVault: KeyVaultReference? = nil) -> StubReply {
        .json(
            200, encoding: ARMCertificateResource(record(), scope: scope, keyVault: keyVault),
            headers: etag.map { [("ETag", $0)] } ?? [])
    }

    private func puts(_ server: StubHTTPServer) -> [StubRequest] { server.requests.filter { $0.method == "PUT" } }

    /// A client of the stub that tries once; the stub does not look at the credential.
    private func makeClient(_ target: ServiceTarget) throws -> CertificateServiceClient {
        try CertificateServiceClient(
            target: target, credentials: MintedSignatureCredential(identifier: "x", key: SigningKey("k")),
            concurrency: 2, retry: RetryPolicy(maxAttempts: 1, requestTimeout: 10))
    }

    @Test func legacyUpdateWithoutAnETagIsRefused() async throws {
        let service = try StubHTTPServer { request in
            request.method == "PUT" ? .json(409, "{}") : legacyEntity(etag: nil)
        }
        defer { service.stop() }
        let material = try material()
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        let outcome = await Uploader(client: client, onExisting: .update).upload(id: "x", material: material)
        await client.shutdown()
        #expect(outcome.action == .failed)
        #expect(outcome.error?.code == "missing-etag")
        #expect(puts(service).count == 1)
        #expect(service.requests.allSatisfy { $0.header("if-match") == nil })
    }

    @Test func legacyUpdateSendsTheFetchedETag() async throws {
        let service = try StubHTTPServer { request in
            guard request.method == "PUT" else { return legacyEntity(etag: "\"v1\"") }
            return request.header("if-match") == "\"v1\"" ? .json(200, "{}") : .json(409, "{}")
        }
        defer { service.stop() }
        let material = try material()
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        let outcome = await Uploader(client: client, onExisting: .update).upload(id: "x", material: material)
        await client.shutdown()
        #expect(outcome.action == .updated)
        #expect(puts(service).map { $0.header("if-match") } == [nil, "\"v1\""])
    }

    @Test func armUpdateWithoutAnETagIsRefusedAndNothingIsPut() async throws {
        let service = try StubHTTPServer { request in
            request.method == "PUT" ? .json(200, "{}") : armResource(etag: nil)
        }
        defer { service.stop() }
        let material = try material()
        let client = try makeClient(.arm(baseURL: service.baseURL, scope: scope))
        let outcome = await Uploader(client: client, onExisting: .update).upload(id: "x", material: material)
        await client.shutdown()
        #expect(outcome.error?.code == "missing-etag")
        #expect(puts(service).isEmpty)
    }

    @Test func armCreateSendsIfNoneMatch() async throws {
        let service = try StubHTTPServer { request in
            request.method == "PUT" ? .json(201, "{}") : .json(404, "{}")
        }
        defer { service.stop() }
        let material = try material()
        let client = try makeClient(.arm(baseURL: service.baseURL, scope: scope))
        let outcome = await Uploader(client: client).upload(id: "x", material: material)
        await client.shutdown()
        #expect(outcome.action == .created)
        #expect(puts(service).map { $0.header("if-none-match") } == ["*"])
        #expect(puts(service).allSatisfy { $0.header("if-match") == nil })
    }

    /// Someone creates the id between our look and our PUT: the service's `412` makes it an existing certificate.
    @Test(arguments: [OnExisting.fail, .skip])
    func armConcurrentCreateIsNotOverwritten(onExisting: OnExisting) async throws {
        let looks = Counter()
        let service = try StubHTTPServer { request in
            if request.method == "PUT" {
                return request.header("if-none-match") == "*" ? .json(412, "{}") : .json(200, "{}")
            }
            return looks.next() == 1 ? .json(404, "{}") : armResource(etag: "\"v7\"")
        }
        defer { service.stop() }
        let material = try material()
        let client = try makeClient(.arm(baseURL: service.baseURL, scope: scope))
        let outcome = await Uploader(client: client, onExisting: onExisting).upload(id: "x", material: material)
        await client.shutdown()
        #expect(outcome.action == (onExisting == .fail ? .conflict : .skipped))
        #expect(puts(service).count == 1)
    }

    @Test func keyVaultUpdateWithoutAnETagIsRefused() async throws {
        let service = try StubHTTPServer { request in
            request.method == "PUT"
                ? .json(200, "{}")
                : armResource(etag: nil, keyVault: KeyVaultReference(secretIdentifier: "https://v.vault/secrets/old"))
        }
        defer { service.stop() }
        let client = try makeClient(.arm(baseURL: service.baseURL, scope: scope))
        let outcome = await KeyVaultUploader(client: client, onExisting: .update)
            .upload(id: "x", reference: KeyVaultReference(secretIdentifier: "https://v.vault/secrets/new"))
        await client.shutdown()
        #expect(outcome.error?.code == "missing-etag")
        #expect(puts(service).isEmpty)
    }

    @Test func keyVaultCreateSendsIfNoneMatchAndA412IsAConflict() async throws {
        let looks = Counter()
        let service = try StubHTTPServer { request in
            if request.method == "PUT" { return .json(412, "{}") }
            return looks.next() == 1
                ? .json(404, "{}")
                : armResource(
                    etag: "\"v2\"", keyVault: KeyVaultReference(secretIdentifier: "https://v.vault/secrets/x"))
        }
        defer { service.stop() }
        let client = try makeClient(.arm(baseURL: service.baseURL, scope: scope))
        let outcome = await KeyVaultUploader(client: client)
            .upload(id: "x", reference: KeyVaultReference(secretIdentifier: "https://v.vault/secrets/new"))
        await client.shutdown()
        #expect(outcome.action == .conflict)
        #expect(puts(service).map { $0.header("if-none-match") } == ["*"])
    }
}

/// A thread-safe counter for stub handlers.
final class Counter: Sendable {
    private let value = Mutex<Int>(0)
    func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}
