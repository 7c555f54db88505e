import CertDropTestSupport
import Foundation
import Synchronization
import Testing

@testable import DropPipeline

/// A flag set by one thread and read by another.
private final class GateFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

/// The gate of `--concurrency auto`: permits that follow the window, latencies and pauses on the injected clock.
@Suite struct AdaptiveConcurrencyTests {
    /// One attempt that takes `seconds` on `clock` and ends with `status`.
    func attempt(
        _ gate: AdaptiveConcurrency, _ clock: TestClock, status: Int? = 201, seconds: TimeInterval = 0.125,
        retryAfter: TimeInterval? = nil
    ) {
        let answered = gate.attemptStarted()
        clock.advance(seconds)
        answered(status, retryAfter)
    }

    @Test func permitsFollowTheWindow() {
        let clock = TestClock()
        let gate = AdaptiveConcurrency(rules: .init(initial: 2, maximum: 8), clock: clock.read)
        #expect(gate.tryAcquire() == .granted)
        #expect(gate.tryAcquire() == .granted)
        #expect(gate.tryAcquire() == .full)
        // A round of two answers doubles the window: two more permits.
        attempt(gate, clock)
        attempt(gate, clock)
        #expect(gate.window == 4)
        #expect(gate.tryAcquire() == .granted)
        #expect(gate.tryAcquire() == .granted)
        #expect(gate.tryAcquire() == .full)
        // A 429 halves it: the four in flight go on; a new one waits until two have ended.
        attempt(gate, clock, status: 429)
        #expect(gate.window == 2)
        gate.release()
        #expect(gate.tryAcquire() == .full)
        gate.release()
        gate.release()
        #expect(gate.tryAcquire() == .granted)
        #expect(gate.snapshot.maxInFlight == 4)
        #expect(gate.snapshot.acquired == 5)
    }

    @Test func latencyIsMeasuredOnTheClock() {
        let clock = TestClock()
        let gate = AdaptiveConcurrency(rules: .init(initial: 4, maximum: 8), clock: clock.read)
        attempt(gate, clock, seconds: 0.25)
        attempt(gate, clock, seconds: 0.125)
        #expect(gate.current.baseline == 0.125)
    }

    @Test func retryAfterPausesUntilTheClockGetsThere() {
        let clock = TestClock()
        let gate = AdaptiveConcurrency(rules: .init(initial: 4, maximum: 8), clock: clock.read)
        attempt(gate, clock, status: 429, seconds: 0, retryAfter: 3)
        let end = clock.now.addingTimeInterval(3)
        #expect(gate.tryAcquire() == .paused(until: end))
        #expect(gate.seconds(until: end) == 3)
        clock.advance(2.5)
        #expect(gate.tryAcquire() == .paused(until: end))
        clock.advance(0.5)
        #expect(gate.tryAcquire() == .granted)
    }

    @Test func aBlockedAcquireGoesOnWhenAPermitComesBack() async {
        let gate = AdaptiveConcurrency(rules: .init(initial: 1, maximum: 1))
        gate.acquire()
        let acquired = GateFlag()
        let thread = Thread {
            gate.acquire()
            acquired.set()
            gate.release()
        }
        thread.start()
        // The other thread cannot pass until the permit comes back.
        try? await Task.sleep(nanoseconds: 50_000_000)
        #expect(!acquired.isSet)
        gate.release()
        for _ in 0..<500 where !acquired.isSet {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(acquired.isSet)
    }

    @Test func aGrowingWindowWakesABlockedAcquire() async {
        let clock = TestClock()
        let gate = AdaptiveConcurrency(rules: .init(initial: 1, maximum: 4), clock: clock.read)
        gate.acquire()
        let acquired = GateFlag()
        let thread = Thread {
            gate.acquire()
            acquired.set()
        }
        thread.start()
        try? await Task.sleep(nanoseconds: 50_000_000)
        #expect(!acquired.isSet)
        // The permit is still held; the window grows to 2 and lets the second in.
        attempt(gate, clock)
        for _ in 0..<500 where !acquired.isSet {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(acquired.isSet)
        #expect(gate.snapshot.maxInFlight == 2)
    }

    @Test func theStatisticsTraceEveryChange() {
        let clock = TestClock()
        let gate = AdaptiveConcurrency(rules: .init(initial: 2, maximum: 8), clock: clock.read)
        attempt(gate, clock)
        attempt(gate, clock)
        attempt(gate, clock, status: 503)
        attempt(gate, clock, status: 500)
        let stats = gate.snapshot
        #expect(stats.trace.map(\.change) == [.slowStart, .throttled])
        #expect(stats.trace.map(\.window) == [4, 2])
        // Times on the test clock are exact: multiples of 1/8 s from a whole second.
        #expect(stats.trace.map(\.at) == [0.25, 0.375])
        #expect(stats.largestWindow == 4)
        #expect(stats.smallestWindow == 2)
        #expect(stats.throttled == 1)
        #expect(stats.changes == [.slowStart: 1, .throttled: 1])
    }

    @Test func theTraceIsCappedAndCountsWhatItLeftOut() {
        let clock = TestClock()
        let gate = AdaptiveConcurrency(rules: .init(initial: 1, maximum: 1), clock: clock.read)
        // Each 429 is sent after the last cut, so each is a change (1 → 1).
        let total = AdaptiveConcurrency.traceLimit + 7
        for _ in 0..<total { attempt(gate, clock, status: 429, seconds: 0) }
        let stats = gate.snapshot
        #expect(stats.trace.count == AdaptiveConcurrency.traceLimit)
        #expect(stats.traceDropped == 7)
        #expect(stats.changes[.throttled] == total)
        #expect(stats.throttled == total)
        #expect(stats.window == 1)
    }
}
