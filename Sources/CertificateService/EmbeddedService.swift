import CertificateAPI
import Foundation
import Logging

/// The embedded local service: the certificate service started in-process, on `127.0.0.1` and a free port, for a
/// command that names no service (`certdrop import`, `plan`, `list`, `expiring`, `verify` without `--service`).
///
/// It keeps its store and key file in a ``ServiceHome`` (`.certdrop/` in the working folder, or `$CERTDROP_HOME`):
/// the folder is created with mode `0700` when missing, the key file (``AccessKeyFile``) is read, or created with
/// mode `0600` on first use, and the store is opened. This is the one entry point through which the pipeline starts
/// the service.
///
/// ```swift
/// let service = try await EmbeddedService.start()
/// defer { Task { await service.shutdown() } }
/// print(service.baseURL, service.keys.identifier)   // http://127.0.0.1:54321 integration
/// ```
public struct EmbeddedService: Sendable {
    /// Why the service did not start.
    public enum Failure: Error, Sendable {
        /// The key file cannot be used: `message` says why (with the `chmod 600` that fixes an insecure one, never
        /// the file's contents); `insecure` when other users may read or write it.
        case keyFile(message: String, insecure: Bool)
        /// The home folder cannot be made, the store cannot be opened, or the server cannot listen.
        case start(any Error)
    }

    /// Where the store and the key file are.
    public let home: ServiceHome
    /// The access identifier and keys that the service accepts.
    public let keys: AccessKeyFile
    /// The running server.
    public let server: RunningServer

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { server.baseURL }

    /// How commands name it: `the embedded service (FOLDER)`.
    public var label: String { Self.label(home) }

    /// How commands name the service of `home`.
    public static func label(_ home: ServiceHome) -> String { "the embedded service (\(home.folder))" }

    /// The logger of an embedded service: warnings and worse only, so that a command's output stays its own.
    public static func defaultLogger() -> Logger {
        var logger = Logger(label: "certdrop.embedded")
        logger.logLevel = .warning
        return logger
    }

    /// Starts the service of `home` and returns once it listens.
    /// - Parameters:
    ///   - allowInsecureKeyFile: Use a key file that other users can read or write (`--allow-insecure-key-file`).
    /// - Throws: ``Failure/keyFile(message:insecure:)`` when the key file cannot be read or made;
    ///   ``Failure/start(_:)`` with the underlying error otherwise.
    public static func start(
        home: ServiceHome = ServiceHome(), allowInsecureKeyFile: Bool = false,
        logger: Logger = EmbeddedService.defaultLogger()
    ) async throws(Failure) -> EmbeddedService {
        do {
            try FileManager.default.createDirectory(
                atPath: home.folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .start(error)
        }
        let keys: AccessKeyFile
        do {
            keys = try AccessKeyFile.loadOrCreate(path: home.keyFilePath, allowInsecure: allowInsecureKeyFile).0
        } catch {
            throw .keyFile(message: error.message, insecure: error.detailCode == SecretFileError.Code.insecure.rawValue)
        }
        let configuration = ServiceConfiguration(store: .file(home.storePath), accessKeys: keys, logger: logger)
        do {
            let server = try await CertificateServer.start(configuration)
            return EmbeddedService(home: home, keys: keys, server: server)
        } catch {
            throw .start(error)
        }
    }

    /// Stops the server and closes the store.
    public func shutdown() async {
        try? await server.shutdown()
    }
}
