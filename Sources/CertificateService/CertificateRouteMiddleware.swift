import Hummingbird
import NIOCore

/// The outer middleware of the certificate routes (both dialects), outside authentication: counts requests in
/// flight.
///
/// A request counts as in flight from its arrival until its response is ready, injected latency included, so that
/// `maxInFlight` shows how many requests a client had open at once.
struct CertificateRouteMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let metrics: ServiceMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        metrics.requestStarted()
        defer { metrics.requestFinished() }
        return try await next(request, context)
    }
}

/// The inner middleware of the certificate routes, inside authentication: injects the configured faults
/// (``FaultInjection``). A request without valid credentials is answered `401` before it gets here, so it never
/// sees an injected fault, and it draws nothing from the seeded generator.
struct FaultInjectionMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let metrics: ServiceMetrics
    let injector: FaultInjector

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await inject(context: context)
        return try await next(request, context)
    }

    private func inject(context: Context) async throws {
        if injector.faults.latency > .zero {
            try await injector.pause(injector.faults.latency)
        }
        switch injector.decide() {
        case .pass:
            return
        case .drop:
            metrics.recordFault("drop")
            context.logger.info("fault injection: dropping the connection")
            // Closing the channel ends the exchange without a response; the client sees the connection close.
            try? await context.channel.close(mode: .all)
            throw CertificateServiceError(.serviceUnavailable, "the connection was dropped (fault injection)")
        case .throttle(let retryAfter):
            metrics.recordFault("throttle")
            throw CertificateServiceError(
                .tooManyRequests,
                "too many requests: the service answers at most \(injector.faults.throttle ?? 0) per second; "
                    + "retry after \(retryAfter) s (fault injection)",
                headers: ["Retry-After": String(retryAfter)])
        case .fail:
            metrics.recordFault("fail")
            throw CertificateServiceError(.serviceUnavailable, "the service is unavailable (fault injection)")
        }
    }
}
