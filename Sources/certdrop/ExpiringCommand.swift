import ArgumentParser
import CertificateAPI
import DropPipeline
import Foundation

/// `certdrop expiring --days N`: the certificates of a live instance that expire within N days or have expired.
struct ExpiringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expiring",
        abstract: "List the certificates a service holds that expire within N days, or have expired.",
        discussion: """
            The target options and --filter are list's (the embedded local service without --service). For cron \
            and CI. \
            Exit status: 1 when a certificate expires within the days given (or has expired), 0 when none does, 2 \
            for usage or I/O errors (the service cannot be listed).
            """
    )

    @OptionGroup var target: TargetOptions

    @Option(help: "An OData filter passed through, as for list, e.g. \"thumbprint eq 'AB…'\".")
    var filter: String?

    @Option(help: "Report certificates that expire within this many days (default 30).")
    var days = 30

    @Option(help: "table, json, csv, html or openmetrics.")
    var format: ExpiryFormat = .table

    mutating func validate() throws {
        try NumericBounds.check(days, NumericBounds.minDays, "--days", unit: "days")
    }

    func run() async throws {
        let records = try await ListCommand.records(target, filter: filter)
        let now = Date()
        let expiring = ExpiryReport.select(records, days: days, now: now)
        let output = TextOutput.standardOutput()
        try ExpiryReport.write(
            expiring, format: format, days: days, now: now, instance: target.instanceLabel, to: output)
        try output.check()
        throw ExitCode(expiring.isEmpty ? 0 : 1)
    }
}

extension ExpiryFormat: ExpressibleByArgument {}

extension TargetOptions {
    /// The `instance` label of the metrics: the ARM instance, else the service's URL, else `embedded`.
    var instanceLabel: String { instance ?? service ?? "embedded" }
}
