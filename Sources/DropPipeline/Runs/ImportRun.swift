import Dispatch
import Foundation
import PKCS12Kit

/// What `import` does beyond `validate`'s options.
public struct ImportOptions: Sendable {
    /// The most requests in flight at once.
    public var concurrency: Int
    /// What to do when an id holds another certificate.
    public var onExisting: OnExisting
    /// Problems accepted as warnings (`--allow expired`).
    public var allow: Set<ProblemCode>
    /// Re-export in this encryption before upload.
    public var reencrypt: PKCS12Encryption?
    /// `--concurrency auto`: when set, the uploads in flight follow its window (at most its maximum) instead of
    /// `concurrency`; the target's client must report its attempts to it (its `observer`).
    public var adaptive: AdaptiveConcurrency?

    /// Makes options; the defaults are the command line's.
    public init(
        concurrency: Int = 8, onExisting: OnExisting = .fail, allow: Set<ProblemCode> = [],
        reencrypt: PKCS12Encryption? = nil, adaptive: AdaptiveConcurrency? = nil
    ) {
        self.concurrency = max(1, concurrency)
        self.onExisting = onExisting
        self.allow = allow
        self.reencrypt = reencrypt
        self.adaptive = adaptive
    }
}

/// `certdrop import`: sources → unpack → inspect → check (all cores) → upload (at most `concurrency` requests in
/// flight, with Dispatch) → manifest (a line per item as its result arrives).
///
/// Backpressure runs the whole way back: when `concurrency` uploads are in flight the check stage waits, its
/// window fills, and the reader stops reading, so memory stays flat whatever the size of the drop.
public struct ImportRun: Sendable {
    public let reader: DropReader
    public let inspector: Inspector
    public let uploader: Uploader
    public let options: ImportOptions
    public let manifest: ManifestWriter
    /// Sources an earlier manifest settled (`--resume`).
    public let settled: Set<String>
    public let counters: ImportCounters
    /// The ids each item goes under and the items held back: ``ImportRouting/byTemplate`` for `import`.
    public let routing: ImportRouting
    /// Sees every line the manifest took, with the report of its item (for the end-of-run lists and reports).
    public let observer: ImportLineObserver?

    /// Makes a run.
    public init(
        reader: DropReader, inspector: Inspector, uploader: Uploader, options: ImportOptions, manifest: ManifestWriter,
        settled: Set<String> = [], counters: ImportCounters = ImportCounters(), routing: ImportRouting = .byTemplate,
        observer: ImportLineObserver? = nil
    ) {
        self.reader = reader
        self.inspector = inspector
        self.uploader = uploader
        self.options = options
        self.manifest = manifest
        self.settled = settled
        self.counters = counters
        self.routing = routing
        self.observer = observer
    }

    /// Runs the pipeline to the end on its own threads and returns the summary (also written to the manifest).
    ///
    /// When the manifest cannot take a line the run stops at once (uploads in flight end, nothing new starts)
    /// and the summary counts only what was recorded: the caller must check ``ManifestWriter/failure`` (or
    /// ``ManifestWriter/close()``) before it trusts the summary.
    public func run() async -> ImportSummary {
        await runOnThread(finishing: true)
    }

    /// Runs the pipeline like ``run()`` but leaves the summary line out of the manifest, for a caller that appends
    /// lines of its own before it (`migrate`).
    public func runItems() async -> ImportSummary {
        await runOnThread(finishing: false)
    }

    private func runOnThread(finishing: Bool) async -> ImportSummary {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: runBlocking(finishing: finishing)) }
            thread.stackSize = 1 << 22
            thread.start()
        }
    }

    /// The pipeline, blocking the calling thread (never a cooperative one) until every upload has ended.
    func runBlocking(finishing: Bool = true) -> ImportSummary {
        let inspector = self.inspector
        let reader = self.reader
        let summary = SummaryBox()
        let gate = UploadSlots(options)
        let uploads = DispatchGroup()
        let routing = self.routing
        let uploader = self.uploader
        let upload = routing.upload ?? { id, material in await uploader.upload(id: id, material: material) }
        var ledger = DuplicateLedger()
        let map = OrderedParallelMap<DropUnit, InspectedItem> { inspector.inspect($0) }
        let manifest = self.manifest
        // A manifest that cannot take a line stops the run at once: nothing more is read or uploaded, since its
        // outcome could not be recorded.
        map.run(produce: { emit in reader.units(until: { manifest.failure != nil }, emit: emit) }) { inspected in
            guard manifest.failure == nil else { return }
            var item = inspected
            let ids = routing.assignIDs(&item.report)
            ledger.record(&item.report)
            item.report = Self.allowing(options.allow, item.report)
            if settled.contains(item.report.source) {
                summary.resumed()
                return
            }
            // One line per id the item goes under; one line without an id when it has none.
            let lineIDs: [String?] = ids.isEmpty ? [item.report.id] : ids.map(Optional.some)
            if let held = routing.filter(item.report) {
                let outcome = Uploader.Outcome(action: held.action, attempts: 0, error: held.reason)
                for id in lineIDs {
                    record(Self.entry(item.report, id: id, outcome: outcome, durationMs: 0), item.report, summary)
                }
                return
            }
            guard let material = item.upload, item.report.verdict != .error, !ids.isEmpty else {
                let entry = Self.entryWithoutUpload(item.report)
                for id in lineIDs { record(entry.with(id: id), item.report, summary) }
                return
            }
            for id in ids {
                gate.wait()
                guard manifest.failure == nil else {
                    gate.signal()
                    return
                }
                uploads.enter()
                counters.inFlight.add(1, ordering: .relaxed)
                let report = item.report
                let started = DispatchTime.now()
                Task {
                    let outcome = await upload(id, material)
                    counters.inFlight.subtract(1, ordering: .relaxed)
                    let elapsed = Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000)
                    record(Self.entry(report, id: id, outcome: outcome, durationMs: elapsed), report, summary)
                    gate.signal()
                    uploads.leave()
                }
            }
        }
        uploads.wait()
        let result = summary.value
        // A failure to write is the manifest's to report (``ManifestWriter/failure``, ``ManifestWriter/close()``).
        if finishing { try? manifest.finish(result) }
        return result
    }

    /// Counts only what the manifest took: a line it could not write is no outcome (the run stops).
    private func record(_ entry: ManifestEntry, _ report: ItemReport, _ summary: SummaryBox) {
        guard manifest.write(entry) else { return }
        routing.observe?(entry)
        observer?(entry, report)
        summary.count(entry.action)
        counters.done.add(1, ordering: .relaxed)
        if entry.action.isFailure { counters.failed.add(1, ordering: .relaxed) }
    }

    /// `--allow CODE`: the named problems become warnings.
    static func allowing(_ allowed: Set<ProblemCode>, _ report: ItemReport) -> ItemReport {
        guard !allowed.isEmpty, report.problems.contains(where: { allowed.contains($0.code) }) else { return report }
        var problems = report.problems
        for index in problems.indices where allowed.contains(problems[index].code) && problems[index].severity == .error
        {
            problems[index].severity = .warning
        }
        var result = report
        result.problems = problems
        result.verdict = report.verdict == .ignored ? .ignored : Verdict(problems: problems)
        return result
    }

    /// The line of an item that is not uploaded: `invalid` with its errors, or `skipped` (not a certificate).
    static func entryWithoutUpload(_ report: ItemReport) -> ManifestEntry {
        let errors = report.problems.filter { $0.severity == .error }
        let failure: ManifestEntry.Failure
        let action: ImportAction
        if let first = errors.first {
            action = .invalid
            failure = .init(
                code: first.code.rawValue,
                message: errors.map { "\($0.code.rawValue): \($0.message)" }
                    .joined(separator: "; "))
        } else if report.verdict == .ignored {
            action = .skipped
            let note = report.problems.first { $0.code == .paired }
            failure = .init(code: note == nil ? "ignored" : "paired", message: note?.message ?? "not a certificate")
        } else {
            action = .invalid
            failure = .init(code: "no-upload", message: "nothing uploadable in this item")
        }
        return entry(
            report, id: report.id, outcome: Uploader.Outcome(action: action, attempts: 0, error: failure),
            durationMs: 0)
    }

    static func entry(_ report: ItemReport, id: String?, outcome: Uploader.Outcome, durationMs: Int) -> ManifestEntry {
        ManifestEntry(
            source: report.source, id: id, thumbprint: report.certificate?.thumbprint,
            subject: report.certificate?.subject,
            expirationDate: report.certificate.map { ISO8601.string($0.expirationDate) },
            action: outcome.action, status: outcome.status, etag: outcome.etag, attempts: outcome.attempts,
            error: outcome.error, durationMs: durationMs)
    }
}

extension ManifestEntry {
    /// The same line under another id.
    func with(id: String?) -> ManifestEntry {
        var entry = self
        entry.id = id
        return entry
    }
}

/// The summary, counted from several threads.
///
/// `@unchecked Sendable`: guarded by `lock`.
private final class SummaryBox: @unchecked Sendable {
    private let lock = NSLock()
    private var summary = ImportSummary()

    func count(_ action: ImportAction) { lock.withLock { summary.actions[action, default: 0] += 1 } }
    func resumed() { lock.withLock { summary.resumed += 1 } }
    var value: ImportSummary { lock.withLock { summary } }
}
