import Foundation
import Testing

@testable import DropPipeline

/// Every rule of ``AdaptiveWindow`` at its edges, with the time passed in.
@Suite struct AdaptiveWindowTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    /// Feeds `count` answers of `status` with `latency`, all sent in the window's current epoch; returns the
    /// changes.
    @discardableResult
    func feed(
        _ window: inout AdaptiveWindow, _ count: Int, status: Int = 201, latency: TimeInterval = 0.1,
        retryAfter: TimeInterval? = nil
    ) -> [AdaptiveWindow.Change] {
        var changes: [AdaptiveWindow.Change] = []
        for _ in 0..<count {
            let change = window.record(
                status: status, retryAfter: retryAfter, sentIn: window.epoch, latency: latency, now: start)
            if let change { changes.append(change) }
        }
        return changes
    }

    /// A window out of slow start at `size`: doubled from 1 up to `size` (a power of two), then one `429`.
    func congestionAvoidance(at size: Int, maximum: Int = 64) -> AdaptiveWindow {
        var window = AdaptiveWindow(rules: .init(initial: size * 2, maximum: maximum))
        feed(&window, 1, status: 429)
        return window
    }

    @Test func startsSmallInSlowStart() {
        let window = AdaptiveWindow()
        #expect(window.window == 4)
        #expect(window.slowStart)
        #expect(window.baseline == nil)
        #expect(window.admits(inFlight: 0, now: start) == .granted)
    }

    @Test func slowStartDoublesExactlyAtTheEndOfARoundNotOneBefore() {
        var window = AdaptiveWindow(rules: .init(initial: 4, maximum: 64))
        #expect(feed(&window, 3).isEmpty)
        #expect(window.window == 4)
        #expect(window.answered == 3)
        #expect(feed(&window, 1) == [.slowStart])
        #expect(window.window == 8)
        #expect(window.answered == 0)
        // The next round is the new window's size.
        #expect(feed(&window, 7).isEmpty)
        #expect(feed(&window, 1) == [.slowStart])
        #expect(window.window == 16)
    }

    @Test func additiveIncreaseExactlyAtTheEndOfARoundNotOneBefore() {
        var window = congestionAvoidance(at: 5)
        #expect(window.window == 5)
        #expect(!window.slowStart)
        #expect(feed(&window, 4).isEmpty)
        #expect(window.window == 5)
        #expect(feed(&window, 1) == [.additive])
        #expect(window.window == 6)
        #expect(feed(&window, 5).isEmpty)
        #expect(feed(&window, 1) == [.additive])
        #expect(window.window == 7)
    }

    @Test func neverAboveTheMaximum() {
        var window = AdaptiveWindow(rules: .init(initial: 2, maximum: 5))
        #expect(feed(&window, 2) == [.slowStart])
        #expect(window.window == 4)
        // Doubling would give 8: it stops at 5.
        #expect(feed(&window, 4) == [.slowStart])
        #expect(window.window == 5)
        #expect(feed(&window, 50).isEmpty)
        #expect(window.window == 5)
        #expect(window.admits(inFlight: 4, now: start) == .granted)
        #expect(window.admits(inFlight: 5, now: start) == .full)
    }

    @Test func additiveIncreaseStopsAtTheMaximum() {
        var window = AdaptiveWindow(rules: .init(initial: 5, maximum: 5))
        feed(&window, 1, status: 429)
        #expect(window.window == 2)
        #expect(feed(&window, 2) == [.additive])
        #expect(feed(&window, 3) == [.additive])
        #expect(feed(&window, 4) == [.additive])
        #expect(window.window == 5)
        #expect(feed(&window, 20).isEmpty)
        #expect(window.window == 5)
    }

    @Test func rulesAreBroughtIntoRange() {
        let rules = AdaptiveWindow.Rules(initial: 100, maximum: 0, decrease: 2, latencyFactor: .nan)
        #expect(rules.maximum == 1)
        #expect(rules.initial == 1)
        #expect(rules.decrease == 0.9)
        #expect(rules.latencyFactor == 2)
        #expect(AdaptiveWindow.Rules(initial: 0).initial == 1)
        #expect(AdaptiveWindow.Rules(initial: 40, maximum: 32).initial == 32)
    }

    @Test(arguments: [429, 503])
    func throttlingHalvesTheWindow(status: Int) {
        var window = AdaptiveWindow(rules: .init(initial: 16, maximum: 64))
        #expect(feed(&window, 1, status: status) == [.throttled])
        #expect(window.window == 8)
        #expect(!window.slowStart)
        #expect(window.epoch == 1)
    }

    @Test(arguments: [200, 201, 204, 400, 404, 409, 412, 500, 502, 504])
    func otherStatusesDoNotDecrease(status: Int) {
        var window = AdaptiveWindow(rules: .init(initial: 16, maximum: 64))
        #expect(feed(&window, 1, status: status).isEmpty)
        #expect(window.window == 16)
        #expect(window.slowStart)
        #expect(window.answered == 1)
        #expect(window.epoch == 0)
    }

    @Test func noAnswerCountsForNothing() {
        var window = AdaptiveWindow(rules: .init(initial: 2, maximum: 64))
        let change = window.record(status: nil, retryAfter: 5, sentIn: 0, latency: 30, now: start)
        #expect(change == nil)
        #expect(window.answered == 0)
        #expect(window.baseline == nil)
        #expect(window.pausedUntil == nil)
        #expect(window.window == 2)
    }

    @Test func oneCutPerBurst() {
        var window = AdaptiveWindow(rules: .init(initial: 32, maximum: 64))
        // Three attempts sent at a window of 32 all come back 429: one cut.
        #expect(window.record(status: 429, sentIn: 0, latency: 0.1, now: start) == .throttled)
        #expect(window.record(status: 429, sentIn: 0, latency: 0.1, now: start) == nil)
        #expect(window.record(status: 503, sentIn: 0, latency: 0.1, now: start) == nil)
        #expect(window.window == 16)
        // One sent after the cut cuts again.
        #expect(window.record(status: 429, sentIn: 1, latency: 0.1, now: start) == .throttled)
        #expect(window.window == 8)
        #expect(window.epoch == 2)
    }

    @Test(arguments: [(1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (33, 16)])
    func throttlingNeverGoesBelowOne(size: Int, after: Int) {
        var window = AdaptiveWindow(rules: .init(initial: size, maximum: 64))
        #expect(feed(&window, 1, status: 429) == [.throttled])
        #expect(window.window == after)
    }

    @Test func aThrottlingCutStartsANewRound() {
        var window = AdaptiveWindow(rules: .init(initial: 8, maximum: 64))
        feed(&window, 7)
        #expect(window.answered == 7)
        feed(&window, 1, status: 429)
        #expect(window.answered == 0)
        #expect(feed(&window, 3).isEmpty)
        #expect(feed(&window, 1) == [.additive])
        #expect(window.window == 5)
    }

    @Test func retryAfterPausesNewUploadsUntilExactlyThen() {
        var window = AdaptiveWindow(rules: .init(initial: 8, maximum: 64))
        feed(&window, 1, status: 429, retryAfter: 2)
        let end = start.addingTimeInterval(2)
        #expect(window.pausedUntil == end)
        #expect(window.admits(inFlight: 0, now: start.addingTimeInterval(1.999)) == .paused(until: end))
        #expect(window.admits(inFlight: 0, now: end) == .granted)
        #expect(window.admits(inFlight: 4, now: end) == .full)
    }

    @Test func aLaterShorterRetryAfterDoesNotShortenThePause() {
        var window = AdaptiveWindow(rules: .init(initial: 8, maximum: 64))
        feed(&window, 1, status: 429, retryAfter: 5)
        // Sent before the cut: no second cut, but its Retry-After still counts (here it asks for less).
        #expect(window.record(status: 429, retryAfter: 1, sentIn: 0, latency: 0.1, now: start) == nil)
        #expect(window.pausedUntil == start.addingTimeInterval(5))
        #expect(window.record(status: 503, retryAfter: 7, sentIn: 0, latency: 0.1, now: start) == nil)
        #expect(window.pausedUntil == start.addingTimeInterval(7))
    }

    @Test func aPauseIsCappedAtMaxPause() {
        var window = AdaptiveWindow(rules: .init(initial: 8, maximum: 64, maxPause: 30))
        feed(&window, 1, status: 429, retryAfter: 86_400)
        #expect(window.pausedUntil == start.addingTimeInterval(30))
        var other = AdaptiveWindow()
        feed(&other, 1, status: 429, retryAfter: .infinity)
        #expect(other.pausedUntil == nil)
    }

    @Test func throttlingWithoutRetryAfterDoesNotPause() {
        var window = AdaptiveWindow(rules: .init(initial: 8, maximum: 64))
        feed(&window, 1, status: 503)
        feed(&window, 1, status: 429, retryAfter: 0)
        #expect(window.pausedUntil == nil)
        #expect(window.admits(inFlight: 0, now: start) == .granted)
    }

    @Test func theBaselineIsTheSmallestLatency() {
        var window = AdaptiveWindow(rules: .init(initial: 8, maximum: 64))
        feed(&window, 1, latency: 0.3)
        feed(&window, 1, latency: 0.1)
        feed(&window, 1, latency: 0.2)
        #expect(window.baseline == 0.1)
        // Throttled answers' latencies do not count.
        feed(&window, 1, status: 429, latency: 0.01)
        #expect(window.baseline == 0.1)
        #expect(window.threshold == 0.2)
    }

    /// Baseline 0.1 s, factor 2: a round whose smallest latency is 0.2 s or less keeps up, more is a rise.
    @Test(arguments: [
        (0.1998, false), (0.2, false), (0.2002, true),
    ])
    func latencyJustUnderAtAndJustOverTheFactor(latency: TimeInterval, rises: Bool) {
        var window = AdaptiveWindow(rules: .init(initial: 2, maximum: 64, latencyFactor: 2, latencySlack: 0.01))
        #expect(feed(&window, 2, latency: 0.1) == [.slowStart])
        #expect(window.threshold == 0.2)
        let changes = feed(&window, 4, latency: latency)
        if rises {
            // Leaving slow start: the last doubling is undone.
            #expect(changes == [.latency])
            #expect(window.window == 2)
            #expect(!window.slowStart)
        } else {
            #expect(changes == [.slowStart])
            #expect(window.window == 8)
            #expect(window.slowStart)
        }
    }

    /// Baseline 1/1024 s, slack 1/128 s (both exact in binary): the slack is larger than the factor's rise, so the
    /// threshold is the baseline plus the slack.
    @Test(arguments: [(-0.0001, false), (0, false), (0.0001, true)])
    func latencySlackOnASmallBaseline(offset: TimeInterval, rises: Bool) {
        let baseline = 1.0 / 1024
        let slack = 1.0 / 128
        var window = AdaptiveWindow(rules: .init(initial: 1, maximum: 64, latencyFactor: 2, latencySlack: slack))
        #expect(feed(&window, 1, latency: baseline) == [.slowStart])
        #expect(window.threshold == baseline + slack)
        let changes = feed(&window, 2, latency: baseline + slack + offset)
        #expect(changes == [rises ? .latency : .slowStart])
    }

    @Test func oneSlowAnswerInARoundIsNoRise() {
        var window = AdaptiveWindow(rules: .init(initial: 4, maximum: 64))
        feed(&window, 4, latency: 0.1)
        #expect(window.window == 8)
        feed(&window, 7, latency: 5)
        #expect(feed(&window, 1, latency: 0.15) == [.slowStart])
        #expect(window.window == 16)
    }

    @Test func aRiseOutOfSlowStartTakesOneOff() {
        var window = congestionAvoidance(at: 4)
        feed(&window, 1, latency: 0.1)
        #expect(feed(&window, 3, latency: 0.1) == [.additive])
        #expect(window.window == 5)
        #expect(feed(&window, 5, latency: 0.25) == [.latency])
        #expect(window.window == 4)
        #expect(feed(&window, 4, latency: 0.25) == [.latency])
        #expect(window.window == 3)
    }

    @Test func aRiseAtAWindowOfOneMovesTheBaseline() {
        var window = congestionAvoidance(at: 1)
        #expect(window.window == 1)
        #expect(feed(&window, 1, latency: 0.1) == [.additive])
        #expect(window.window == 2)
        #expect(feed(&window, 2, latency: 0.5) == [.latency])
        #expect(window.window == 1)
        // The service got slower on its own: at a window of 1 nothing of ours queues.
        #expect(feed(&window, 1, latency: 0.5) == [.rebase])
        #expect(window.window == 1)
        #expect(window.baseline == 0.5)
        #expect(feed(&window, 1, latency: 0.5) == [.additive])
        #expect(window.window == 2)
    }
}
