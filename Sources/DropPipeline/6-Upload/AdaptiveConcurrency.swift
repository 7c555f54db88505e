import CertificateClient
import Dispatch
import Foundation

/// `--concurrency auto`: a semaphore whose permits follow an ``AdaptiveWindow``. The upload stage takes a permit
/// per upload (``acquire()``, ``release()``); the client reports every attempt to it (as its
/// ``AttemptObserver``), and the window moves by the rule of ``AdaptiveWindow``. When the window shrinks below the
/// uploads in flight, none is cut short: new ones wait until enough have ended.
///
/// Time comes from `clock`, so that latencies and pauses follow a test's clock. The default reads the monotonic
/// uptime clock (a `Date` whose reference is the machine's boot), which no change of the wall clock moves.
///
/// `@unchecked Sendable`: every mutable member is guarded by `condition`.
public final class AdaptiveConcurrency: AttemptObserver, @unchecked Sendable {
    /// One change of the window, for the trace.
    public struct Step: Sendable, Hashable {
        /// Seconds since the start.
        public let at: TimeInterval
        /// Why it changed.
        public let change: AdaptiveWindow.Change
        /// The window after the change.
        public let window: Int
    }

    /// What the window did in a run.
    public struct Statistics: Sendable, Hashable {
        /// The window at the start.
        public var initial: Int
        /// The window now.
        public var window: Int
        /// The largest window reached.
        public var largestWindow: Int
        /// The smallest window after the first change (the initial window before any).
        public var smallestWindow: Int
        /// The most uploads in flight at once.
        public var maxInFlight: Int
        /// Permits granted.
        public var acquired: Int
        /// `429`/`503` answers seen (each attempt counts).
        public var throttled: Int
        /// Changes by reason.
        public var changes: [AdaptiveWindow.Change: Int]
        /// The first ``AdaptiveConcurrency/traceLimit`` changes.
        public var trace: [Step]
        /// Changes left out of `trace` (past its limit).
        public var traceDropped: Int
    }

    /// The most changes kept in the trace.
    public static let traceLimit = 1024

    /// The monotonic clock.
    public static let monotonic: @Sendable () -> Date = {
        Date(timeIntervalSinceReferenceDate: Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
    }

    private let condition = NSCondition()
    private var state: AdaptiveWindow
    private var inFlight = 0
    private var statistics: Statistics
    private let clock: @Sendable () -> Date
    private let started: Date

    /// Makes a gate with the rules (`--max-concurrency` is ``AdaptiveWindow/Rules/maximum``).
    public init(rules: AdaptiveWindow.Rules = AdaptiveWindow.Rules(), clock: @escaping @Sendable () -> Date = monotonic)
    {
        state = AdaptiveWindow(rules: rules)
        self.clock = clock
        started = clock()
        statistics = Statistics(
            initial: state.window, window: state.window, largestWindow: state.window, smallestWindow: state.window,
            maxInFlight: 0,
            acquired: 0, throttled: 0, changes: [:], trace: [], traceDropped: 0)
    }

    /// The ceiling.
    public var maximum: Int { state.rules.maximum }

    /// The window now.
    public var window: Int { condition.withLock { state.window } }

    /// The rule's state now.
    public var current: AdaptiveWindow { condition.withLock { state } }

    /// What the window did so far.
    public var snapshot: Statistics { condition.withLock { statistics } }

    /// Takes a permit, blocking the calling thread (never a cooperative one) until the window has room and no
    /// pause is on.
    public func acquire() {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let now = clock()
            switch state.admits(inFlight: inFlight, now: now) {
            case .granted:
                grant()
                return
            case .full:
                condition.wait()
            case .paused(let until):
                // The pause is on `clock`; the wait is on the wall clock, for the same length.
                _ = condition.wait(until: Date().addingTimeInterval(max(0.001, until.timeIntervalSince(now))))
            }
        }
    }

    /// Takes a permit when one is free now (for a caller that must not block: it waits for an upload to end, or
    /// sleeps out the pause, and asks again).
    public func tryAcquire() -> AdaptiveWindow.Admission {
        condition.withLock {
            let admission = state.admits(inFlight: inFlight, now: clock())
            if admission == .granted { grant() }
            return admission
        }
    }

    /// Seconds from now on the gate's clock until `date` (a pause's end).
    public func seconds(until date: Date) -> TimeInterval { date.timeIntervalSince(clock()) }

    /// Gives a permit back.
    public func release() {
        condition.withLock {
            inFlight = max(0, inFlight - 1)
            condition.broadcast()
        }
    }

    public func attemptStarted() -> @Sendable (Int?, TimeInterval?) -> Void {
        let (sent, epoch) = condition.withLock { (clock(), state.epoch) }
        return { [self] status, retryAfter in
            condition.withLock {
                let now = clock()
                if let status, AdaptiveWindow.isThrottling(status) { statistics.throttled += 1 }
                let change = state.record(
                    status: status, retryAfter: retryAfter, sentIn: epoch, latency: now.timeIntervalSince(sent),
                    now: now)
                guard let change else { return }
                note(change, at: now)
                condition.broadcast()
            }
        }
    }

    private func grant() {
        inFlight += 1
        statistics.acquired += 1
        statistics.maxInFlight = max(statistics.maxInFlight, inFlight)
    }

    private func note(_ change: AdaptiveWindow.Change, at now: Date) {
        let window = state.window
        statistics.changes[change, default: 0] += 1
        statistics.smallestWindow = statistics.trace.isEmpty ? window : min(statistics.smallestWindow, window)
        statistics.window = window
        statistics.largestWindow = max(statistics.largestWindow, window)
        if statistics.trace.count < Self.traceLimit {
            statistics.trace.append(Step(at: now.timeIntervalSince(started), change: change, window: window))
        } else {
            statistics.traceDropped += 1
        }
    }
}
