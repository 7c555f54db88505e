import ArgumentParser
import CertificateClient
import CertificateService
import DropPipeline
import Foundation
import PKCS12Kit

/// What `import` and `plan` add to `validate`'s options.
struct ImportOptionGroup: ParsableArguments {
    @Option(
        help:
            "The most requests in flight at once (1-256), or auto: a window that grows while the service keeps up and shrinks on 429/503 or rising latency (AIMD), up to --max-concurrency."
    )
    var concurrency: ConcurrencySetting = .fixed(8)

    @Option(
        name: .customLong("max-concurrency"),
        help: "With --concurrency auto: the most requests in flight the window reaches (1-256, default 32).")
    var maxConcurrency: Int?

    @Option(name: .customLong("on-existing"), help: "When an id holds another certificate: skip, update or fail.")
    var onExisting: OnExisting = .fail

    @Option(help: "Accept a named problem (e.g. expired) as a warning; repeat for more.")
    var allow: [ProblemCode] = []

    @Option(
        help:
            "Re-export each PFX in this encryption before upload: aes256 or 3des; auto re-exports only the files a --target cannot read, in an encryption every --target reads."
    )
    var reencrypt: ReencryptChoice?

    mutating func validate() throws {
        switch concurrency {
        case .fixed(let count):
            try NumericBounds.check(count, NumericBounds.concurrency, "--concurrency")
            if maxConcurrency != nil {
                throw ValidationError(
                    "--max-concurrency goes with --concurrency auto (a fixed --concurrency is its own ceiling)")
            }
        case .auto:
            try NumericBounds.check(
                maxConcurrency ?? Self.defaultMaxConcurrency, NumericBounds.concurrency, "--max-concurrency")
        }
    }

    /// `--max-concurrency` when not given.
    static let defaultMaxConcurrency = 32

    /// The most requests in flight, which sizes the connection pool: the fixed number, or auto's ceiling.
    var connectionLimit: Int {
        switch concurrency {
        case .fixed(let count): count
        case .auto: maxConcurrency ?? Self.defaultMaxConcurrency
        }
    }

    /// `--concurrency auto`'s window, made once per run and handed to both the target's client and the options.
    func adaptiveWindow() -> AdaptiveConcurrency? {
        guard concurrency == .auto else { return nil }
        return AdaptiveConcurrency(rules: AdaptiveWindow.Rules(maximum: connectionLimit))
    }

    /// `--reencrypt auto` names no --target: a usage error.
    func validate(targets: [String]) throws {
        if reencrypt == .auto, targets.isEmpty {
            throw ValidationError(
                "--reencrypt auto needs at least one --target (it re-exports what a target cannot read)")
        }
    }

    /// The fixed encryption every file is re-exported in; `nil` for none or `auto`.
    var fixedEncryption: PKCS12Encryption? {
        switch reencrypt {
        case .aes256: .aes256
        case .tripleDES: .tripleDES
        case .auto, nil: nil
        }
    }

    var options: ImportOptions { options(adaptive: nil) }

    /// The options, with auto's window when there is one.
    func options(adaptive: AdaptiveConcurrency?) -> ImportOptions {
        ImportOptions(
            concurrency: connectionLimit, onExisting: onExisting, allow: Set(allow), reencrypt: fixedEncryption,
            adaptive: adaptive)
    }

    /// The policy of `checks`, with `--reencrypt auto` turned on when asked.
    func policy(_ checks: CheckOptions) throws -> ValidationPolicy {
        var policy = try checks.policy()
        policy.reencryptForTargets = reencrypt == .auto
        return policy
    }
}

/// `--concurrency`: a fixed number of requests in flight, or `auto` (``AdaptiveConcurrency``).
enum ConcurrencySetting: Equatable, ExpressibleByArgument {
    case fixed(Int)
    case auto

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let count = Int(argument) {
            self = .fixed(count)
        } else {
            return nil
        }
    }

    var defaultValueDescription: String {
        switch self {
        case .fixed(let count): String(count)
        case .auto: "auto"
        }
    }
}

/// `--resume` and `--manifest-format`, of `import` and `migrate` (each names its own `--manifest` default).
struct ResumeOptions: ParsableArguments {
    @Option(help: "An earlier manifest: items it settled are passed over, new lines are appended to it.")
    var resume: String?

    @Option(name: .customLong("manifest-format"), help: "jsonl or csv.")
    var manifestFormat: ManifestFormat = .jsonl

    /// A CSV manifest cannot be resumed (its quoting does not give the source names back). Called from the
    /// command's `validate()`, in its order.
    func check() throws {
        if resume != nil, manifestFormat == .csv {
            throw ValidationError("--resume reads a jsonl manifest; a csv one cannot be resumed")
        }
    }
}

extension AdaptiveConcurrency.Statistics {
    /// One line for the end of a run: what auto's window did.
    var text: String {
        "concurrency auto: window \(initial) at the start, \(smallestWindow) to \(largestWindow) on the way, "
            + "\(window) at the end; \(maxInFlight) in flight at most; \(throttled) answers 429/503, "
            + "\(changes[.throttled] ?? 0) cuts for them, \(changes[.latency] ?? 0) for rising latency"
    }
}

/// `--reencrypt`: a fixed encryption, or `auto` (only what a `--target` cannot read).
enum ReencryptChoice: String, ExpressibleByArgument, CaseIterable {
    case aes256
    case tripleDES = "3des"
    case auto
}

/// `certdrop import PATH...`: the main job.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Upload every certificate of a drop that passes the checks, and write a manifest.",
        discussion: """
            Without --service the embedded local service is the target (its store under .certdrop/ or \
            $CERTDROP_HOME). Exit status: 0 when every valid item ended created, updated or unchanged; 1 when an \
            item is invalid, a conflict or failed; 2 for usage or I/O errors (a manifest that cannot take a line \
            stops the run at once).
            """
    )

    @Argument(help: "Folders, .pfx/.p12 files and archives.")
    var paths: [String]

    @OptionGroup var passwords: PasswordOptions
    @OptionGroup var checks: CheckOptions
    @OptionGroup var archives: ArchiveOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var upload: ImportOptionGroup

    @Option(help: "Where to write the manifest (default: .certdrop/manifests/import-TIMESTAMP.jsonl).")
    var manifest: String?

    @OptionGroup var resuming: ResumeOptions

    @Option(help: "Also write an HTML report of the run (every item, its outcome, an expiry timeline) to this file.")
    var report: String?

    @Flag(help: "No progress display.")
    var quiet = false

    func validate() throws {
        try resuming.check()
        try upload.validate(targets: checks.targets)
    }

    func run() async throws {
        let drop = try DropRun(
            paths: paths, passwords: passwords, checks: checks, archives: archives, policy: try upload.policy(checks))
        let settled = try resuming.resume.map { try ManifestWriter.settledSources(path: $0) } ?? []
        let path = manifest ?? resuming.resume ?? Self.defaultManifestPath(format: resuming.manifestFormat)
        let writer = try ManifestWriter(path: path, format: resuming.manifestFormat)
        // Opened before any client, so that a report that cannot be written stops the run before it starts.
        let html = try report.map {
            try HTMLReport(title: "certdrop import", output: try TextOutput.file($0), minDays: checks.minDays)
        }
        let adaptive = upload.adaptiveWindow()
        let connection = try await ServiceConnection.open(
            try target.request(concurrency: upload.connectionLimit, observer: adaptive))
        let uploader = Uploader(
            client: connection.client, onExisting: upload.onExisting, reencrypt: upload.fixedEncryption)
        let counters = ImportCounters()
        if !quiet { counters.expect(drop.validation.reader.countFiles() - settled.count) }
        let progress = ImportProgress(
            style: ImportProgress.defaultStyle(quiet: quiet), counters: counters,
            retries: { connection.client.retryCount })
        let notUploaded = NotUploadedList()
        let run = ImportRun(
            reader: drop.validation.reader, inspector: drop.validation.inspector, uploader: uploader,
            options: upload.options(adaptive: adaptive), manifest: writer, settled: settled, counters: counters,
            observer: { entry, report in
                notUploaded.record(entry)
                html?.add(ReportRow(line: entry, report: report))
            })
        progress.start()
        let summary = await run.run()
        progress.stop()
        await connection.close()
        // A manifest missing lines is an I/O error (exit 2), whatever the uploads did; so is a report.
        try writer.close()
        html?.finish(notes: [summary.text, "into \(connection.label)", "manifest: \(writer.path)"])
        try html?.close()
        let stdout = TextOutput.standardOutput()
        let window = adaptive.map { $0.snapshot.text + "\n" } ?? ""
        stdout.write(
            "\(summary.text)\ninto \(DisplayText.escaped(connection.label))\nmanifest: \(DisplayText.escaped(writer.path))\n"
                + notUploaded.text(manifest: writer.path) + window)
        try stdout.check()
        throw ExitCode(summary.exitStatus)
    }

    static func defaultManifestPath(format: ManifestFormat) -> String {
        let stamp = ISO8601.string(Date()).replacingOccurrences(of: ":", with: "").replacingOccurrences(
            of: "-", with: "")
        return URL(fileURLWithPath: ServiceHome().folder).appendingPathComponent("manifests")
            .appendingPathComponent("import-\(stamp).\(format.rawValue)").path
    }
}

/// `certdrop plan PATH...`: what `import` would do, with no writes.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what import would do to each item (create, update, unchanged, conflict, invalid, skip).",
        discussion: "Exit status: 0 when import would succeed, 1 when an item is invalid or a conflict, 2 for errors."
    )

    @Argument(help: "Folders, .pfx/.p12 files and archives.")
    var paths: [String]

    @OptionGroup var passwords: PasswordOptions
    @OptionGroup var checks: CheckOptions
    @OptionGroup var archives: ArchiveOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var upload: ImportOptionGroup

    @Option(help: "table, json, jsonl, csv or html.")
    var format: PlanFormat = .table

    func validate() throws {
        try upload.validate(targets: checks.targets)
    }

    func run() async throws {
        let drop = try DropRun(
            paths: paths, passwords: passwords, checks: checks, archives: archives, policy: try upload.policy(checks))
        let output = TextOutput.standardOutput()
        let printer = PlanPrinter(format: format, output: output, minDays: checks.minDays)
        let counts: [PlanAction: Int] = try await ServiceConnection.with(
            try target.request(concurrency: upload.connectionLimit)
        ) { connection in
            do throws(ClientError) {
                return try await PlanRun(validation: drop.validation, options: upload.options)
                    .run(client: connection.client, each: { printer.write($0, report: $1) })
            } catch {
                throw PipelineError(.input, "cannot list \(connection.label): \(error.message)")
            }
        }
        printer.finish(counts)
        try output.check()
        let failing = (counts[.invalid] ?? 0) + (counts[.conflict] ?? 0)
        throw ExitCode(failing > 0 ? 1 : 0)
    }
}

extension OnExisting: ExpressibleByArgument {}
extension ProblemCode: ExpressibleByArgument {}
extension PKCS12Encryption: ExpressibleByArgument {}
extension TLSUsage: ExpressibleByArgument {}
extension ManifestFormat: ExpressibleByArgument {}
extension PlanFormat: ExpressibleByArgument {}
