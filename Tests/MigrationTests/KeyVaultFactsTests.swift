import CertDropTestSupport
import CertificateAPI
import CertificateClient
import CertificateService
import Foundation
import Testing

@testable import DropPipeline
@testable import Migration

/// `migrate` and `verify` compare Key Vault certificates by their facts (the thumbprint each service read from its
/// vault), not only by secret identifier.
@Suite struct KeyVaultFactsTests {
    static let secret = KeyVaultFolder.identifier(secret: "gateway")

    /// A source whose vault holds `source` under `kv-test/gateway`, and a target whose vault holds `target` there
    /// (or nothing).
    static func instances(source: String, target: String?) async throws -> (Instance, Instance) {
        let sourceVault = KeyVaultFolder()
        sourceVault.add(
            secret: "gateway", version: "v1", fixture: source,
            password: Fixtures.password(source).flatMap { $0.isEmpty ? nil : $0 })
        let targetVault = KeyVaultFolder()
        if let target {
            targetVault.add(
                secret: "gateway", version: "v1", fixture: target,
                password: Fixtures.password(target).flatMap { $0.isEmpty ? nil : $0 })
        }
        let a = try await Instance.start(keyVault: sourceVault)
        let b = try await Instance.start(keyVault: targetVault)
        // The source's certificate is made as an operator makes it: an ARM PUT that the service resolves.
        let arm = try a.client(.arm)
        let made = await KeyVaultUploader(client: arm).upload(
            id: "kv-gateway", reference: KeyVaultReference(secretIdentifier: secret))
        #expect(made.action == .created)
        await arm.shutdown()
        return (a, b)
    }

    static func verify(_ source: CertificateServiceClient, _ target: CertificateServiceClient) async throws
        -> VerifyReport
    {
        try await VerifyRun(expected: .source(source, includeExpired: false), target: target).run()
    }

    /// Runs `body` with ARM clients of a source and a target made by ``instances(source:target:)`` (the target in
    /// `targetDialect`) and an empty drop with its password map, then shuts everything down.
    static func withInstances(
        source: String, target: String?, targetDialect: Dialect = .arm,
        _ body: (CertificateServiceClient, CertificateServiceClient, _ drop: String, _ map: String) async throws -> Void
    ) async throws {
        let (a, b) = try await instances(source: source, target: target)
        let sourceClient = try a.client(.arm)
        let targetClient = try b.client(targetDialect)
        do {
            try await body(
                sourceClient, targetClient, Fixtures.temporaryFolder("drop").path, try passwordMap(["*": ["drop-pw"]]))
        } catch {
            Issue.record(error)
        }
        await sourceClient.shutdown()
        await targetClient.shutdown()
        await a.stop()
        await b.stop()
    }

    static let sourceThumbprint = Result { try thumbprint(of: Fixtures.path("empty-password.pfx"), password: "") }

    @Test func theSourceShowsTheFactsOfItsVault() async throws {
        try await Self.withInstances(source: "empty-password.pfx", target: nil) { source, _, _, _ in
            let listed = try #require(try await source.inventory().first { $0.id == "kv-gateway" })
            #expect(listed.keyVault?.secretIdentifier == Self.secret)
            #expect(listed.keyVaultStatus?.code == KeyVaultStatus.success)
            #expect(listed.thumbprint == (try Self.sourceThumbprint.get()))
        }
    }

    @Test func theSameSecretWithTheSameFactsIsUnchangedAndVerifies() async throws {
        try await Self.withInstances(source: "empty-password.pfx", target: "empty-password.pfx") {
            source, target, drop, map in
            let first = try await migrate([drop], from: source, to: target, map: map)
            #expect(first.lines(id: "kv-gateway").map(\.action) == [.created])
            let again = try await migrate([drop], from: source, to: target, map: map)
            #expect(again.lines(id: "kv-gateway").map(\.action) == [.unchanged])
            let report = try await Self.verify(source, target)
            #expect(report.isComplete)
            #expect(report.rows.first?.actualThumbprint == (try Self.sourceThumbprint.get()))
        }
    }

    @Test func theSameSecretWithOtherFactsIsAnotherCertificate() async throws {
        try await Self.withInstances(source: "empty-password.pfx", target: "ec-p256.pfx") {
            source, target, drop, map in
            let first = try await migrate([drop], from: source, to: target, map: map)
            #expect(first.lines(id: "kv-gateway").map(\.action) == [.created])
            // The target's vault serves another certificate under the same secret identifier.
            let again = try await migrate([drop], from: source, to: target, map: map)
            let line = try #require(again.lines(id: "kv-gateway").first)
            #expect(line.action == .conflict)
            #expect(line.error?.message.contains("thumbprint") == true)
            let report = try await Self.verify(source, target)
            #expect(!report.isComplete)
            #expect(report.rows.map(\.state) == [.different])
            #expect(report.rows.first?.expectedThumbprint == (try Self.sourceThumbprint.get()))
        }
    }

    @Test func aTargetThatCannotReadTheSecretIsJudgedByTheReference() async throws {
        try await Self.withInstances(source: "empty-password.pfx", target: nil) { source, target, drop, map in
            _ = try await migrate([drop], from: source, to: target, map: map)
            let held = try #require(try await target.inventory().first { $0.id == "kv-gateway" })
            #expect(held.keyVaultStatus?.code == KeyVaultStatus.failed)
            #expect(held.thumbprint == nil)
            let again = try await migrate([drop], from: source, to: target, map: map)
            #expect(again.lines(id: "kv-gateway").map(\.action) == [.unchanged])
            #expect(try await Self.verify(source, target).isComplete)
        }
    }

    @Test func aLegacyTargetTakesTheKeyVaultCertificateFromAPFXWithTheSameFacts() async throws {
        try await Self.withInstances(source: "empty-password.pfx", target: nil, targetDialect: .legacy) {
            source, target, drop, _ in
            try FileManager.default.copyItem(
                atPath: Fixtures.path("empty-password.pfx"), toPath: drop + "/gw.pfx")
            let run = try await migrate([drop], from: source, to: target, map: try passwordMap(["gw.pfx": ""]))
            #expect(run.lines(id: "kv-gateway").map(\.action) == [.created])
            #expect(try await Self.verify(source, target).isComplete)
            // Once there, a run without the PFX finds it by its facts.
            try FileManager.default.removeItem(atPath: drop + "/gw.pfx")
            let empty = try await migrate([drop], from: source, to: target, map: try passwordMap(["*": ["x"]]))
            #expect(empty.lines(id: "kv-gateway").map(\.action) == [.unchanged])
        }
    }
}

/// ``KeyVaultUploader/holds(_:_:thumbprint:)`` at its edges.
@Suite struct KeyVaultHoldsTests {
    static let reference = KeyVaultReference(
        secretIdentifier: "https://v.vault.azure.net/secrets/s", identityClientId: "i")

    static func held(_ reference: KeyVaultReference?, thumbprint: String) -> RemoteCertificate {
        RemoteCertificate(
            record: CertificateRecord(
                certificateId: "x", subject: "", thumbprint: thumbprint,
                expirationDate: Date(timeIntervalSince1970: 0)),
            path: "/x", keyVault: reference)
    }

    @Test func theSameSecretAndFactsHold() {
        #expect(KeyVaultUploader.holds(Self.held(Self.reference, thumbprint: "AB"), Self.reference, thumbprint: "ab"))
    }

    @Test func otherFactsDoNot() {
        #expect(!KeyVaultUploader.holds(Self.held(Self.reference, thumbprint: "AC"), Self.reference, thumbprint: "AB"))
    }

    @Test func unknownFactsOnEitherSideLeaveTheReferenceToDecide() {
        #expect(KeyVaultUploader.holds(Self.held(Self.reference, thumbprint: ""), Self.reference, thumbprint: "AB"))
        #expect(KeyVaultUploader.holds(Self.held(Self.reference, thumbprint: "AB"), Self.reference, thumbprint: nil))
        #expect(KeyVaultUploader.holds(Self.held(Self.reference, thumbprint: "AB"), Self.reference, thumbprint: ""))
    }

    @Test func anotherSecretOrIdentityOrAnUploadDoesNot() {
        let otherSecret = KeyVaultReference(
            secretIdentifier: "https://v.vault.azure.net/secrets/t", identityClientId: "i")
        let otherIdentity = KeyVaultReference(secretIdentifier: Self.reference.secretIdentifier, identityClientId: nil)
        #expect(!KeyVaultUploader.holds(Self.held(otherSecret, thumbprint: "AB"), Self.reference, thumbprint: "AB"))
        #expect(!KeyVaultUploader.holds(Self.held(otherIdentity, thumbprint: "AB"), Self.reference, thumbprint: "AB"))
        #expect(!KeyVaultUploader.holds(Self.held(nil, thumbprint: "AB"), Self.reference, thumbprint: "AB"))
    }
}
