import ArgumentParser
import CertificateClient
import DropPipeline
import Foundation
import Migration

/// `certdrop migrate --from A --to B PATH...`: moves A's certificates into B under A's ids, with the PFX files of
/// a drop.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move one instance's certificates into another, keeping their ids, with the PFX files of a drop.",
        discussion: """
            The API never returns a private key, so the PFX files come from the drop: each item is matched to the \
            source's certificates by thumbprint and uploaded to the target under the source's id, through the \
            import pipeline (checks, bounded concurrency, retries, manifest, resume). Key Vault references are \
            recreated as references in an ARM target. Lines a migration adds to import's: missing-pfx (the source \
            holds it, the drop has no PFX for it) and unmatched (a drop item the source does not hold; uploaded \
            under its own id with --include-unmatched). Expired certificates are skipped unless --allow expired.

            Instances: --from and --to URLs (an ARM service's resource URL, \
            .../subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/NAME, reads as the arm \
            dialect), with credential files (--from-sas-key-file, --from-token-file, and --to-...), or a --profile \
            file that names both.

            Exit status: 0 when every line ended created, updated, unchanged, skipped or unmatched; 1 when a line is \
            invalid, a conflict, failed or missing-pfx; 2 for usage or I/O errors (an instance that cannot be listed).
            """
    )

    @Argument(help: "Folders, .pfx/.p12 files and archives holding the source's PFX files.")
    var paths: [String]

    @OptionGroup(title: "Instances") var endpoints: EndpointPairOptions
    @OptionGroup var client: ClientOptions
    @OptionGroup var passwords: PasswordOptions
    @OptionGroup var checks: CheckOptions
    @OptionGroup var archives: ArchiveOptions
    @OptionGroup var upload: ImportOptionGroup

    @Flag(
        name: .customLong("include-unmatched"), help: "Upload drop items the source does not hold, under their own id.")
    var includeUnmatched = false

    @Flag(name: .customLong("dry-run"), help: "Write nothing: print what migrate would do to each item.")
    var dryRun = false

    @Option(help: "Where to write the manifest (default: .certdrop/manifests/migrate-TIMESTAMP.jsonl).")
    var manifest: String?

    @OptionGroup var resuming: ResumeOptions

    @Option(help: "The report on standard output: table or json.")
    var format: MigrationReportFormat = .table

    @Option(help: "Also write an HTML report of the run (every line, an expiry timeline) to this file.")
    var report: String?

    @Flag(help: "No progress display.")
    var quiet = false

    func validate() throws {
        if dryRun, manifest != nil { throw ValidationError("--dry-run writes no manifest; leave out --manifest") }
        try resuming.check()
        try upload.validate(targets: checks.targets)
    }

    func run() async throws {
        let drop = try DropRun(
            paths: paths, passwords: passwords, checks: checks, archives: archives, policy: try upload.policy(checks))
        let (from, to) = try endpoints.pair(allowInsecureKeyFile: client.allowInsecureKeyFile)
        let settled = try resuming.resume.map { try MigrationRun.settledSources(path: $0) } ?? []
        let path =
            dryRun
            ? "/dev/null" : manifest ?? resuming.resume ?? Self.defaultManifestPath(format: resuming.manifestFormat)
        let writer = try ManifestWriter(path: path, format: dryRun ? .jsonl : resuming.manifestFormat)
        // Opened before any client, so that a report that cannot be written stops the run before it starts.
        let html = try report.map {
            try HTMLReport(title: "certdrop migrate", output: try TextOutput.file($0), minDays: checks.minDays)
        }
        let adaptive = upload.adaptiveWindow()
        let counters = ImportCounters()
        let stdout = TextOutput.standardOutput()
        let printer = MigrationPrinter(format: format, output: stdout, everyLine: dryRun)
        let notUploaded = NotUploadedList()
        let options = MigrationOptions(
            upload: upload.options(adaptive: adaptive), includeUnmatched: includeUnmatched, dryRun: dryRun)
        let summary: MigrationSummary = try await ServiceConnection.with(
            try client.request(from, role: "--from"),
            then: try client.request(to, role: "--to", concurrency: upload.connectionLimit, observer: adaptive)
        ) { source, target in
            let progress = ImportProgress(
                style: ImportProgress.defaultStyle(quiet: quiet), counters: counters,
                retries: { target.client.retryCount })
            let run = MigrationRun(
                source: source.client, target: target.client, reader: drop.validation.reader,
                inspector: drop.validation.inspector, options: options, manifest: writer, settled: settled,
                counters: counters,
                observer: { entry, report in
                    notUploaded.record(entry)
                    html?.add(ReportRow(line: entry, report: report))
                })
            progress.start()
            defer { progress.stop() }
            do throws(ClientError) {
                return try await run.run(observe: { printer.write($0) })
            } catch {
                throw PipelineError(.input, error.message)
            }
        }
        // A manifest missing lines is an I/O error (exit 2), whatever the uploads did.
        try writer.close()
        html?.finish(
            notes: summary.text.split(separator: "\n").map(String.init)
                + [dryRun ? "dry run: nothing was written to the target" : "manifest: \(path)"])
        try html?.close()
        printer.finish(summary, manifest: dryRun ? nil : writer.path, notUploaded: notUploaded)
        try stdout.check()
        throw ExitCode(summary.exitStatus)
    }

    static func defaultManifestPath(format: ManifestFormat) -> String {
        ImportCommand.defaultManifestPath(format: format).replacingOccurrences(of: "/import-", with: "/migrate-")
    }
}
