import ArgumentParser
import CertificateAPI
import DropPipeline
import Foundation

/// `certdrop list`: what a service holds.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the certificates a service holds (the embedded one without --service)."
    )

    @OptionGroup var target: TargetOptions

    @Option(help: "An OData filter passed through, e.g. \"thumbprint eq 'AB…'\".")
    var filter: String?

    @Option(help: "table, json, or openmetrics (gauges for Prometheus' textfile collector).")
    var format: ListFormat = .table

    enum ListFormat: String, ExpressibleByArgument { case table, json, openmetrics }

    func run() async throws {
        let records = try await Self.records(target, filter: filter)
        let output = TextOutput.standardOutput()
        switch format {
        case .table, .json: output.write(RecordFormat.render(records, json: format == .json))
        case .openmetrics:
            output.write(ExpiryReport.openMetrics(records, now: Date(), instance: target.instanceLabel))
        }
        try output.check()
    }

    /// Everything the target holds (that `filter` passes); a service that cannot be listed is an I/O error.
    static func records(_ target: TargetOptions, filter: String?) async throws -> [CertificateRecord] {
        try await ServiceConnection.with(try target.request(concurrency: 2)) { try await $0.list(filter: filter) }
    }
}
