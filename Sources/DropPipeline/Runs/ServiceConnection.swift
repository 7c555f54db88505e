import CertificateAPI
import CertificateClient
// The one place the pipeline reaches into the service: starting the embedded one (see ARCHITECTURE, "Modules").
internal import CertificateService
import Foundation

/// A connected client for a command's service: a remote instance, or the embedded local one started in-process.
///
/// Every command that talks to a service (`import`, `plan`, `list`, `expiring`, `diff`, `migrate`, `verify`) turns
/// its options into a ``Request`` and opens it here, so that targets, credentials and clients are made one way.
/// ``close()`` shuts the client down and stops the embedded service; ``with(_:_:)`` and ``with(_:then:_:)`` close
/// on every path, thrown errors included.
public struct ServiceConnection: Sendable {
    /// Where the service is.
    public enum Place: Sendable, Hashable {
        /// The embedded local service, its store and key file in `homeFolder` (`nil`: `.certdrop/` in the working
        /// folder, or `$CERTDROP_HOME`).
        case embedded(homeFolder: String? = nil)
        /// A remote instance, its credentials, and a PEM CA to trust besides the system's.
        case remote(ServiceTarget, CredentialSource, caFile: String?)
    }

    /// A service to connect to, and how.
    public struct Request: Sendable {
        /// Where the service is.
        public var place: Place
        /// The option that names it (`--service`, `--from`, `--to`), for messages.
        public var role: String
        /// The most requests in flight at once.
        public var concurrency: Int
        /// Deadlines and attempts per request.
        public var retry: RetryPolicy
        /// Use key files (the embedded service's, a `--sas-key-file`) that other users can read or write.
        public var allowInsecureKeyFile: Bool
        /// Sees every attempt the client makes (`--concurrency auto`).
        public var observer: (any AttemptObserver)?

        /// Makes a request.
        public init(
            _ place: Place, role: String = "--service", concurrency: Int, retry: RetryPolicy = RetryPolicy(),
            allowInsecureKeyFile: Bool = false, observer: (any AttemptObserver)? = nil
        ) {
            self.place = place
            self.role = role
            self.concurrency = concurrency
            self.retry = retry
            self.allowInsecureKeyFile = allowInsecureKeyFile
            self.observer = observer
        }
    }

    /// The client.
    public let client: CertificateServiceClient
    /// How messages name the service: its URL, or `the embedded service (FOLDER)`.
    public let label: String
    private let service: EmbeddedService?

    /// Opens a connection: for a remote place, its credentials and a client; for the embedded place, the service
    /// started (its home and key file made when missing) and a client signing with its key.
    /// - Throws: ``PipelineError``: `key-file-insecure`, `password-source` (a key or token file that cannot be
    ///   used), `usage`, `input` (a CA file that cannot be read); the embedded service's own error when it cannot
    ///   start (the store cannot be opened, the folder cannot be made).
    public static func open(_ request: Request) async throws -> ServiceConnection {
        switch request.place {
        case .remote(let target, let source, let caFile):
            do throws(ClientError) {
                let credentials = try source.provider(
                    for: target.dialect, role: request.role, allowInsecureKeyFile: request.allowInsecureKeyFile)
                let client = try CertificateServiceClient(
                    target: target, credentials: credentials, concurrency: request.concurrency, caFile: caFile,
                    retry: request.retry, observer: request.observer)
                return ServiceConnection(client: client, label: target.baseURL, service: nil)
            } catch {
                throw PipelineError(error)  // the client's codes as the pipeline's (usage, password-source, …)
            }
        case .embedded(let homeFolder):
            let home =
                homeFolder.map { ServiceHome(environment: [ServiceHome.environmentVariable: $0]) } ?? ServiceHome()
            let service: EmbeddedService
            do {
                service = try await EmbeddedService.start(
                    home: home, allowInsecureKeyFile: request.allowInsecureKeyFile)
            } catch {
                switch error {
                case .keyFile(let message, let insecure):
                    throw PipelineError(insecure ? .insecureKeyFile : .passwordSource, message)
                case .start(let underlying):
                    throw underlying
                }
            }
            do {
                let client = try CertificateServiceClient(
                    target: .legacy(baseURL: service.baseURL),
                    credentials: MintedSignatureCredential(
                        identifier: service.keys.identifier, key: service.keys.keys.primary),
                    concurrency: request.concurrency, retry: request.retry, observer: request.observer)
                return ServiceConnection(client: client, label: service.label, service: service)
            } catch {
                await service.shutdown()
                if let error = error as? ClientError { throw PipelineError(error) }
                throw error
            }
        }
    }

    /// Shuts the client down, then stops the embedded service; call once, when done.
    public func close() async {
        await client.shutdown()
        await service?.shutdown()
    }

    /// Opens `request`, runs `body` with the connection, and closes it whether `body` returns or throws.
    public static func with<T>(_ request: Request, _ body: (ServiceConnection) async throws -> T) async throws -> T {
        let connection = try await open(request)
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Opens `first`, then `second` (closing `first` when `second` cannot be opened), runs `body` with both, and
    /// closes both whether `body` returns or throws: no connection pool or embedded service is left open.
    /// `second` is made only once `first` is open, so that errors come in the order the options are used.
    public static func with<T>(
        _ first: Request, then second: @autoclosure () throws -> Request,
        _ body: (ServiceConnection, ServiceConnection) async throws -> T
    ) async throws -> T {
        try await with(first) { opened in
            try await with(try second()) { second in try await body(opened, second) }
        }
    }

    /// Everything the service holds (that `filter` passes).
    /// - Throws: ``PipelineError/Code/input``: `cannot list LABEL: …`.
    public func list(filter: String? = nil) async throws(PipelineError) -> [CertificateRecord] {
        do {
            return try await client.list(filter: filter)
        } catch {
            throw PipelineError(.input, "cannot list \(label): \(error.message)")
        }
    }
}

extension ServiceEndpoint {
    /// The request that connects to this endpoint: its target and its one credential source. `role` (`--from`,
    /// `--to`) goes into messages; the endpoint's own CA file wins over `caFile`.
    public func request(
        role: String, concurrency: Int, caFile defaultCAFile: String?, retry: RetryPolicy,
        observer: (any AttemptObserver)? = nil
    ) throws(ClientError) -> ServiceConnection.Request {
        let target = try target(role: role)
        let source = try credentialSource(for: target, role: role)
        return ServiceConnection.Request(
            .remote(target, source, caFile: caFile ?? defaultCAFile), role: role, concurrency: concurrency,
            retry: retry, allowInsecureKeyFile: allowInsecureKeyFile, observer: observer)
    }
}
