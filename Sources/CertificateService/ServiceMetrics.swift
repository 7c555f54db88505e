import Foundation
import Prometheus
import Synchronization

/// The service's counters, exposed in Prometheus' text format at `GET /metrics` and, for the concurrency figures,
/// as JSON at `GET /admin/stats`:
///
/// - `certdrop_http_requests_total{method, route, status}`: every answered request, by route template;
/// - `certdrop_http_request_duration_seconds{method, route}`: a latency histogram;
/// - `certdrop_http_requests_in_flight` and `certdrop_http_requests_in_flight_max`: certificate requests being
///   handled now, and the most ever handled at once (since start or the last reset);
/// - `certdrop_faults_injected_total{kind}`: injected faults, by kind (`drop`, `throttle`, `fail`);
/// - `certdrop_limits_refused_total{kind}`: requests and connections refused by a limit, by kind
///   (`connection-limit`, `header-timeout`, `body-timeout`, `pkcs12-queue-full`).
///
/// Each instance has its own registry (not the process-wide `MetricsSystem`), so that tests that run several
/// services in one process do not share numbers.
public final class ServiceMetrics: Sendable {
    /// The counters of concurrent certificate requests.
    public struct Concurrency: Hashable, Sendable, Codable {
        /// The most certificate requests ever in flight at once.
        public var maxInFlight: Int
        /// The certificate requests in flight now.
        public var inFlight: Int
        /// The certificate requests received in all.
        public var requests: Int
    }

    private let registry = PrometheusCollectorRegistry()
    private let concurrency = Mutex(Concurrency(maxInFlight: 0, inFlight: 0, requests: 0))
    private let inFlightGauge: Gauge
    private let maxInFlightGauge: Gauge

    /// Makes an empty set of counters.
    public init() {
        inFlightGauge = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "certdrop", subsystem: "http", metricName: "requests_in_flight", unitName: "",
                helpText: "Certificate requests being handled now."))
        maxInFlightGauge = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "certdrop", subsystem: "http", metricName: "requests_in_flight_max", unitName: "",
                helpText: "The most certificate requests handled at once."))
    }

    /// The concurrency figures now.
    public var snapshot: Concurrency { concurrency.withLock { $0 } }

    /// Sets the high-water mark back to the number in flight now, and the request count to zero.
    public func resetConcurrency() {
        let inFlight = concurrency.withLock { state in
            state.maxInFlight = state.inFlight
            state.requests = 0
            return state.inFlight
        }
        maxInFlightGauge.set(Double(inFlight))
    }

    /// Counts a certificate request in; call ``requestFinished()`` when it is answered.
    func requestStarted() {
        let (inFlight, maximum) = concurrency.withLock { state in
            state.inFlight += 1
            state.requests += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            return (state.inFlight, state.maxInFlight)
        }
        inFlightGauge.set(Double(inFlight))
        maxInFlightGauge.set(Double(maximum))
    }

    /// Counts a certificate request out.
    func requestFinished() {
        let inFlight = concurrency.withLock { state in
            state.inFlight -= 1
            return state.inFlight
        }
        inFlightGauge.set(Double(inFlight))
    }

    /// Records an answered request.
    func record(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.requestsTotal,
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.requestDuration, labels: [("method", method), ("route", route)], buckets: Self.buckets
        ).recordNanoseconds(Self.nanoseconds(duration))
    }

    /// Records an injected fault.
    func recordFault(_ kind: String) {
        registry.makeCounter(descriptor: Self.faultsTotal, labels: [("kind", kind)]).increment()
    }

    /// Records a request or connection refused by a limit (``ConnectionLimits``, ``PKCS12WorkPool``).
    func recordRefusal(_ kind: String) {
        registry.makeCounter(descriptor: Self.refusedTotal, labels: [("kind", kind)]).increment()
    }

    /// The metrics in Prometheus' text exposition format.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    private static var requestsTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "certdrop", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "Answered HTTP requests by method, route template and status.")
    }
    private static var requestDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "certdrop", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "Time from a request's arrival to its response, by method and route template.")
    }
    private static var faultsTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "certdrop", subsystem: "faults", metricName: "injected", unitName: "total",
            helpText: "Faults injected, by kind.")
    }
    private static var refusedTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "certdrop", subsystem: "limits", metricName: "refused", unitName: "total",
            helpText: "Requests and connections refused by a limit, by kind.")
    }
    private static let buckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
