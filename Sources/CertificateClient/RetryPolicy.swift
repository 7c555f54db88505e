import Foundation

/// When and how long to wait before trying a request again: exponential backoff with full jitter, `Retry-After`
/// honoured, a cap on attempts and a deadline on every request.
public struct RetryPolicy: Sendable {
    /// The most attempts per request, the first included.
    public var maxAttempts: Int
    /// The first backoff's upper bound.
    public var baseDelay: TimeInterval
    /// The largest backoff (and the most a `Retry-After` is waited).
    public var maxDelay: TimeInterval
    /// The deadline of one request.
    public var requestTimeout: TimeInterval

    /// Makes a policy.
    public init(
        maxAttempts: Int = 6, baseDelay: TimeInterval = 0.2, maxDelay: TimeInterval = 30,
        requestTimeout: TimeInterval = 30
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.requestTimeout = requestTimeout
    }

    /// Statuses worth another try: throttling and the gateway's and service's passing failures.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 502 || status == 503 || status == 504
    }

    /// The wait before attempt `attempt + 1` (after `attempt` failures, 1-based): a uniform random duration
    /// between 0 and `min(maxDelay, baseDelay · 2^(attempt-1))`, but at least `retryAfter` when the service
    /// said how long to wait.
    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval?, random: Double) -> TimeInterval {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        let jittered = ceiling * min(max(random, 0), 1)
        guard let retryAfter else { return jittered }
        return min(maxDelay, max(retryAfter, jittered))
    }

    /// Reads `Retry-After`: seconds, or an HTTP date.
    public static func retryAfter(_ header: String?, now: Date = Date()) -> TimeInterval? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = Double(header), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: header) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
