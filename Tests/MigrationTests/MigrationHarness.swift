import CertDropTestSupport
import CertificateAPI
import CertificateClient
import CertificateService
import Foundation
import Logging
import PKCS12Kit
import Synchronization
import Testing

@testable import DropPipeline
@testable import Migration

/// A service instance started for a test, on 127.0.0.1 with a store of its own.
struct Instance {
    let server: CertificateServer
    let running: RunningServer
    let keys: AccessKeyFile

    static let scope = ARMServiceScope(subscriptionId: "sub", resourceGroupName: "rg", serviceName: "certdrop")

    static func start(faults: FaultInjection = FaultInjection(), keyVault: KeyVaultFolder? = nil) async throws
        -> Instance
    {
        let keys = AccessKeyFile.generate()
        var logger = Logger(label: "test.instance")
        logger.logLevel = .critical
        var configuration = ServiceConfiguration(store: .memory, accessKeys: keys, logger: logger)
        configuration.faults = faults
        configuration.keyVault = keyVault.map { LocalKeyVault(root: $0.root.path) }
        let server = try CertificateServer(configuration: configuration)
        return Instance(server: server, running: try await server.start(), keys: keys)
    }

    func client(_ dialect: Dialect = .legacy, concurrency: Int = 4) throws -> CertificateServiceClient {
        // A generous per-request deadline: a PUT that times out and is retried comes back `409`, which the uploader
        // rightly reports as `created` (its own first attempt may have made it), and the scenarios assert exact
        // actions. Under AddressSanitizer on two busy cores a PUT has taken over 10 s.
        let retry = RetryPolicy(maxAttempts: 12, baseDelay: 0.005, maxDelay: 0.2, requestTimeout: 60)
        switch dialect {
        case .legacy:
            return try CertificateServiceClient(
                target: .legacy(baseURL: running.baseURL),
                credentials: MintedSignatureCredential(identifier: keys.identifier, key: keys.keys.primary),
                concurrency: concurrency, retry: retry)
        case .arm:
            return try CertificateServiceClient(
                target: .arm(baseURL: running.baseURL, scope: Self.scope),
                credentials: MintedBearerCredential(subject: keys.identifier, key: keys.keys.primary),
                concurrency: concurrency, retry: retry)
        }
    }

    /// Stores the certificate of a PFX under `id`, as an operator once uploaded it.
    func seed(_ id: String, pfx path: String, password: String) async throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let bundle = try PKCS12Bundle.open(bytes, passwords: [SecretBytes(utf8: password)])
        let facts = try #require(bundle.certificate)
        _ = try await running.repository.put(
            id: id,
            content: CertificateContent(
                subject: facts.subject, thumbprint: facts.thumbprint, expirationDate: facts.expirationDate,
                pkcs12: bytes),
            condition: .unconditional)
    }

    /// Stores a Key Vault reference under `id`.
    func seed(_ id: String, keyVault secret: String) async throws {
        _ = try await running.repository.put(
            id: id, content: CertificateContent(keyVault: KeyVaultReference(secretIdentifier: secret)),
            condition: .unconditional)
    }

    /// Every certificate as the store holds it: id → (thumbprint, ETag, Key Vault secret).
    func stored() async throws -> [String: (thumbprint: String, etag: String, keyVault: String?)] {
        let page = try await running.repository.list(filter: nil, page: PageRequest(top: 1_000, skip: 0))
        var result: [String: (thumbprint: String, etag: String, keyVault: String?)] = [:]
        for certificate in page.certificates {
            result[certificate.record.certificateId] = (
                certificate.record.thumbprint, certificate.etag, certificate.keyVault?.secretIdentifier
            )
        }
        return result
    }

    func stop() async { try? await running.shutdown() }
}

/// The thumbprint of a PFX.
func thumbprint(of path: String, password: String = "drop-pw") throws -> String {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    return try #require(try PKCS12Bundle.open(bytes, passwords: [SecretBytes(utf8: password)]).certificate?.thumbprint)
}

/// A migration run's results: the summary, every line it showed, and the manifest's lines.
struct Migrated {
    let summary: MigrationSummary
    let lines: [ManifestEntry]
    let manifest: [ManifestEntry]
    let manifestPath: String

    /// The lines under an id.
    func lines(id: String) -> [ManifestEntry] { lines.filter { $0.id == id } }

    /// The one line of a source.
    func line(source suffix: String) -> ManifestEntry? { lines.first { $0.source.hasSuffix(suffix) } }
}

/// Collects lines from several threads.
final class LineCollector: Sendable {
    private let state = Mutex<[ManifestEntry]>([])
    func add(_ entry: ManifestEntry) { state.withLock { $0.append(entry) } }
    var lines: [ManifestEntry] { state.withLock { $0 } }
}

/// Migrates `paths` from `source` to `target`.
func migrate(
    _ paths: [String], from source: CertificateServiceClient, to target: CertificateServiceClient, map: String,
    options: MigrationOptions = MigrationOptions(upload: ImportOptions(concurrency: 4)), settled: Set<String> = [],
    manifestPath: String? = nil
) async throws -> Migrated {
    let book = try PasswordSources(mapFile: map).load(environment: [:], standardInput: { nil })
    let path = manifestPath ?? Fixtures.temporaryFolder("migration").appendingPathComponent("m.jsonl").path
    let collector = LineCollector()
    let run = MigrationRun(
        source: source, target: target,
        reader: DropReader(paths: paths, unpacker: ArchiveUnpacker(passwords: book)),
        inspector: Inspector(policy: ValidationPolicy(), passwords: book), options: options,
        manifest: try ManifestWriter(path: path), settled: settled)
    let summary = try await run.run(observe: { collector.add($0) })
    return Migrated(summary: summary, lines: collector.lines, manifest: try manifestLines(path), manifestPath: path)
}

func manifestLines(_ path: String) throws -> [ManifestEntry] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return data.split(separator: UInt8(ascii: "\n")).compactMap {
        try? JSONDecoder().decode(ManifestEntry.self, from: Data($0))
    }
}

/// Writes a password map to a new file.
func passwordMap(_ map: [String: Any]) throws -> String {
    let path = Fixtures.temporaryFolder("map").appendingPathComponent("passwords.json").path
    try JSONSerialization.data(withJSONObject: map).write(to: URL(fileURLWithPath: path))
    return path
}
