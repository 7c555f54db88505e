import CertificateAPI
import Foundation
import Logging
import PKCS12Kit

/// Everything one service instance needs: where it listens, where it keeps certificates, who may call it, and
/// which faults it injects.
///
/// ```swift
/// var configuration = ServiceConfiguration(store: .file(".certdrop/service.sqlite"), accessKeys: keys)
/// configuration.port = 0          // any free port; RunningServer.port says which
/// let server = try await CertificateServer.start(configuration)
/// ```
public struct ServiceConfiguration: Sendable {
    /// The address to listen on; `127.0.0.1` unless the operator wants the service reachable from elsewhere.
    public var host: String
    /// The port; `0` picks a free one.
    public var port: Int
    /// Where certificates are kept.
    public var store: SQLiteCertificateStore.Location
    /// What a commit survives.
    public var durability: SQLiteCertificateStore.Durability
    /// The operator's access identifier and keys, for both dialects.
    public var accessKeys: AccessKeyFile
    /// The ARM service name (`…/service/{serviceName}/…`) this instance answers to; other names are `404`.
    public var instanceName: String
    /// The ARM subscription this instance answers to, or `nil` for any.
    public var subscriptionId: String?
    /// The ARM resource group this instance answers to, or `nil` for any.
    public var resourceGroupName: String?
    /// The scheme, host and port that `nextLink` starts with, such as `https://certs.example.test`; `nil` to use the
    /// request's `Host` header.
    public var publicBaseURL: String?
    /// Faults to inject into the certificate routes; off by default.
    public var faults: FaultInjection
    /// How the injected latency is waited out: `Task.sleep(for:)` by default. A test supplies its own to see each
    /// wait and to hold requests in flight until it lets them go, without depending on how fast the machine is.
    public var latencyPause: LatencyPause
    /// Limits for opening uploaded PKCS#12 files: ``PKCS12Kit/PKCS12Options/maxIterations`` (default 1,000,000) is
    /// checked before any key is derived.
    public var pkcs12Options: PKCS12Options
    /// How many uploaded PKCS#12 files are opened at once (default: one per active processor) and how many may wait
    /// (default: 4 per thread, at least 8) before an upload is refused with `503`.
    public var pkcs12Pool: PKCS12WorkPool.Configuration
    /// Timeouts and the connection cap.
    public var connectionLimits: ConnectionLimits
    /// The local Key Vault that Key Vault certificates are fetched from (``LocalKeyVault``), or `nil` for none:
    /// their `lastStatus` then says `Failed`.
    public var keyVault: LocalKeyVault?
    /// The logger for request logs and lifecycle messages.
    public var logger: Logger

    /// Makes a configuration that listens on `127.0.0.1:0`, answers to the service name `certdrop`, and injects no
    /// faults.
    public init(
        store: SQLiteCertificateStore.Location,
        accessKeys: AccessKeyFile,
        host: String = "127.0.0.1",
        port: Int = 0,
        instanceName: String = ServiceConfiguration.defaultInstanceName,
        logger: Logger = Logger(label: "certdrop.service")
    ) {
        self.host = host
        self.port = port
        self.store = store
        self.durability = .processCrash
        self.accessKeys = accessKeys
        self.instanceName = instanceName
        self.subscriptionId = nil
        self.resourceGroupName = nil
        self.publicBaseURL = nil
        self.faults = FaultInjection()
        self.latencyPause = FaultInjector.sleep
        self.pkcs12Options = PKCS12Options()
        self.pkcs12Pool = PKCS12WorkPool.Configuration()
        self.connectionLimits = ConnectionLimits()
        self.keyVault = nil
        self.logger = logger
    }

    /// The service name a new instance answers to: `certdrop`.
    public static let defaultInstanceName = "certdrop"
}

/// Where `certdrop serve` keeps its store and key file: `.certdrop/` in the working folder, or `$CERTDROP_HOME`.
public struct ServiceHome: Hashable, Sendable {
    /// The folder.
    public let folder: String

    /// The environment variable that names the folder: `CERTDROP_HOME`.
    public static let environmentVariable = "CERTDROP_HOME"

    /// The home for an environment and a working folder: `$CERTDROP_HOME` when set and not empty, else
    /// `{workingDirectory}/.certdrop`.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) {
        if let home = environment[Self.environmentVariable], !home.isEmpty {
            folder = home
        } else {
            folder = URL(fileURLWithPath: workingDirectory).appendingPathComponent(".certdrop").path
        }
    }

    /// The default store: `{folder}/service.sqlite`.
    public var storePath: String { URL(fileURLWithPath: folder).appendingPathComponent("service.sqlite").path }

    /// The key file that belongs to a store: beside it, named after it (`service.sqlite` → `service.keys.json`).
    public static func keyFilePath(forStore storePath: String) -> String {
        let store = URL(fileURLWithPath: storePath)
        let stem = store.deletingPathExtension().lastPathComponent
        return store.deletingLastPathComponent().appendingPathComponent(stem + ".keys.json").path
    }

    /// The default key file: `{folder}/service.keys.json`.
    public var keyFilePath: String { Self.keyFilePath(forStore: storePath) }
}
