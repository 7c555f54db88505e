import Foundation

/// How long the service waits for a client, and how many clients it serves at once, so that slow or idle clients
/// cannot hold its connections:
///
/// - ``idleTimeout``: a connection with no request in progress and no request bytes for this long is closed
///   (Hummingbird's `HTTP1Channel` idle timeout; it also bounds a request whose parts stop arriving);
/// - ``headerTimeout``: a request head (request line and headers) must be complete within this time of its first
///   byte, else the service answers `408 Request Timeout` (when no other response is owed on the connection) and
///   closes the connection;
/// - ``bodyTimeout``: a request body must be complete within this time of the end of its head, else the
///   connection is closed (the request gets no response);
/// - ``maxConnections``: a connection beyond this many open ones is answered `503 ServiceUnavailable` (the
///   contract's error body, detail `connection-limit`, `Retry-After: 1`) and closed at once.
///
/// Each refusal is counted in `/metrics` as `certdrop_limits_refused_total{kind}` (`header-timeout`,
/// `body-timeout`, `connection-limit`, `pkcs12-queue-full`).
public struct ConnectionLimits: Hashable, Sendable {
    /// Closes a connection with nothing in progress after this long. Default 60 s.
    public var idleTimeout: Duration
    /// Bounds reading a request head, from its first byte. Default 10 s.
    public var headerTimeout: Duration
    /// Bounds reading a request body, from the end of its head. Default 60 s.
    public var bodyTimeout: Duration
    /// The most connections open at once. Default 512.
    public var maxConnections: Int

    /// Makes limits; the defaults suit a service on a trusted network.
    public init(
        idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(60),
        maxConnections: Int = 512
    ) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
    }

    /// Checks the values.
    /// - Throws: ``CertificateServiceError/Code/invalidRequest`` (detail `invalid-limit`) for a timeout that is
    ///   not positive or a connection cap below 1.
    public func validate() throws(CertificateServiceError) {
        func invalid(_ message: String) -> CertificateServiceError {
            CertificateServiceError(.invalidRequest, message, detailCode: "invalid-limit")
        }
        guard idleTimeout > .zero else { throw invalid("the idle timeout must be positive") }
        guard headerTimeout > .zero else { throw invalid("the header timeout must be positive") }
        guard bodyTimeout > .zero else { throw invalid("the body timeout must be positive") }
        guard maxConnections >= 1 else { throw invalid("the connection cap must be 1 or more") }
    }
}
