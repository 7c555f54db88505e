import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

extension CertificateServer {
    /// Starts a service in the background and returns once it listens.
    ///
    /// ```swift
    /// let server = try await CertificateServer.start(configuration)   // configuration.port = 0: any free port
    /// defer { Task { try await server.shutdown() } }
    /// print(server.baseURL)                                           // http://127.0.0.1:54321
    /// ```
    /// - Throws: ``CertificateServiceError`` when the store cannot be opened or the faults are invalid, or the
    ///   server's error when it cannot listen (the port is taken).
    public static func start(_ configuration: ServiceConfiguration) async throws -> RunningServer {
        let server = try CertificateServer(configuration: configuration)
        return try await server.start()
    }

    /// Starts this server in the background and returns once it listens.
    public func start() async throws -> RunningServer {
        let bound = BoundPort()
        let application = buildApplication(onServerRunning: { port in bound.resolve(.success(port)) })
        let group = ServiceGroup(services: [application], logger: configuration.logger)
        let task = Task {
            do {
                try await group.run()
                bound.resolve(.failure(CertificateServiceError(.internalError, "the server stopped before listening")))
            } catch {
                bound.resolve(.failure(error))
                throw error
            }
        }
        let port: Int
        do {
            port = try await bound.value()
        } catch {
            _ = await task.result
            throw error
        }
        return RunningServer(
            host: configuration.host, port: port, group: group, task: task, repository: repository, pool: pkcs12Pool)
    }

    /// Runs the service until `SIGINT` or `SIGTERM`, then lets requests in flight finish and closes the store.
    /// - Parameter onRunning: Called with the bound port once the server listens.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let application = buildApplication(onServerRunning: onRunning)
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        pkcs12Pool.shutdown()
        try (repository as? SQLiteCertificateStore)?.close()
    }
}

/// A service started with ``CertificateServer/start(_:)``: where it listens, and how to stop it.
public final class RunningServer: Sendable {
    /// The address it listens on.
    public let host: String
    /// The port it listens on (the one picked when the configuration asked for `0`).
    public let port: Int
    /// The store it serves.
    public let repository: any CertificateRepository

    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let pool: PKCS12WorkPool

    init(
        host: String, port: Int, group: ServiceGroup, task: Task<Void, any Error>,
        repository: any CertificateRepository,
        pool: PKCS12WorkPool
    ) {
        self.host = host
        self.port = port
        self.group = group
        self.task = task
        self.repository = repository
        self.pool = pool
    }

    /// `http://{host}:{port}`, with an IPv6 host in brackets.
    public var baseURL: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// Stops accepting connections, lets requests in flight finish, and closes the store.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
        pool.shutdown()
        try (repository as? SQLiteCertificateStore)?.close()
    }
}

/// The port the server bound, delivered once from `onServerRunning` (or the failure to bind) to the caller of
/// ``CertificateServer/start()``.
private final class BoundPort: Sendable {
    private let state = Mutex<(result: Result<Int, any Error>?, waiter: CheckedContinuation<Int, any Error>?)>(
        (nil, nil))

    func resolve(_ result: Result<Int, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Int, any Error>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
