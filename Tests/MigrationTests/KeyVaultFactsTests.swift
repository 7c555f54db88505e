import CertDropTestSupport
import CertificateAPI
import CertificateService
import Foundation
import Testing

@testable import DropPipeline

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
        let (expected, passedOver) = VerifyReport.expectations(
            source: try await source.inventory(), targetDialect: target.target.dialect)
        return VerifyReport(expectations: expected, target: try await target.inventory(), passedOver: passedOver)
    }

    static func emptyDrop() throws -> (folder: String, map: String) {
        (Fixtures.temporaryFolder("drop").path, try passwordMap(["*": ["drop-pw"]]))
    }

    @Test func theSourceShowsTheFactsOfItsVault() async throws {
        let (a, b) = try await Self.instances(source: "empty-password.pfx", target: nil)
        let source = try a.client(.arm)
        let listed = try #require(try await source.inventory().first { $0.id == "kv-gateway" })
        #expect(listed.keyVault?.secretIdentifier == Self.secret)
        #expect(listed.keyVaultStatus?.code == KeyVaultStatus.success)
        let expected = try thumbprint(of: Fixtures.path("empty-password.pfx"), password: "")
        #expect(listed.thumbprint == expected)
        await source.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func theSameSecretWithTheSameFactsIsUnchangedAndVerifies() async throws {
        let (a, b) = try await Self.instances(source: "empty-password.pfx", target: "empty-password.pfx")
        let source = try a.client(.arm)
        let target = try b.client(.arm)
        let (drop, map) = try Self.emptyDrop()
        let first = try await migrate([drop], from: source, to: target, map: map)
        #expect(first.lines(id: "kv-gateway").map(\.action) == [.created])
        let again = try await migrate([drop], from: source, to: target, map: map)
        #expect(again.lines(id: "kv-gateway").map(\.action) == [.unchanged])
        let report = try await Self.verify(source, target)
        #expect(report.isComplete)
        #expect(report.rows.first?.expectedThumbprint == report.rows.first?.actualThumbprint)
        await source.shutdown()
        await target.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func theSameSecretWithOtherFactsIsAnotherCertificate() async throws {
        let (a, b) = try await Self.instances(source: "empty-password.pfx", target: "ec-p256.pfx")
        let source = try a.client(.arm)
        let target = try b.client(.arm)
        let (drop, map) = try Self.emptyDrop()
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
        let sourceThumbprint = try thumbprint(of: Fixtures.path("empty-password.pfx"), password: "")
        #expect(report.rows.first?.expectedThumbprint == sourceThumbprint)
        await source.shutdown()
        await target.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func aTargetThatCannotReadTheSecretIsJudgedByTheReference() async throws {
        let (a, b) = try await Self.instances(source: "empty-password.pfx", target: nil)
        let source = try a.client(.arm)
        let target = try b.client(.arm)
        let (drop, map) = try Self.emptyDrop()
        _ = try await migrate([drop], from: source, to: target, map: map)
        let held = try #require(try await target.inventory().first { $0.id == "kv-gateway" })
        #expect(held.keyVaultStatus?.code == KeyVaultStatus.failed)
        #expect(held.thumbprint == nil)
        let again = try await migrate([drop], from: source, to: target, map: map)
        #expect(again.lines(id: "kv-gateway").map(\.action) == [.unchanged])
        #expect(try await Self.verify(source, target).isComplete)
        await source.shutdown()
        await target.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func aLegacyTargetTakesTheKeyVaultCertificateFromAPFXWithTheSameFacts() async throws {
        let (a, b) = try await Self.instances(source: "empty-password.pfx", target: nil)
        let source = try a.client(.arm)
        let target = try b.client(.legacy)
        let folder = Fixtures.temporaryFolder("drop")
        try FileManager.default.copyItem(
            atPath: Fixtures.path("empty-password.pfx"), toPath: folder.appendingPathComponent("gw.pfx").path)
        let map = try passwordMap(["gw.pfx": ""])
        let run = try await migrate([folder.path], from: source, to: target, map: map)
        #expect(run.lines(id: "kv-gateway").map(\.action) == [.created])
        let report = try await Self.verify(source, target)
        #expect(report.isComplete)
        await source.shutdown()
        await target.shutdown()
        await a.stop()
        await b.stop()
    }
}

/// ``KeyVaultUploader/holds(_:_:thumbprint:)`` at its edges.
@Suite struct KeyVaultHoldsTests {
    static let reference = KeyVaultReference(
        secretIdentifier: "https://v.vault.azure.net/secrets/s", identityClientId: "i")

    static func held(_ reference: KeyVaultReference?, thumbprint: String) -> RemoteCertificate {
        RemoteCertificate(
            record: CertificateRecord(
                certificateId: "x", subject: "", thumbprint: thumbprint, expirationDate: Date(timeIntervalSince1970: 0)),
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
