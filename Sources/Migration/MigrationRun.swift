import CertificateAPI
import CertificateClient
import DropPipeline
import Foundation
import Synchronization

/// What `migrate` does beyond `import`'s options.
public struct MigrationOptions: Sendable {
    /// Concurrency, `--on-existing`, `--allow`, `--reencrypt`: as for `import`.
    public var upload: ImportOptions
    /// Upload drop items the source does not hold, under their template's id (`--include-unmatched`).
    public var includeUnmatched: Bool
    /// Write nothing to the target: decide against its listing (`--dry-run`).
    public var dryRun: Bool

    /// Makes options.
    public init(upload: ImportOptions = ImportOptions(), includeUnmatched: Bool = false, dryRun: Bool = false) {
        self.upload = upload
        self.includeUnmatched = includeUnmatched
        self.dryRun = dryRun
    }
}

/// `certdrop migrate`: moves the certificates of one instance (the source) into another (the target), keeping
/// their ids. The API never returns a private key, so the PFX files come from a drop.
///
/// It lists both instances, runs the drop through ``ImportRun`` (sources → unpack → inspect → check → upload
/// with at most `concurrency` requests in flight → manifest) with a ``MigrationMatcher`` that sends each item to the
/// source's ids for its certificate, then writes a line for every certificate of the source that no item covered:
/// recreated as a Key Vault reference (ARM targets), `unchanged` when the target already holds it, `skipped`
/// when expired, else `missing-pfx`. Every certificate of the source and every item of the drop ends with a line.
public struct MigrationRun: Sendable {
    /// The instance certificates come from.
    public let source: CertificateServiceClient
    /// The instance they go to.
    public let target: CertificateServiceClient
    /// The drop's items.
    public let reader: DropReader
    /// How each item is inspected and checked.
    public let inspector: Inspector
    /// The options.
    public let options: MigrationOptions
    /// Where lines go (a dry run's writer may be `/dev/null`).
    public let manifest: ManifestWriter
    /// Sources an earlier manifest settled (``MigrationRun/settledSources(path:)``).
    public let settled: Set<String>
    /// Counters for the progress display.
    public let counters: ImportCounters
    /// Sees every line written, with its drop item's report (`nil` for a line of the source's own).
    public let observer: ImportLineObserver?

    /// Makes a run.
    public init(
        source: CertificateServiceClient, target: CertificateServiceClient, reader: DropReader, inspector: Inspector,
        options: MigrationOptions, manifest: ManifestWriter, settled: Set<String> = [],
        counters: ImportCounters = ImportCounters(), observer: ImportLineObserver? = nil
    ) {
        self.source = source
        self.target = target
        self.reader = reader
        self.inspector = inspector
        self.options = options
        self.manifest = manifest
        self.settled = settled
        self.counters = counters
        self.observer = observer
    }

    /// Runs the migration; `observe` sees every line as it is written.
    /// - Throws: ``ClientError`` when either instance cannot be listed (nothing is written then).
    public func run(observe: (@Sendable (ManifestEntry) -> Void)? = nil) async throws(ClientError) -> MigrationSummary {
        async let sourceListing = Self.listing(source, "the source")
        async let targetListing = Self.listing(target, "the target")
        let sourceCertificates = try await sourceListing.get()
        let snapshot = TargetSnapshot(try await targetListing.get())
        let matcher = MigrationMatcher(
            source: sourceCertificates, targetDialect: target.target.dialect,
            includeUnmatched: options.includeUnmatched,
            allowExpired: options.upload.allow.contains(.expired))
        let tally = MigrationTally(source: sourceCertificates)
        let seen: @Sendable (ManifestEntry) -> Void = { entry in
            tally.record(entry)
            observe?(entry)
        }
        let onExisting = options.upload.onExisting
        let planned: (@Sendable (String, UploadMaterial) async -> Uploader.Outcome)? =
            options.dryRun
            ? { @Sendable id, material in
                snapshot.plan(id: id, thumbprint: material.bundle.certificate?.thumbprint, onExisting: onExisting)
            } : nil
        let items = ImportRun(
            reader: reader, inspector: inspector,
            uploader: Uploader(client: target, onExisting: onExisting, reencrypt: options.upload.reencrypt),
            options: options.upload, manifest: manifest, settled: settled, counters: counters,
            routing: matcher.routing(upload: planned, observe: seen), observer: observer)
        var lines = await items.runItems()
        let leftovers = await settleLeftovers(matcher: matcher, snapshot: snapshot, observe: seen)
        for (action, count) in leftovers.actions { lines.actions[action, default: 0] += count }
        lines.resumed += leftovers.resumed
        // A failure to write is the manifest's to report (``ManifestWriter/close()``).
        try? manifest.finish(lines)
        return MigrationSummary(
            lines: lines, sourceCount: sourceCertificates.count, notMoved: tally.notMoved, dryRun: options.dryRun)
    }

    private static func listing(_ client: CertificateServiceClient, _ name: String) async -> Result<
        [RemoteCertificate], ClientError
    > {
        do {
            return .success(try await client.inventory())
        } catch {
            return .failure(
                ClientError(error.code, "cannot list \(name) (\(client.target.baseURL)): \(error.message)"))
        }
    }

    /// The lines of the source's certificates that no item covered; Key Vault references are recreated with at
    /// most `concurrency` requests in flight.
    private func settleLeftovers(
        matcher: MigrationMatcher, snapshot: TargetSnapshot, observe: @escaping @Sendable (ManifestEntry) -> Void
    ) async -> ImportSummary {
        var summary = ImportSummary()
        var references: [(RemoteCertificate, KeyVaultReference)] = []
        for certificate in matcher.uncovered {
            if settled.contains(certificate.path) {
                summary.resumed += 1
                continue
            }
            switch matcher.leftover(certificate, target: snapshot.current(certificate.id)) {
            case .reference(let reference):
                references.append((certificate, reference))
            case .line(let action, let reason):
                let outcome = Uploader.Outcome(action: action, attempts: 0, error: reason)
                record(MigrationMatcher.entry(certificate, outcome: outcome), &summary, observe)
            }
        }
        let uploader = KeyVaultUploader(client: target, onExisting: options.upload.onExisting)
        let dryRun = options.dryRun
        let onExisting = options.upload.onExisting
        let counters = self.counters
        await withTaskGroup(of: ManifestEntry.self) { group in
            var inFlight = 0
            let adaptive = options.upload.adaptive
            for (certificate, reference) in references {
                if let adaptive {
                    // `--concurrency auto`: wait for an upload to end while the window is full, sleep out a pause.
                    while true {
                        let admission = adaptive.tryAcquire()
                        if admission == .granted { break }
                        if case .paused(let until) = admission {
                            let wait = adaptive.seconds(until: until)
                            try? await Task.sleep(nanoseconds: UInt64(min(max(wait, 0.001), 60) * 1e9))
                        } else if let entry = await group.next() {
                            inFlight -= 1
                            record(entry, &summary, observe)
                        } else {
                            try? await Task.sleep(nanoseconds: 10_000_000)
                        }
                    }
                } else if inFlight >= options.upload.concurrency, let entry = await group.next() {
                    inFlight -= 1
                    record(entry, &summary, observe)
                }
                inFlight += 1
                group.addTask {
                    counters.inFlight.add(1, ordering: .relaxed)
                    defer {
                        counters.inFlight.subtract(1, ordering: .relaxed)
                        adaptive?.release()
                    }
                    let started = DispatchTime.now()
                    let outcome =
                        dryRun
                        ? snapshot.plan(
                            id: certificate.id, thumbprint: certificate.thumbprint, reference: reference,
                            onExisting: onExisting)
                        : await uploader.upload(
                            id: certificate.id, reference: reference, thumbprint: certificate.thumbprint)
                    let elapsed = Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000)
                    return MigrationMatcher.entry(certificate, outcome: outcome, durationMs: elapsed)
                }
            }
            for await entry in group { record(entry, &summary, observe) }
        }
        return summary
    }

    private func record(
        _ entry: ManifestEntry, _ summary: inout ImportSummary, _ observe: @Sendable (ManifestEntry) -> Void
    ) {
        guard manifest.write(entry) else { return }
        observe(entry)
        observer?(entry, nil)
        summary.actions[entry.action, default: 0] += 1
        counters.done.add(1, ordering: .relaxed)
        if entry.action.isFailure { counters.failed.add(1, ordering: .relaxed) }
    }

    /// The sources an earlier migration's manifest settled, for `--resume`. A source with lines under several ids
    /// (a certificate the source instance holds under more than one) is settled when the last line of each of its
    /// ids is; lines that are not entries are passed over.
    public static func settledSources(path: String) throws(PipelineError) -> Set<String> {
        var last: [String: [String: Bool]] = [:]
        try ManifestWriter.entries(path: path) { entry in
            last[entry.source, default: [:]][entry.id?.lowercased() ?? ""] = entry.action.isSettled
        }
        return Set(last.filter { $0.value.values.allSatisfy { $0 } }.keys)
    }
}

/// What the target held when it was listed, by id: a dry run decides against it, and a certificate without a
/// PFX that the target already holds is `unchanged`.
struct TargetSnapshot: Sendable {
    private let byID: [String: RemoteCertificate]

    init(_ certificates: [RemoteCertificate]) {
        var index: [String: RemoteCertificate] = [:]
        for certificate in certificates { index[certificate.id.lowercased()] = certificate }
        byID = index
    }

    /// What the target holds under `id` (ids compare without case, as the service compares them).
    func current(_ id: String) -> RemoteCertificate? { byID[id.lowercased()] }

    /// What an upload of `thumbprint` (or of `reference`) under `id` would do.
    func plan(id: String, thumbprint: String? = nil, reference: KeyVaultReference? = nil, onExisting: OnExisting)
        -> Uploader.Outcome
    {
        guard let current = current(id) else { return Uploader.Outcome(action: .created, attempts: 0) }
        let same =
            if let reference { KeyVaultUploader.holds(current, reference, thumbprint: thumbprint) } else {
                current.thumbprint != nil && current.thumbprint == thumbprint?.uppercased()
            }
        if same { return Uploader.Outcome(action: .unchanged, attempts: 0) }
        let message = "the id holds another certificate (\(KeyVaultUploader.describe(current)))"
        switch onExisting {
        case .update: return Uploader.Outcome(action: .updated, attempts: 0)
        case .skip:
            return Uploader.Outcome(action: .skipped, attempts: 0, error: .init(code: "exists", message: message))
        case .fail:
            return Uploader.Outcome(action: .conflict, attempts: 0, error: .init(code: "conflict", message: message))
        }
    }
}

/// The outcome of a migration: the counts of its lines, and the certificates of the source it did not move.
public struct MigrationSummary: Sendable {
    /// Lines per action, as the manifest's summary line has them.
    public var lines: ImportSummary
    /// How many certificates the source holds.
    public var sourceCount: Int
    /// The last line of each certificate of the source that did not end in the target this run, ordered by id.
    public var notMoved: [ManifestEntry]
    /// Whether this was a dry run (nothing was written).
    public var dryRun: Bool

    /// 0 when every line ended well, 1 when one is `invalid`, a `conflict`, `failed` or `missing-pfx`.
    public var exitStatus: Int32 { lines.exitStatus }

    /// `the source holds 12 certificates: 9 in the target, 3 not moved`, then the line counts.
    public var text: String {
        let moved = sourceCount - notMoved.count
        let counts =
            dryRun
            ? "\(moved) would be in the target, \(notMoved.count) would not"
            : "\(moved) in the target, \(notMoved.count) not moved"
        return "the source holds \(sourceCount) certificates: \(counts)\n\(lines.text)"
    }
}

/// Follows, per certificate of the source, whether some line moved it; keeps the last line of those that did not.
/// A line is a certificate's when it has its id and its thumbprint (or comes from the source itself).
final class MigrationTally: Sendable {
    private struct State {
        var moved: Set<String> = []
        var last: [String: ManifestEntry] = [:]
    }

    private let source: [String: RemoteCertificate]
    private let state = Mutex(State())

    init(source: [RemoteCertificate]) {
        self.source = Dictionary(source.map { ($0.id.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    func record(_ entry: ManifestEntry) {
        guard let id = entry.id?.lowercased(), let certificate = source[id],
            entry.source == certificate.path || entry.thumbprint?.uppercased() == certificate.thumbprint
        else { return }
        state.withLock { state in
            if [.created, .updated, .unchanged].contains(entry.action) {
                state.moved.insert(id)
            } else {
                state.last[id] = entry
            }
        }
    }

    var notMoved: [ManifestEntry] {
        state.withLock { state in
            state.last.filter { !state.moved.contains($0.key) }.sorted { $0.key < $1.key }.map(\.value)
        }
    }
}
