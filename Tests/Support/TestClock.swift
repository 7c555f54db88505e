import Foundation
import Synchronization

/// A clock that moves only when a test moves it, for code that takes `clock: @Sendable () -> Date`: rates,
/// estimates and token lifetimes are then asserted exactly, whatever the machine's speed.
public final class TestClock: Sendable {
    private let current: Mutex<Date>

    /// A clock that reads `start` until moved.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Mutex(start)
    }

    /// What the clock reads now.
    public var now: Date { current.withLock { $0 } }

    /// Moves the clock on by `seconds`.
    public func advance(_ seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// The clock as a function, to hand to the code under test.
    public var read: @Sendable () -> Date { { [self] in now } }
}
