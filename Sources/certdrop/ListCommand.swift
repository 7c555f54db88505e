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

    @Option(help: "table or json.")
    var format: ListFormat = .table

    enum ListFormat: String, ExpressibleByArgument { case table, json }

    func run() async throws {
        let connection = try await ServiceConnection.open(target, concurrency: 2)
        let records: [CertificateRecord]
        do {
            records = try await connection.client.list(filter: filter)
        } catch {
            await connection.close()
            throw PipelineError(.input, "cannot list \(connection.label): \(error.message)")
        }
        await connection.close()
        let output = TextOutput.standardOutput()
        output.write(RecordFormat.render(records, json: format == .json))
        try output.check()
    }
}
