import CertificateAPI
import Foundation
import Logging
import PKCS12Kit

/// What `certdrop serve` is asked for, as Hummingbird's `buildApplication(arguments)` takes its arguments: the
/// command line fills it in, ``ServeSetup/prepare(_:logger:)`` turns it into a key file and a configuration.
public struct ServeArguments: Sendable {
    /// The SQLite store file; `nil` for the home's (``ServiceHome/storePath``).
    public var store: String?
    /// The key file; `nil` for the one beside the store (``ServiceHome/keyFilePath(forStore:)``).
    public var keyFile: String?
    /// The home that the default store is in.
    public var home: ServiceHome
    /// The address to listen on.
    public var host: String
    /// The port; `0` picks a free one.
    public var port: Int
    /// The ARM service name answered to.
    public var instance: String
    /// The ARM subscription answered to, or `nil` for any.
    public var subscription: String?
    /// The ARM resource group answered to, or `nil` for any.
    public var resourceGroup: String?
    /// What `nextLink` URLs start with.
    public var publicURL: String?
    /// The folder that stands in for Key Vault (``LocalKeyVault``).
    public var keyVaultDirectory: String?
    /// What a commit survives.
    public var durability: SQLiteCertificateStore.Durability
    /// The most key-derivation iterations an uploaded PKCS#12 file may ask for.
    public var maxIterations: Int
    /// Use a key file that other users can read or write.
    public var allowInsecureKeyFile: Bool
    /// Timeouts and the connection cap.
    public var connectionLimits: ConnectionLimits
    /// Threads that open uploaded PKCS#12 files; `nil` for one per active processor.
    public var pkcs12Workers: Int?
    /// Uploads that may wait for a PKCS#12 thread; `nil` for the default.
    public var pkcs12Queue: Int?
    /// Faults to inject.
    public var faults: FaultInjection

    /// `certdrop serve`'s defaults: `127.0.0.1:8080`, the instance `certdrop`, the home's store and key file.
    public init(home: ServiceHome = ServiceHome()) {
        self.home = home
        host = "127.0.0.1"
        port = 8080
        instance = ServiceConfiguration.defaultInstanceName
        durability = .processCrash
        maxIterations = 1_000_000
        allowInsecureKeyFile = false
        connectionLimits = ConnectionLimits()
        faults = FaultInjection()
    }
}

/// `certdrop serve`'s start up to the server: the key file read, or created with mode `0600` (never replaced), and
/// the configuration made from the arguments.
public struct ServeSetup: Sendable {
    /// What was found at the key file's path.
    public enum KeyFileState: Sendable, Hashable {
        /// There was none: a new identifier with two keys was written.
        case created
        /// An existing key file that only its owner can read.
        case existing
        /// An existing key file that other users can read or write, used because the arguments allow it.
        case existingShared
    }

    /// The configuration to start the server with.
    public let configuration: ServiceConfiguration
    /// The store file.
    public let storePath: String
    /// The key file.
    public let keyFilePath: String
    /// Whether the key file was created now, or was there (shared or not).
    public let keyFileState: KeyFileState

    /// Reads or creates the key file and makes the configuration.
    /// - Throws: ``CertificateServiceError`` from ``AccessKeyFile/loadOrCreate(path:allowInsecure:)``: detail
    ///   `key-file-insecure` (the message says the `chmod 600` that fixes it), `key-file-unreadable`,
    ///   `key-file-too-large` or `key-file`.
    public static func prepare(_ arguments: ServeArguments, logger: Logger) throws(CertificateServiceError)
        -> ServeSetup
    {
        let storePath = arguments.store ?? arguments.home.storePath
        let keyPath = arguments.keyFile ?? ServiceHome.keyFilePath(forStore: storePath)
        let (keys, created) = try AccessKeyFile.loadOrCreate(
            path: keyPath, allowInsecure: arguments.allowInsecureKeyFile)
        let state: KeyFileState =
            created ? .created : AccessKeyFile.isShared(path: keyPath) ? .existingShared : .existing
        var configuration = ServiceConfiguration(
            store: .file(storePath), accessKeys: keys, host: arguments.host, port: arguments.port,
            instanceName: arguments.instance, logger: logger)
        configuration.subscriptionId = arguments.subscription
        configuration.resourceGroupName = arguments.resourceGroup
        configuration.publicBaseURL = arguments.publicURL
        configuration.durability = arguments.durability
        configuration.faults = arguments.faults
        configuration.keyVault = arguments.keyVaultDirectory.map(LocalKeyVault.init(root:))
        configuration.pkcs12Options = PKCS12Options(maxIterations: arguments.maxIterations)
        configuration.pkcs12Pool = PKCS12WorkPool.Configuration(
            width: arguments.pkcs12Workers ?? PKCS12WorkPool.Configuration.defaultWidth,
            queueLimit: arguments.pkcs12Queue)
        configuration.connectionLimits = arguments.connectionLimits
        return ServeSetup(
            configuration: configuration, storePath: storePath, keyFilePath: keyPath, keyFileState: state)
    }
}
