import ArgumentParser
import CertificateService
import Foundation
import Logging
import PKCS12Kit

/// `certdrop serve`: the local certificate service, both API dialects over one SQLite store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the local certificate service: the legacy and the ARM API over one SQLite store.",
        discussion: """
            The store defaults to .certdrop/service.sqlite in the working folder, or to \
            $CERTDROP_HOME/service.sqlite. On first start an access identifier with a primary and a secondary key is \
            written to a key file beside the store (mode 0600); `certdrop token` mints credentials from it. The \
            service prints 'listening on http://HOST:PORT' once it accepts connections, and stops gracefully on \
            SIGINT or SIGTERM.

            A key file that other users can read or write (mode & 077) is refused unless \
            --allow-insecure-key-file is given; the message says the chmod 600 that fixes it.

            Limits: a request head must arrive within --header-timeout of its first byte (else 408 and the \
            connection is closed), its body within --body-timeout of the head (else the connection is closed); a \
            connection with nothing in progress is closed after --idle-timeout; a connection beyond \
            --max-connections is answered 503 and closed. Uploaded PKCS#12 files are opened on --pkcs12-workers \
            threads of their own, with at most --pkcs12-queue more waiting; an upload beyond that is answered 503 \
            with Retry-After: 1.

            Key Vault certificates (ARM PUT with properties.keyVault) are fetched from --key-vault-dir DIR, a folder \
            that stands in for Key Vault: https://VAULT.vault.azure.net/secrets/SECRET[/VERSION] names \
            DIR/VAULT/SECRET/VERSION.pfx (without a version, the .pfx modified last), with the password of a \
            protected PFX in DIR/VAULT/SECRET/VERSION.password (mode 0600, like the .pfx itself; never on the \
            command line). POST …/certificates/ID/refreshSecret reads the secret again. Without --key-vault-dir, or \
            when the secret is missing, the certificate's keyVault.lastStatus says Failed with the reason.

            Exit status: 0 after a graceful stop, 1 when the service cannot start or fails (an insecure key file \
            included), 2 for usage errors.
            """
    )

    @Option(help: "The SQLite store file.")
    var store: String?

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one and prints it.")
    var port = 8080

    @Option(help: "The ARM service name this instance answers to (…/service/NAME/certificates).")
    var instance = "certdrop"

    @Option(help: "Answer ARM requests for this subscription only (default: any).")
    var subscription: String?

    @Option(name: .customLong("resource-group"), help: "Answer ARM requests for this resource group only.")
    var resourceGroup: String?

    @Option(name: .customLong("key-file"), help: "The key file (default: beside the store, NAME.keys.json).")
    var keyFile: String?

    @Option(name: .customLong("public-url"), help: "The scheme, host and port that nextLink URLs start with.")
    var publicURL: String?

    @Option(
        name: .customLong("key-vault-dir"),
        help: ArgumentHelp(
            "A folder that stands in for Key Vault: DIR/VAULT/SECRET/VERSION.pfx (and VERSION.password).",
            valueName: "dir"))
    var keyVaultDirectory: String?

    @Option(help: "process (synchronous=NORMAL: a killed server loses nothing) or power (fsync every commit).")
    var durability = SQLiteCertificateStore.Durability.processCrash.rawValue

    @Option(
        name: .customLong("max-iterations"),
        help: "Refuse uploaded PKCS#12 files whose key derivation asks for more iterations than this.")
    var maxIterations = 1_000_000

    @Flag(
        name: .customLong("allow-insecure-key-file"),
        help: "Use a key file that other users can read or write (by default it is refused).")
    var allowInsecureKeyFile = false

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp("Close a connection with nothing in progress after this many seconds.", valueName: "s"))
    var idleTimeout = 60.0

    @Option(
        name: .customLong("header-timeout"),
        help: ArgumentHelp("A request head must arrive within this many seconds of its first byte.", valueName: "s"))
    var headerTimeout = 10.0

    @Option(
        name: .customLong("body-timeout"),
        help: ArgumentHelp("A request body must arrive within this many seconds of its head.", valueName: "s"))
    var bodyTimeout = 60.0

    @Option(name: .customLong("max-connections"), help: "The most connections open at once; more are answered 503.")
    var maxConnections = 512

    @Option(
        name: .customLong("pkcs12-workers"),
        help: "Threads that open uploaded PKCS#12 files (default: the number of active processors).")
    var pkcs12Workers: Int?

    @Option(
        name: .customLong("pkcs12-queue"),
        help: "Uploads that may wait for a PKCS#12 thread; more are answered 503 (default: 4 per thread, at least 8).")
    var pkcs12Queue: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = Logger.Level.info.rawValue

    @OptionGroup(title: "Fault injection (certificate routes only; off by default)")
    var faults: FaultOptions

    func validate() throws {
        try NumericBounds.check(port, NumericBounds.port, "--port")
        try NumericBounds.check(maxIterations, NumericBounds.maxIterations, "--max-iterations")
        try NumericBounds.check(idleTimeout, NumericBounds.serviceTimeoutSeconds, "--idle-timeout", unit: "seconds")
        try NumericBounds.check(headerTimeout, NumericBounds.serviceTimeoutSeconds, "--header-timeout", unit: "seconds")
        try NumericBounds.check(bodyTimeout, NumericBounds.serviceTimeoutSeconds, "--body-timeout", unit: "seconds")
        try NumericBounds.check(maxConnections, NumericBounds.maxConnections, "--max-connections")
        if let pkcs12Workers { try NumericBounds.check(pkcs12Workers, NumericBounds.pkcs12Workers, "--pkcs12-workers") }
        if let pkcs12Queue { try NumericBounds.check(pkcs12Queue, NumericBounds.pkcs12Queue, "--pkcs12-queue") }
        guard SQLiteCertificateStore.Durability(rawValue: durability) != nil else {
            throw ValidationError("--durability must be process or power")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
        }
        if let keyVaultDirectory {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: keyVaultDirectory, isDirectory: &isFolder), isFolder.boolValue
            else {
                throw ValidationError("--key-vault-dir must name an existing folder")
            }
        }
        guard !instance.isEmpty, !instance.contains("/") else {
            throw ValidationError("--instance must be a non-empty name without '/'")
        }
        do {
            try faults.injection.validate()
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        let logger = Logger(label: "certdrop.serve") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return handler
        }
        do {
            let setup = try ServeSetup.prepare(arguments, logger: logger)
            let keyPath = setup.keyFilePath
            switch setup.keyFileState {
            case .created:
                Self.say(
                    """
                    created the access identifier '\(setup.configuration.accessKeys.identifier)' with a primary and a \
                    secondary key in \(keyPath) (mode 0600)
                    get a token:  certdrop token --key-file \(keyPath)            (legacy dialect, SharedAccessSignature)
                                  certdrop token --key-file \(keyPath) --bearer   (ARM dialect, Bearer)
                    """)
            case .existingShared:
                logger.warning(
                    "the key file can be read by other users (accepted with --allow-insecure-key-file); chmod 600 it",
                    metadata: ["path": "\(keyPath)"])
            case .existing:
                break
            }
            let configuration = setup.configuration
            let storePath = setup.storePath
            if configuration.faults.isEnabled {
                Self.say("fault injection on: \(faults.summary)")
            }
            let server = try CertificateServer(configuration: configuration)
            let host = self.host
            let instance = self.instance
            try await server.run { port in
                let shown = host.contains(":") ? "[\(host)]" : host
                Self.say("listening on http://\(shown):\(port) (instance '\(instance)', store \(storePath))")
            }
            Self.say("stopped")
        } catch let error as CertificateServiceError {
            FileHandle.standardError.write(Data("certdrop serve: \(error.message)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("certdrop serve: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The options as the library takes them.
    var arguments: ServeArguments {
        var arguments = ServeArguments()
        arguments.store = store
        arguments.keyFile = keyFile
        arguments.host = host
        arguments.port = port
        arguments.instance = instance
        arguments.subscription = subscription
        arguments.resourceGroup = resourceGroup
        arguments.publicURL = publicURL
        arguments.keyVaultDirectory = keyVaultDirectory
        arguments.durability = SQLiteCertificateStore.Durability(rawValue: durability) ?? .processCrash
        arguments.maxIterations = maxIterations
        arguments.allowInsecureKeyFile = allowInsecureKeyFile
        arguments.connectionLimits = ConnectionLimits(
            idleTimeout: .seconds(idleTimeout), headerTimeout: .seconds(headerTimeout),
            bodyTimeout: .seconds(bodyTimeout), maxConnections: maxConnections)
        arguments.pkcs12Workers = pkcs12Workers
        arguments.pkcs12Queue = pkcs12Queue
        arguments.faults = faults.injection
        return arguments
    }

    /// Prints a line to standard output at once, so that a script waiting for it sees it.
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

/// `certdrop serve`'s fault-injection options.
struct FaultOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Delay every certificate request by this many milliseconds.", valueName: "ms"))
    var latency = 0

    @Option(name: .customLong("fail-rate"), help: ArgumentHelp("Answer 503 with this probability.", valueName: "p"))
    var failRate = 0.0

    @Option(help: ArgumentHelp("Answer 429 with Retry-After above this many requests per second.", valueName: "rps"))
    var throttle: Double?

    @Option(
        name: .customLong("drop-rate"),
        help: ArgumentHelp("Close the connection without an answer with this probability.", valueName: "p"))
    var dropRate = 0.0

    @Option(help: "The seed of the random draws, so that a run repeats (default: random, printed).")
    var seed: UInt64?

    /// A seed drawn once per process when `--seed` is absent.
    private static let randomSeed = UInt64.random(in: 0...UInt64(UInt32.max))

    var injection: FaultInjection {
        FaultInjection(
            latency: .milliseconds(max(0, latency)), failRate: failRate, throttle: throttle, dropRate: dropRate,
            seed: seed ?? Self.randomSeed)
    }

    var summary: String {
        "latency \(latency) ms, fail rate \(failRate), throttle \(throttle.map { "\($0)/s" } ?? "none"), "
            + "drop rate \(dropRate), seed \(injection.seed)"
    }

    func validate() throws {
        try NumericBounds.check(latency, NumericBounds.latencyMilliseconds, "--latency", unit: "milliseconds")
        try NumericBounds.check(failRate, NumericBounds.probability, "--fail-rate")
        try NumericBounds.check(dropRate, NumericBounds.probability, "--drop-rate")
        if let throttle {
            try NumericBounds.check(throttle, NumericBounds.throttle, "--throttle", unit: "requests per second")
        }
    }
}
