import CertDropTestSupport
import CertificateAPI
import CertificateClient
import CertificateService
import Foundation
import Logging
import PKCS12Kit
import Testing

@testable import DropPipeline

/// A service started for one test, on 127.0.0.1 with a store of its own.
struct TestService {
    let server: CertificateServer
    let running: RunningServer
    let keys: AccessKeyFile

    static func start(faults: FaultInjection = FaultInjection(), instance: String = "certdrop") async throws
        -> TestService
    {
        let keys = AccessKeyFile.generate()
        var logger = Logger(label: "test.service")
        logger.logLevel = .critical
        var configuration = ServiceConfiguration(
            store: .memory, accessKeys: keys, instanceName: instance, logger: logger)
        configuration.faults = faults
        let server = try CertificateServer(configuration: configuration)
        return TestService(server: server, running: try await server.start(), keys: keys)
    }

    func client(dialect: Dialect = .legacy, concurrency: Int = 4) throws -> CertificateServiceClient {
        let retry = RetryPolicy(maxAttempts: 12, baseDelay: 0.005, maxDelay: 0.2, requestTimeout: 10)
        switch dialect {
        case .legacy:
            return try CertificateServiceClient(
                target: .legacy(baseURL: running.baseURL),
                credentials: MintedSignatureCredential(identifier: keys.identifier, key: keys.keys.primary),
                concurrency: concurrency, retry: retry)
        case .arm:
            let scope = ARMServiceScope(subscriptionId: "sub", resourceGroupName: "rg", serviceName: "certdrop")
            return try CertificateServiceClient(
                target: .arm(baseURL: running.baseURL, scope: scope),
                credentials: MintedBearerCredential(subject: keys.identifier, key: keys.keys.primary),
                concurrency: concurrency, retry: retry)
        }
    }

    func stop() async { try? await running.shutdown() }
}

/// Imports `paths` into `client`'s service; returns the summary and the manifest's entries.
func runImport(
    _ paths: [String], client: CertificateServiceClient, map: String,
    options: ImportOptions = ImportOptions(concurrency: 4),
    settled: Set<String> = [], manifestPath: String? = nil
) async throws -> (summary: ImportSummary, entries: [ManifestEntry], manifest: String) {
    let book = try PasswordSources(mapFile: map).load(environment: [:], standardInput: { nil })
    let path = manifestPath ?? Fixtures.temporaryFolder("manifest").appendingPathComponent("m.jsonl").path
    let run = ImportRun(
        reader: DropReader(paths: paths, unpacker: ArchiveUnpacker(passwords: book)),
        inspector: Inspector(policy: ValidationPolicy(), passwords: book),
        uploader: Uploader(client: client, onExisting: options.onExisting, reencrypt: options.reencrypt),
        options: options, manifest: try ManifestWriter(path: path), settled: settled)
    let summary = await run.run()
    return (summary, try manifestEntries(path), path)
}

func manifestEntries(_ path: String) throws -> [ManifestEntry] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return data.split(separator: UInt8(ascii: "\n")).compactMap {
        try? JSONDecoder().decode(ManifestEntry.self, from: Data($0))
    }
}

@Suite(.serialized) struct ImportRunTests {
    @Test func importsEveryCertificateExactlyOnceUnderFaults() async throws {
        let drop = Fixtures.drop(count: 40)
        let faults = FaultInjection(
            latency: .milliseconds(20), failRate: 0.05, throttle: 400, dropRate: 0.03, seed: 7)
        let service = try await TestService.start(faults: faults)
        let client = try service.client(concurrency: 4)
        let (summary, entries, _) = try await runImport(
            [drop.path], client: client, map: drop.appendingPathComponent("passwords.json").path)
        #expect(summary.actions[.created] == 40, "\(summary.text) \(entries.filter { $0.action != .created })")
        #expect(summary.exitStatus == 0)

        // The store holds each certificate once, under its id, with its thumbprint; the manifest agrees.
        let stored = try await client.list()
        let created = entries.filter { $0.action == .created }
        #expect(stored.count == 40)
        #expect(Set(stored.map(\.certificateId)) == Set(created.compactMap(\.id)))
        for entry in created {
            #expect(stored.first { $0.certificateId == entry.id }?.thumbprint == entry.thumbprint)
        }
        // The passwords map is listed as skipped, so every item has a line.
        #expect(entries.count == 41)
        #expect(service.server.metrics.snapshot.maxInFlight <= 4)
        #expect(service.server.metrics.snapshot.maxInFlight >= 2)
        #expect(client.retryCount > 0)
        await client.shutdown()
        await service.stop()
    }

    @Test func secondRunChangesNothing() async throws {
        let drop = Fixtures.drop(count: 6)
        let service = try await TestService.start()
        let client = try service.client()
        let map = drop.appendingPathComponent("passwords.json").path
        _ = try await runImport([drop.path], client: client, map: map)
        let (again, entries, _) = try await runImport([drop.path], client: client, map: map)
        #expect(again.actions[.unchanged] == 6)
        #expect(entries.filter { $0.action == .unchanged }.allSatisfy { $0.status == 200 && $0.etag != nil })
        await client.shutdown()
        await service.stop()
    }

    @Test(arguments: [(OnExisting.fail, ImportAction.conflict), (.skip, .skipped), (.update, .updated)])
    func anIdHoldingAnotherCertificate(policy: OnExisting, expected: ImportAction) async throws {
        // Two drops whose files share names: the second's certificates differ.
        let first = Fixtures.drop(count: 2)
        let second = Fixtures.drop(count: 2)
        let service = try await TestService.start()
        let client = try service.client()
        _ = try await runImport([first.path], client: client, map: first.appendingPathComponent("passwords.json").path)
        let (summary, entries, _) = try await runImport(
            [second.path], client: client, map: second.appendingPathComponent("passwords.json").path,
            options: ImportOptions(concurrency: 2, onExisting: policy))
        // The drop's passwords.json is skipped too (not a certificate).
        #expect(summary.actions[expected] == (expected == .skipped ? 3 : 2), "\(entries)")
        let stored = try await client.list()
        let secondThumbprints = Set(entries.compactMap(\.thumbprint))
        #expect(Set(stored.map(\.thumbprint)).isSubset(of: secondThumbprints) == (policy == .update))
        #expect(summary.exitStatus == (policy == .fail ? 1 : 0))
        await client.shutdown()
        await service.stop()
    }

    @Test func armDialect() async throws {
        let drop = Fixtures.drop(count: 5)
        let service = try await TestService.start()
        let client = try service.client(dialect: .arm)
        let map = drop.appendingPathComponent("passwords.json").path
        let (summary, _, _) = try await runImport([drop.path], client: client, map: map)
        #expect(summary.actions[.created] == 5)
        let (again, _, _) = try await runImport([drop.path], client: client, map: map)
        #expect(again.actions[.unchanged] == 5)
        #expect(try await client.list().count == 5)
        await client.shutdown()
        await service.stop()
    }

    @Test func invalidItemsAreNotUploadedAndAllowAcceptsThem() async throws {
        let service = try await TestService.start()
        let client = try service.client()
        let map = Fixtures.path("passwords.json")
        let paths = [Fixtures.path("expired.pfx"), Fixtures.path("wrong-password.pfx"), Fixtures.path("ec-p256.pfx")]
        let (summary, entries, _) = try await runImport(paths, client: client, map: map)
        #expect(summary.actions[.invalid] == 2)
        #expect(summary.actions[.created] == 1)
        #expect(entries.first { $0.source.hasSuffix("wrong-password.pfx") }?.error?.code == "wrong-password")
        #expect(summary.exitStatus == 1)
        let (allowed, _, _) = try await runImport(
            [Fixtures.path("expired.pfx")], client: client, map: map,
            options: ImportOptions(concurrency: 1, allow: [.expired]))
        #expect(allowed.actions[.created] == 1)
        await client.shutdown()
        await service.stop()
    }

    @Test func resumePassesOverSettledItems() async throws {
        let drop = Fixtures.drop(count: 8)
        let service = try await TestService.start()
        let client = try service.client()
        let map = drop.appendingPathComponent("passwords.json").path
        let (_, entries, manifest) = try await runImport([drop.path], client: client, map: map)
        let settled = try ManifestWriter.settledSources(path: manifest)
        #expect(settled.count == entries.count)
        let (resumed, _, _) = try await runImport(
            [drop.path], client: client, map: map, settled: settled, manifestPath: manifest)
        #expect(resumed.resumed == 9)
        #expect(resumed.total == 0)
        await client.shutdown()
        await service.stop()
    }

    @Test(arguments: PKCS12Encryption.allCases)
    func reencryptBeforeUpload(encryption: PKCS12Encryption) async throws {
        let service = try await TestService.start()
        let client = try service.client()
        let (summary, entries, _) = try await runImport(
            [Fixtures.path("rsa-legacy.pfx")], client: client, map: Fixtures.path("passwords.json"),
            options: ImportOptions(concurrency: 1, reencrypt: encryption))
        #expect(summary.actions[.created] == 1)
        let id = try #require(entries.first?.id)
        let stored = try #require(try await service.running.repository.pkcs12(id: id))
        let bundle = try PKCS12Bundle.open(stored, passwords: [SecretBytes(utf8: "legacy-pw")])
        #expect(!bundle.pkcs12.legacyEncryption)
        #expect(bundle.certificate?.thumbprint == entries.first?.thumbprint)
        await client.shutdown()
        await service.stop()
    }

    @Test func planSaysWhatImportWouldDo() async throws {
        let drop = Fixtures.drop(count: 3)
        let service = try await TestService.start()
        let client = try service.client()
        let map = drop.appendingPathComponent("passwords.json").path
        _ = try await runImport([drop.appendingPathComponent("cert-00001.pfx").path], client: client, map: map)
        let book = try PasswordSources(mapFile: map).load(environment: [:], standardInput: { nil })
        let validation = DropValidation(
            reader: DropReader(paths: [drop.path], unpacker: nil),
            inspector: Inspector(policy: ValidationPolicy(), passwords: book))
        var entries: [PlanEntry] = []
        let counts = try await PlanRun(validation: validation, options: ImportOptions())
            .run(client: client) { entries.append($0) }
        #expect(counts[.unchanged] == 1)
        #expect(counts[.create] == 2)
        #expect(counts[.skip] == 1)
        #expect(try await client.list().count == 1)
        await client.shutdown()
        await service.stop()
    }

    @Test func aManifestThatCannotBeWrittenStopsTheRunAtOnce() async throws {
        let drop = Fixtures.drop(count: 12)
        let service = try await TestService.start()
        let client = try service.client(concurrency: 2)
        let book = try PasswordSources(mapFile: drop.appendingPathComponent("passwords.json").path).load(
            environment: [:], standardInput: { nil })
        let manifest = try ManifestWriter(path: "/dev/full")
        let run = ImportRun(
            reader: DropReader(paths: [drop.path], unpacker: nil),
            inspector: Inspector(policy: ValidationPolicy(), passwords: book),
            uploader: Uploader(client: client, onExisting: .fail), options: ImportOptions(concurrency: 2),
            manifest: manifest)
        let summary = await run.run()
        #expect(manifest.failure?.message.contains("/dev/full") == true)
        #expect(throws: PipelineError.self) { try manifest.close() }
        // Nothing new starts once a line is lost: at most the uploads already in flight (the concurrency) ran.
        #expect(try await client.list().count <= 2)
        #expect(summary.total == 0)
        await client.shutdown()
        await service.stop()
    }

    @Test func unreachableServiceFailsEachItemClearly() async throws {
        let drop = Fixtures.drop(count: 2)
        let client = try CertificateServiceClient(
            target: .legacy(baseURL: "http://127.0.0.1:9"),
            credentials: MintedSignatureCredential(identifier: "x", key: SigningKey("k")), concurrency: 2,
            retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.001, maxDelay: 0.01, requestTimeout: 2))
        let (summary, entries, _) = try await runImport(
            [drop.path], client: client, map: drop.appendingPathComponent("passwords.json").path)
        #expect(summary.actions[.failed] == 2)
        #expect(
            entries.filter { $0.action == .failed }.allSatisfy { $0.error?.code == "connection" && $0.attempts == 2 })
        await client.shutdown()
    }
}
