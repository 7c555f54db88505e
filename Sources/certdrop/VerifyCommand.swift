import ArgumentParser
import CertificateClient
import DropPipeline
import Foundation
import Migration

/// `certdrop verify`: every id that should be in the target is there with the right certificate.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every id that should be in an instance is there with the right thumbprint.",
        discussion: """
            What should be there comes from a manifest (--manifest M: every id a migrate or import run put there \
            or tried to) or from the source instance (--from A: every id it holds; expired certificates are passed \
            over unless --include-expired, as migrate passes them over). The instance checked is --to B (with the \
            --to-... credential options or a --profile), or --service B with import's target options, or the \
            embedded local service when neither is given. Each id is ok, missing, different or expired.

            Exit status: 0 when every expected id is there with the right certificate (the migration is complete), \
            1 when one is missing or different, 2 for usage or I/O errors.
            """
    )

    @Option(help: ArgumentHelp("A manifest of migrate or import (jsonl).", valueName: "file"))
    var manifest: String?

    @OptionGroup(title: "Instances") var endpoints: EndpointPairOptions
    @OptionGroup(title: "Target as import names it") var target: TargetOptions

    @Flag(name: .customLong("include-expired"), help: "With --from: expect the source's expired certificates too.")
    var includeExpired = false

    @Option(help: "table or json.")
    var format: VerifyFormat = .table

    @Flag(help: "Show the ids that are ok too.")
    var all = false

    enum VerifyFormat: String, ExpressibleByArgument { case table, json }

    func validate() throws {
        if manifest != nil, endpoints.namesSourceOnCommandLine {
            throw ValidationError("give --manifest or --from, not both")
        }
        if includeExpired, manifest != nil { throw ValidationError("--include-expired applies to --from only") }
    }

    func run() async throws {
        let (from, to) = try endpoints.endpoints(allowInsecureKeyFile: target.allowInsecureKeyFile)
        if to != nil, target.service != nil { throw PipelineError(.usage, "give --to or --service, not both") }
        guard manifest != nil || from != nil else {
            throw PipelineError(.usage, "verify needs --manifest FILE or --from URL (or a profile that names it)")
        }
        // The target: --to (or the profile's), else --service or the embedded service.
        let checked =
            try to.map {
                try $0.request(role: "--to", concurrency: 2, caFile: target.caFile, retry: target.retry.policy)
            }
            ?? target.request(concurrency: 2)
        let expectation: VerifyRun.Expectation
        if let manifest {
            expectation = .manifest(path: manifest)
        } else if let from {
            expectation = .source(from, caFile: target.caFile, includeExpired: includeExpired)
        } else {
            throw PipelineError(.usage, "verify needs --manifest FILE or --from URL")
        }
        let report = try await VerifyRun.run(expectation, target: checked)
        let output = TextOutput.standardOutput()
        output.write(report.render(json: format == .json, all: all))
        try output.check()
        throw ExitCode(report.exitStatus)
    }
}
