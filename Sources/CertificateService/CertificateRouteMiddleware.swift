import Hummingbird
import NIOCore

/// The middleware of the certificate routes (both dialects), outside authentication: counts requests in flight
/// and injects the configured faults (``FaultInjection``).
///
/// A request counts as in flight from its arrival until its response is ready, injected latency included, so that
/// `maxInFlight` shows how many requests a client had open at once.
struct CertificateRouteMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let metrics: ServiceMetrics
    /// The fault injector, or `nil` when no fault is configured.
    let injector: FaultInjector?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        metrics.requestStarted()
        defer { metrics.requestFinished() }
        if let injector {
            try await inject(injector, context: context)
        }
        return try await next(request, context)
    }

    private func inject(_ injector: FaultInjector, context: Context) async throws {
        if injector.faults.latency > .zero {
            try await Task.sleep(for: injector.faults.latency)
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
