import ArgumentParser
import CertificateAPI
import CertificateClient
import DropPipeline
import Foundation
import Migration

/// The two instances of `diff`, `migrate` and `verify`: a profile that names both, and options that name (or
/// override) each side. Credentials are files, never values, so that no secret shows in a process list.
struct EndpointPairOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A JSON file naming both instances and their credential files.", valueName: "file"))
    var profile: String?

    @Option(
        name: .customLong("from"),
        help: ArgumentHelp(
            "The source instance's URL (an ARM service's resource URL reads as the arm dialect).", valueName: "url"))
    var from: String?

    @Option(name: .customLong("from-dialect"), help: "The source's dialect, when its URL does not say: legacy or arm.")
    var fromDialect: Dialect?

    @Option(
        name: .customLong("from-sas-key-file"),
        help: ArgumentHelp("The source's key file (or a CertDrop service's key file).", valueName: "file"))
    var fromKeyFile: String?

    @Option(
        name: .customLong("from-token-file"),
        help: ArgumentHelp("A file holding the source's token (signature or bearer).", valueName: "file"))
    var fromTokenFile: String?

    @Option(name: .customLong("to"), help: ArgumentHelp("The target instance's URL.", valueName: "url"))
    var to: String?

    @Option(name: .customLong("to-dialect"), help: "The target's dialect, when its URL does not say: legacy or arm.")
    var toDialect: Dialect?

    @Option(
        name: .customLong("to-sas-key-file"),
        help: ArgumentHelp("The target's key file (or a CertDrop service's key file).", valueName: "file"))
    var toKeyFile: String?

    @Option(
        name: .customLong("to-token-file"),
        help: ArgumentHelp("A file holding the target's token (signature or bearer).", valueName: "file"))
    var toTokenFile: String?

    /// The two sides, the profile's settings under the command line's; `nil` for a side nothing names.
    /// `allowInsecureKeyFile` (the command's `--allow-insecure-key-file`) lets both sides use key files that other
    /// users can read or write.
    func endpoints(allowInsecureKeyFile: Bool = false) throws -> (from: ServiceEndpoint?, to: ServiceEndpoint?) {
        let loaded = try profile.map { try MigrationProfile.load(path: $0) } ?? MigrationProfile()
        let allowInsecure = allowInsecureKeyFile
        func side(_ base: ServiceEndpoint?, _ url: String?, _ dialect: Dialect?, _ keyFile: String?, _ token: String?)
            -> ServiceEndpoint?
        {
            guard base != nil || url != nil || dialect != nil || keyFile != nil || token != nil else { return nil }
            var endpoint = (base ?? ServiceEndpoint()).overriding(
                service: url, dialect: dialect, sasKeyFile: keyFile, tokenFile: token)
            endpoint.allowInsecureKeyFile = allowInsecure
            return endpoint
        }
        return (
            side(loaded.from, from, fromDialect, fromKeyFile, fromTokenFile),
            side(loaded.to, to, toDialect, toKeyFile, toTokenFile)
        )
    }

    /// Whether the command line itself names the source.
    var namesSourceOnCommandLine: Bool {
        from != nil || fromDialect != nil || fromKeyFile != nil || fromTokenFile != nil
    }

    /// Both sides, each required.
    func pair(allowInsecureKeyFile: Bool = false) throws -> (from: ServiceEndpoint, to: ServiceEndpoint) {
        let (from, to) = try endpoints(allowInsecureKeyFile: allowInsecureKeyFile)
        guard let from else { throw PipelineError(.usage, "no source instance: give --from URL or --profile FILE") }
        guard let to else { throw PipelineError(.usage, "no target instance: give --to URL or --profile FILE") }
        return (from, to)
    }
}

/// How the client talks to both instances.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("ca-file"), help: "A PEM CA to trust besides the system's (both instances).")
    var caFile: String?

    @OptionGroup var retry: RetryOptions

    @Flag(
        name: .customLong("allow-insecure-key-file"),
        help: "Use key files (--from-sas-key-file, --to-sas-key-file) that other users can read or write.")
    var allowInsecureKeyFile = false

    /// The request that connects to `endpoint` as `role` (`--from`, `--to`).
    /// `observer` sees every attempt of its client (`--concurrency auto`).
    func request(
        _ endpoint: ServiceEndpoint, role: String, concurrency: Int = 2, observer: (any AttemptObserver)? = nil
    ) throws -> ServiceConnection.Request {
        try endpoint.request(
            role: role, concurrency: concurrency, caFile: caFile, retry: retry.policy, observer: observer)
    }
}

extension MigrationReportFormat: ExpressibleByArgument {}
