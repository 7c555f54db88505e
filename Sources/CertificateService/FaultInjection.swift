import Foundation
import Synchronization

/// Faults the service injects into its certificate routes, so that clients can be tested against a slow, failing,
/// throttling or dropping service. All off by default; `/health`, `/metrics` and `/admin` are never affected.
/// Faults are injected after authentication: a request without valid credentials is answered `401`, never with
/// an injected fault, and draws nothing.
///
/// For each authenticated request, in this order: wait ``latency``; close the connection without a response with probability
/// ``dropRate``; answer `429 TooManyRequests` with `Retry-After` when more than ``throttle`` requests per second
/// arrive (a token bucket that holds one second's worth); answer `503 ServiceUnavailable` with probability
/// ``failRate``. The random draws come from a generator seeded with ``seed``, two per request whatever the rates,
/// so that the same seed and the same sequence of requests give the same faults.
public struct FaultInjection: Hashable, Sendable {
    /// A delay before every request is handled.
    public var latency: Duration
    /// The probability, 0...1, that a request fails with `503`.
    public var failRate: Double
    /// The most requests per second answered before `429`, or `nil` for no limit.
    public var throttle: Double?
    /// The probability, 0...1, that the connection is closed without a response.
    public var dropRate: Double
    /// The seed of the random draws.
    public var seed: UInt64

    /// No faults.
    public init(
        latency: Duration = .zero, failRate: Double = 0, throttle: Double? = nil, dropRate: Double = 0,
        seed: UInt64 = 0
    ) {
        self.latency = latency
        self.failRate = failRate
        self.throttle = throttle
        self.dropRate = dropRate
        self.seed = seed
    }

    /// Whether any fault is configured.
    public var isEnabled: Bool { latency > .zero || failRate > 0 || throttle != nil || dropRate > 0 }

    /// Checks the values.
    /// - Throws: ``CertificateServiceError/Code/invalidRequest`` (detail `invalid-fault`) for a rate outside
    ///   0...1, a throttle that is not positive, or a negative latency.
    public func validate() throws(CertificateServiceError) {
        func invalid(_ message: String) -> CertificateServiceError {
            CertificateServiceError(.invalidRequest, message, detailCode: "invalid-fault")
        }
        guard (0...1).contains(failRate) else { throw invalid("the fail rate must be from 0 to 1") }
        guard (0...1).contains(dropRate) else { throw invalid("the drop rate must be from 0 to 1") }
        guard latency >= .zero else { throw invalid("the latency must not be negative") }
        if let throttle, !(throttle > 0 && throttle.isFinite) {
            throw invalid("the throttle must be a positive number of requests per second")
        }
    }
}

/// How injected latency is waited out (``ServiceConfiguration/latencyPause``).
public typealias LatencyPause = @Sendable (Duration) async throws -> Void

extension FaultInjector {
    /// The real pause: `Task.sleep(for:)`.
    static let sleep: LatencyPause = { try await Task.sleep(for: $0) }
}

/// What the injector decided for one request.
enum FaultDecision: Hashable, Sendable {
    /// Handle the request normally.
    case pass
    /// Close the connection without a response.
    case drop
    /// `429` with `Retry-After: seconds`.
    case throttle(retryAfter: Int)
    /// `503`.
    case fail
}

/// The state behind ``FaultInjection``: the seeded generator and the token bucket, behind one lock.
final class FaultInjector: Sendable {
    let faults: FaultInjection
    /// Waits out the injected latency: `Task.sleep` unless the configuration supplies another clock.
    let pause: LatencyPause
    private let state: Mutex<State>

    private struct State {
        var generator: SplitMix64
        var tokens: Double
        var refilled: ContinuousClock.Instant
    }

    init(
        _ faults: FaultInjection, pause: @escaping LatencyPause = FaultInjector.sleep,
        now: ContinuousClock.Instant = .now
    ) {
        self.faults = faults
        self.pause = pause
        let capacity = max(1, faults.throttle ?? 1)
        state = Mutex(State(generator: SplitMix64(seed: faults.seed), tokens: capacity, refilled: now))
    }

    /// Decides the fate of one request arriving at `now`.
    func decide(now: ContinuousClock.Instant = .now) -> FaultDecision {
        state.withLock { state in
            let dropDraw = state.generator.nextUnit()
            let failDraw = state.generator.nextUnit()
            if dropDraw < faults.dropRate { return .drop }
            if let rate = faults.throttle {
                let capacity = max(1, rate)
                let elapsed = state.refilled.duration(to: now)
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                state.tokens = min(capacity, state.tokens + max(0, seconds) * rate)
                state.refilled = now
                if state.tokens < 1 {
                    let wait = (1 - state.tokens) / rate
                    return .throttle(retryAfter: max(1, Int(wait.rounded(.up))))
                }
                state.tokens -= 1
            }
            if failDraw < faults.failRate { return .fail }
            return .pass
        }
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64): the same seed gives the same sequence
/// on every platform.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A draw in `0..<1` with 53 bits of precision.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
