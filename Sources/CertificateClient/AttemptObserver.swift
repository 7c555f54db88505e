import Foundation

/// Sees every attempt ``CertificateServiceClient`` makes, retries included: `--concurrency auto` learns from
/// them how fast the service answers and when it throttles (DropPipeline's `AdaptiveConcurrency`).
public protocol AttemptObserver: Sendable {
    /// Called just before an attempt is sent. The closure it returns is called once, when the attempt ends, with
    /// the status (`nil` when no answer came: a dropped connection, a timeout) and the `Retry-After` in seconds.
    func attemptStarted() -> @Sendable (_ status: Int?, _ retryAfter: TimeInterval?) -> Void
}
