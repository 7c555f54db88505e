import CertificateAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import PKCS12Kit

/// The certificate service: both dialects of the contract over one store, with the operator's admin routes,
/// `/health` and `/metrics`.
///
/// Three ways to run it:
/// - ``start(_:)`` starts it in the background and returns a ``RunningServer`` with the bound port and a
///   ``RunningServer/shutdown()`` (the importer's embedded service, tests);
/// - ``run(onRunning:)`` runs it until `SIGINT` or `SIGTERM`, then shuts down gracefully (`certdrop serve`);
/// - ``buildApplication(onServerRunning:)`` gives the Hummingbird application, for `app.test(.router)`.
public struct CertificateServer: Sendable {
    /// The configuration.
    public let configuration: ServiceConfiguration
    /// The store.
    public let repository: any CertificateRepository
    /// The counters behind `/metrics` and `/admin/stats`.
    public let metrics: ServiceMetrics
    /// The threads that open uploaded PKCS#12 files, never on an event loop or the cooperative pool.
    public let pkcs12Pool: PKCS12WorkPool
    /// The connections open now, for the connection cap.
    let connections = ConnectionCounter()

    /// Opens the configured store and makes a server over it.
    /// - Throws: ``CertificateServiceError`` when the fault settings or the connection limits are invalid, or the
    ///   store cannot be opened.
    public init(configuration: ServiceConfiguration) throws(CertificateServiceError) {
        try configuration.faults.validate()
        try configuration.connectionLimits.validate()
        let store = try SQLiteCertificateStore(location: configuration.store, durability: configuration.durability)
        self.init(configuration: configuration, repository: store)
    }

    /// Makes a server over a repository of the caller's.
    public init(configuration: ServiceConfiguration, repository: any CertificateRepository) {
        OpenSSLRuntime.installFastKeyDerivation()  // fast PBES2 for the uploads (see the README, "Embedding")
        self.configuration = configuration
        self.repository = repository
        self.metrics = ServiceMetrics()
        self.pkcs12Pool = PKCS12WorkPool(configuration.pkcs12Pool)
    }

    /// The connections open now.
    public var openConnections: Int { connections.open }

    /// The application type the service builds.
    public typealias App = Application<RouterResponder<ServiceRequestContext>>

    /// Opens the configured store and builds the Hummingbird application over it, for `app.test(.router)`.
    public static func buildApplication(_ configuration: ServiceConfiguration) throws(CertificateServiceError) -> App {
        try CertificateServer(configuration: configuration).buildApplication()
    }

    /// Builds the Hummingbird application: HTTP/1 with the configured ``ConnectionLimits``.
    /// - Parameter onServerRunning: Called with the bound port once the server listens.
    public func buildApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> App {
        let limits = configuration.connectionLimits
        let connections = self.connections
        let metrics = self.metrics
        return Application(
            router: buildRouter(),
            server: HTTPServerBuilder { responder in
                GuardedHTTP1Channel(responder: responder, limits: limits, connections: connections, metrics: metrics)
            },
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "certdrop"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: configuration.logger)
    }

    /// Builds the router: the outermost middleware renders errors and logs; the certificate groups count requests
    /// in flight, authenticate, and only then inject faults, so that a request without valid credentials always
    /// gets `401`.
    public func buildRouter() -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self, options: [.caseInsensitive])
        router.add(middleware: RequestLogMiddleware(metrics: metrics, logger: configuration.logger))
        let metrics = self.metrics
        let instanceName = configuration.instanceName
        router.get("health") { _, _ -> Response in
            JSONBody.response(status: .ok, ["status": "ok", "instance": instanceName])
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }

        let injector =
            configuration.faults.isEnabled
            ? FaultInjector(configuration.faults, pause: configuration.latencyPause) : nil
        let routeMiddleware = CertificateRouteMiddleware(metrics: metrics)
        let validator = UploadValidator(
            options: configuration.pkcs12Options, pool: pkcs12Pool, metrics: metrics, keyVault: configuration.keyVault)
        let keys = configuration.accessKeys

        let legacy = router.group("certificates")
            .add(middleware: routeMiddleware)
            .add(middleware: AuthenticationMiddleware(.sharedAccessSignature, keys: keys))
        if let injector { legacy.add(middleware: FaultInjectionMiddleware(metrics: metrics, injector: injector)) }
        CertificateController(repository: repository, validator: validator, rendering: rendering(.legacy))
            .addRoutes(to: legacy)

        let arm = router.group(Self.armCollectionPath)
            .add(middleware: routeMiddleware)
            .add(middleware: AuthenticationMiddleware(.bearer, keys: keys))
        if let injector { arm.add(middleware: FaultInjectionMiddleware(metrics: metrics, injector: injector)) }
        CertificateController(repository: repository, validator: validator, rendering: rendering(.arm))
            .addRoutes(to: arm)

        let admin = router.group("admin").add(middleware: AuthenticationMiddleware(.sharedAccessSignature, keys: keys))
        AdminController(repository: repository, metrics: metrics).addRoutes(to: admin)
        return router
    }

    /// The ARM collection's route template.
    static let armCollectionPath = RouterPath(
        "subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.ApiManagement"
            + "/service/:serviceName/certificates")

    private func rendering(_ dialect: Dialect) -> DialectRendering {
        DialectRendering(
            dialect: dialect, instanceName: configuration.instanceName,
            subscriptionId: configuration.subscriptionId, resourceGroupName: configuration.resourceGroupName,
            publicBaseURL: configuration.publicBaseURL,
            fallbackAuthority: "\(configuration.host):\(configuration.port)")
    }
}
