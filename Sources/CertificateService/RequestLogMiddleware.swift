import CertificateAPI
import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: turns every error into the contract's error body, tells `404` from `405`, counts the
/// request in the metrics and writes one log line for it.
///
/// The log line holds the method, the path (without the query, which may carry `password`), the route template,
/// the status and the duration; never a header (so never `Authorization`) and never a body.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let metrics: ServiceMetrics
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.errorResponse(for: error, request: request, context: context)
        }
        if request.method == .head {
            // A HEAD response has no body, errors included.
            response.body = ResponseBody()
        }
        let duration = start.duration(to: .now)
        let endpoint = context.endpointPath
        let route = endpoint == nil || endpoint == "NotFound" ? "unmatched" : endpoint ?? "unmatched"
        let status = response.status.code
        metrics.record(method: request.method.rawValue, route: route, status: status, duration: duration)
        let milliseconds = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
        logger.log(
            level: status >= 500 ? .warning : .info, "request",
            metadata: [
                "method": "\(request.method.rawValue)",
                "path": "\(Self.loggable(request.uri.path))",
                "route": "\(route)",
                "status": "\(status)",
                "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
            ])
        return response
    }

    /// The contract's error response for anything a handler threw.
    static func errorResponse(for error: any Error, request: Request, context: Context) -> Response {
        let serviceError: CertificateServiceError
        switch error {
        case let error as CertificateServiceError:
            serviceError = error
        case let error as HTTPError where error.status == .notFound && context.endpointPath == "NotFound":
            serviceError = notFound(request)
        case let error as any HTTPResponseError where error.status == .contentTooLarge:
            serviceError = CertificateServiceError(
                .requestTooLarge, "the request body is larger than \(CertificateUpload.maximumBodySize) bytes",
                target: "body")
        case let error as any HTTPResponseError where (400..<500).contains(error.status.code):
            serviceError = CertificateServiceError(
                .invalidRequest, "the request is not valid: \(error.status.reasonPhrase)",
                detailCode: "http-\(error.status.code)")
        default:
            context.logger.error("unexpected error", metadata: ["error.type": "\(type(of: error))"])
            serviceError = CertificateServiceError(.internalError, "the service failed unexpectedly")
        }
        do {
            return try serviceError.response(from: request, context: context)
        } catch {
            return Response(status: .internalServerError)
        }
    }

    /// `405` with `Allow` for a known path, else `404`.
    static func notFound(_ request: Request) -> CertificateServiceError {
        guard let route = KnownRoute.route(forPath: request.uri.path) else {
            return CertificateServiceError(
                .resourceNotFound, "no resource has the path \(loggable(request.uri.path))", detailCode: "no-such-path")
        }
        return CertificateServiceError(
            .methodNotAllowed,
            "the method \(RequestReader.quoted(request.method.rawValue)) is not allowed here; allowed: "
                + route.allowHeader,
            target: "method", headers: ["Allow": route.allowHeader])
    }

    /// A path cut to 200 characters, for logs and messages.
    static func loggable(_ path: String) -> String {
        path.utf8.count <= 200 ? path : String(path.prefix(200)) + "…"
    }
}
