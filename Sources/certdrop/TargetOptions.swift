import ArgumentParser
import CertificateAPI
import CertificateClient
import DropPipeline
import Foundation

/// Which service instance to talk to, and how to prove who we are. With no `--service`, the embedded local
/// service (under `.certdrop/` or `$CERTDROP_HOME`) is started in-process.
struct TargetOptions: ParsableArguments {
    @Option(help: "The service's base URL. Without it, the embedded local service is used.")
    var service: String?

    @Option(help: "legacy (/certificates, shared access signatures) or arm (Azure Resource Manager, bearer tokens).")
    var dialect: Dialect = .legacy

    @Option(help: "ARM: the subscription id.")
    var subscription: String?

    @Option(name: .customLong("resource-group"), help: "ARM: the resource group.")
    var resourceGroup: String?

    @Option(help: "ARM: the API Management service (instance) name.")
    var instance: String?

    @Option(name: .customLong("api-version"), help: "The api-version to send (default: the dialect's newest).")
    var apiVersion: String?

    @Option(name: .customLong("sas-token-file"), help: "Legacy: a file holding a shared access signature.")
    var sasTokenFile: String?

    @Option(name: .customLong("sas-id"), help: "Legacy: the access identifier to mint signatures for.")
    var sasID: String?

    @Option(name: .customLong("sas-key-file"), help: "Legacy: a file with the access key (or the service's key file).")
    var sasKeyFile: String?

    @Flag(
        name: .customLong("allow-insecure-key-file"),
        help: "Use key files (--sas-key-file, the embedded service's, verify's --from/--to) others can read or write.")
    var allowInsecureKeyFile = false

    @Option(name: .customLong("token-file"), help: "ARM: a file holding a bearer token.")
    var tokenFile: String?

    @Option(name: .customLong("token-command"), help: "ARM: a command that prints a bearer token.")
    var tokenCommand: String?

    @Option(name: .customLong("ca-file"), help: "A PEM CA to trust besides the system's.")
    var caFile: String?

    @OptionGroup var retry: RetryOptions

    mutating func validate() throws {
        if let apiVersion, !dialect.supports(apiVersion: apiVersion) {
            throw ValidationError("api-version \(apiVersion) is not one of the \(dialect.rawValue) dialect's")
        }
        guard service != nil else {
            let remoteOnly = [sasTokenFile, sasID, sasKeyFile, tokenFile, tokenCommand, subscription, resourceGroup]
            if remoteOnly.contains(where: { $0 != nil }) {
                throw ValidationError("credentials and ARM scope options need --service")
            }
            return
        }
        switch dialect {
        case .legacy:
            guard sasTokenFile != nil || sasKeyFile != nil else {
                throw ValidationError("the legacy dialect needs --sas-token-file, or --sas-id with --sas-key-file")
            }
        case .arm:
            guard subscription != nil, resourceGroup != nil, instance != nil else {
                throw ValidationError("the arm dialect needs --subscription, --resource-group and --instance")
            }
            guard tokenFile != nil || tokenCommand != nil else {
                throw ValidationError("the arm dialect needs --token-file or --token-command")
            }
        }
    }

    /// The service these options name, for ``ServiceConnection``.
    /// `observer` sees every attempt of the client (`--concurrency auto`).
    func request(concurrency: Int, observer: (any AttemptObserver)? = nil) throws -> ServiceConnection.Request {
        ServiceConnection.Request(
            try place(), concurrency: concurrency, retry: retry.policy, allowInsecureKeyFile: allowInsecureKeyFile,
            observer: observer)
    }

    /// `--service` with its target and credentials, or the embedded local service.
    func place() throws -> ServiceConnection.Place {
        guard let service else { return .embedded() }
        let version = apiVersion ?? dialect.defaultAPIVersion
        switch dialect {
        case .legacy:
            let target = ServiceTarget.legacy(baseURL: service, apiVersion: version)
            if let sasTokenFile { return .remote(target, .tokenFile(sasTokenFile), caFile: caFile) }
            guard let sasKeyFile else { throw ValidationError("no credentials") }
            let source = CredentialSource.keyFile(
                sasKeyFile, identifier: sasID, bareKeyHint: "--sas-key-file needs --sas-id")
            return .remote(target, source, caFile: caFile)
        case .arm:
            guard let subscription, let resourceGroup, let instance else { throw ValidationError("no ARM scope") }
            let scope = ARMServiceScope(
                subscriptionId: subscription, resourceGroupName: resourceGroup, serviceName: instance)
            let target = ServiceTarget.arm(baseURL: service, scope: scope, apiVersion: version)
            if let tokenFile { return .remote(target, .tokenFile(tokenFile), caFile: caFile) }
            guard let tokenCommand else { throw ValidationError("no credentials") }
            return .remote(target, .tokenCommand(tokenCommand), caFile: caFile)
        }
    }
}

/// How long a request may take and how often it is tried: the client options every command that calls a service
/// shares.
struct RetryOptions: ParsableArguments {
    @Option(help: "Seconds before a request is given up (and retried).")
    var timeout: Double = 30

    @Option(name: .customLong("max-attempts"), help: "The most attempts per request.")
    var maxAttempts = 6

    mutating func validate() throws {
        try NumericBounds.check(timeout, NumericBounds.timeoutSeconds, "--timeout", unit: "seconds")
        try NumericBounds.check(maxAttempts, NumericBounds.maxAttempts, "--max-attempts")
    }

    var policy: RetryPolicy { RetryPolicy(maxAttempts: maxAttempts, requestTimeout: timeout) }
}

extension Dialect: ExpressibleByArgument {}
