import CertDropTestSupport
import CertificateService
import Foundation
import PKCS12Kit
import Testing

@testable import DropPipeline

/// `import --reencrypt auto --target windows-2016`: a file the target reads goes up byte for byte; one it cannot
/// read goes up re-encrypted, and the stored file then passes the target's check.
@Suite(.serialized) struct ReencryptAutoTests {
    @Test func onlyIncompatibleFilesAreReencrypted() async throws {
        let fixtures = TargetFixtures("reencrypt-auto")
        let aesPair = try fixtures.certificate("modern", extensions: ["subjectAltName = DNS:modern.test"])
        let oldPair = try fixtures.certificate("classic", extensions: ["subjectAltName = DNS:classic.test"])
        let aes = try fixtures.pfx("modern", aesPair, password: "pw")
        let tripleDES = try fixtures.pfx("classic", oldPair, password: "pw", options: TargetFixtures.tripleDES)

        let service = try await TestService.start()
        let client = try service.client()
        var policy = ValidationPolicy()
        policy.targets = [TargetProfile.windows2016]
        policy.reencryptForTargets = true
        let book = PasswordBook(entries: [], global: [SecretBytes(utf8: "pw")], useSidecars: false)
        let path = Fixtures.temporaryFolder("manifest").appendingPathComponent("m.jsonl").path
        let run = ImportRun(
            reader: DropReader(paths: [aes, tripleDES], unpacker: nil),
            inspector: Inspector(policy: policy, passwords: book),
            uploader: Uploader(client: client), options: ImportOptions(concurrency: 1),
            manifest: try ManifestWriter(path: path))
        let summary = await run.run()
        #expect(summary.actions[.created] == 2)

        let stored3DES = try #require(try await service.running.repository.pkcs12(id: "classic"))
        #expect(stored3DES == (try [UInt8](Data(contentsOf: URL(fileURLWithPath: tripleDES)))))
        let storedAES = try #require(try await service.running.repository.pkcs12(id: "modern"))
        #expect(storedAES != (try [UInt8](Data(contentsOf: URL(fileURLWithPath: aes)))))
        let reopened = try PKCS12Bundle.open(storedAES, passwords: [SecretBytes(utf8: "pw")])
        #expect(reopened.pkcs12.keySchemes.map(\.cipher) == ["DES-EDE3-CBC"])
        #expect(
            TargetCompatibilityRule(targets: policy.targets).problems(
                of: reopened.pkcs12, certificate: reopened.certificate
            ).isEmpty)
        await client.shutdown()
        await service.stop()
    }
}
