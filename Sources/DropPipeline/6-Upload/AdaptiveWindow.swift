import Foundation

/// The rule behind `--concurrency auto`: how many uploads may be in flight, raised while the service keeps up and
/// lowered when it throttles or slows down (AIMD, as TCP Reno does with losses and TCP Vegas with delay).
///
/// Every answer the client gets (each attempt, retries included) is fed in with its latency:
///
/// - **Rounds.** Answers other than `429`/`503` are counted in rounds of `window` answers (the window when the
///   round began). The round ends exactly at its `window`-th answer, not one before, and its *smallest* latency is
///   compared with the baseline (the smallest latency ever seen): the smallest, as Linux's Vegas does, so that one
///   slow answer is no signal, only a standing queue where every answer of the round was slow.
/// - **Increase.** When the round's smallest latency is at most `max(baseline × latencyFactor, baseline +
///   latencySlack)`, the window grows: doubled while in slow start (from `initial`, until the first signal), else
///   by one. Never above `maximum`.
/// - **Latency rise.** When it is above that, the window shrinks: halved when it leaves slow start (the last
///   doubling overshot), else by one (Vegas). At a window of 1 nothing of ours queues, so the higher latency is the
///   service's new normal: the baseline moves up to it instead.
/// - **Throttling.** A `429` or `503` halves the window (× `decrease`, never below 1) and ends slow start, once per
///   burst: answers to attempts sent before that decrease do not decrease it again (TCP's one cut per window of
///   losses). A `Retry-After` on it pauses new uploads until then (at most `maxPause`), whatever the burst.
/// - **Everything else** (`2xx`, `409`, `500`…) is an answer the service kept up with: it counts in the round and
///   moves the baseline. An attempt without an answer (a dropped connection, a timeout) counts for nothing.
///
/// A value type with the time passed in, so that every rule is tested exactly; ``AdaptiveConcurrency`` holds one
/// behind a lock with a clock.
public struct AdaptiveWindow: Sendable, Hashable {
    /// The parameters of the rule.
    public struct Rules: Sendable, Hashable {
        /// The window at the start (at most `maximum`): 4, half the fixed default.
        public var initial: Int
        /// The ceiling (`--max-concurrency`).
        public var maximum: Int
        /// The factor a `429`/`503` multiplies the window by.
        public var decrease: Double
        /// A round whose smallest latency exceeds the baseline by this factor (and by `latencySlack`) is a rise.
        public var latencyFactor: Double
        /// The least rise that counts, in seconds, so that a 1 ms baseline on a local network does not make 3 ms
        /// of scheduling noise a signal.
        public var latencySlack: TimeInterval
        /// The longest pause a `Retry-After` can ask for, in seconds.
        public var maxPause: TimeInterval

        /// Makes rules; values out of range are brought into it (a window of at least 1, a `decrease` in
        /// `0.1...0.9`, a `latencyFactor` of at least 1.1).
        public init(
            initial: Int = 4, maximum: Int = 32, decrease: Double = 0.5, latencyFactor: Double = 2,
            latencySlack: TimeInterval = 0.010, maxPause: TimeInterval = 30
        ) {
            self.maximum = max(1, maximum)
            self.initial = min(max(1, initial), self.maximum)
            self.decrease = decrease.isFinite ? min(max(decrease, 0.1), 0.9) : 0.5
            self.latencyFactor = latencyFactor.isFinite ? max(latencyFactor, 1.1) : 2
            self.latencySlack = latencySlack.isFinite ? max(0, latencySlack) : 0.010
            self.maxPause = maxPause.isFinite ? max(0, maxPause) : 30
        }
    }

    /// Why the window changed.
    public enum Change: String, Sendable, Hashable, CaseIterable {
        /// A round kept up in slow start: doubled.
        case slowStart = "slow-start"
        /// A round kept up: one more.
        case additive
        /// A round's latency rose: halved (leaving slow start) or one fewer.
        case latency
        /// A `429` or `503`: multiplied by ``Rules/decrease``.
        case throttled
        /// A round at a window of 1 rose: the baseline moved up to it (the window stays 1).
        case rebase
    }

    /// Whether an upload may start now.
    public enum Admission: Sendable, Hashable {
        /// Yes.
        case granted
        /// No: the window is full; wait for an upload to end.
        case full
        /// No: the service asked for a pause until then.
        case paused(until: Date)
    }

    /// The parameters.
    public let rules: Rules
    /// How many uploads may be in flight now.
    public private(set) var window: Int
    /// Whether the window still doubles per round (until the first signal).
    public private(set) var slowStart = true
    /// The smallest latency seen (seconds); `nil` before the first answer.
    public private(set) var baseline: TimeInterval?
    /// New uploads wait until then (a `Retry-After`).
    public private(set) var pausedUntil: Date?
    /// Bumped by every throttling decrease; an attempt sent in an earlier epoch does not decrease again.
    public private(set) var epoch = 0
    /// Answers counted in the current round.
    public private(set) var answered = 0
    private var roundMinimum = TimeInterval.infinity

    /// A window at `rules.initial`, in slow start.
    public init(rules: Rules = Rules()) {
        self.rules = rules
        window = rules.initial
    }

    /// The latency above which a round is a rise: `max(baseline × latencyFactor, baseline + latencySlack)`.
    public var threshold: TimeInterval? {
        baseline.map { max($0 * rules.latencyFactor, $0 + rules.latencySlack) }
    }

    /// Whether an upload may start when `inFlight` are running at `now`.
    public func admits(inFlight: Int, now: Date) -> Admission {
        if let pausedUntil, now < pausedUntil { return .paused(until: pausedUntil) }
        return inFlight < window ? .granted : .full
    }

    /// Whether `status` says the service is overloaded: `429 Too Many Requests`, `503 Service Unavailable`.
    public static func isThrottling(_ status: Int) -> Bool { status == 429 || status == 503 }

    /// Feeds one attempt's answer: `status` (`nil`: none came), `retryAfter` (seconds), the `epoch` the attempt
    /// was sent in, its `latency` (seconds) and the time now. Returns how the window changed, if it did.
    @discardableResult
    public mutating func record(
        status: Int?, retryAfter: TimeInterval? = nil, sentIn sentEpoch: Int, latency: TimeInterval, now: Date
    ) -> Change? {
        guard let status else { return nil }
        if Self.isThrottling(status) {
            if let retryAfter, retryAfter.isFinite, retryAfter > 0 {
                let until = now.addingTimeInterval(min(retryAfter, rules.maxPause))
                pausedUntil = max(pausedUntil ?? until, until)
            }
            guard sentEpoch >= epoch else { return nil }
            window = max(1, Int((Double(window) * rules.decrease).rounded(.down)))
            slowStart = false
            epoch += 1
            newRound()
            return .throttled
        }
        let sample = latency.isFinite ? max(0, latency) : 0
        baseline = min(baseline ?? sample, sample)
        roundMinimum = min(roundMinimum, sample)
        answered += 1
        guard answered >= window, let threshold else { return nil }
        let rise = roundMinimum > threshold
        let minimum = roundMinimum
        newRound()
        if rise {
            if window == 1 {
                baseline = minimum
                return .rebase
            }
            window = slowStart ? max(1, window / 2) : window - 1
            slowStart = false
            return .latency
        }
        let grown = min(rules.maximum, slowStart ? window * 2 : window + 1)
        guard grown != window else { return nil }
        window = grown
        return slowStart ? .slowStart : .additive
    }

    private mutating func newRound() {
        answered = 0
        roundMinimum = .infinity
    }
}
