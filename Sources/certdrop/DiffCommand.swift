import ArgumentParser
import DropPipeline
import Foundation
import Migration

/// `certdrop diff --from A --to B`: two instances compared by id and thumbprint.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two instances by id and thumbprint: only in the source, only in the target, different.",
        discussion: """
            Both instances are listed whole (following nextLink). Each id is same, different (another thumbprint, or \
            another Key Vault secret), only-in-source or only-in-target; ids compare without case. The table shows \
            the ids that differ (--all: every id).

            Exit status: 0 when both hold the same certificates under the same ids, 1 when they differ, 2 for usage \
            or I/O errors (an instance that cannot be listed).
            """
    )

    @OptionGroup var endpoints: EndpointPairOptions
    @OptionGroup var client: ClientOptions

    @Option(help: "table or json.")
    var format: DiffFormat = .table

    @Flag(help: "Show the ids that are the same too.")
    var all = false

    enum DiffFormat: String, ExpressibleByArgument { case table, json }

    func run() async throws {
        let (from, to) = try endpoints.pair(allowInsecureKeyFile: client.allowInsecureKeyFile)
        let report = try await DiffRun.run(
            source: try client.request(from, role: "--from"), target: try client.request(to, role: "--to"))
        let output = TextOutput.standardOutput()
        output.write(report.render(json: format == .json, all: all))
        try output.check()
        throw ExitCode(report.exitStatus)
    }
}
