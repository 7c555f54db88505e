import Foundation
import Synchronization

/// Counters an import updates as it goes, read by the progress display.
public final class ImportCounters: Sendable {
    package let done = Atomic<Int>(0)
    package let inFlight = Atomic<Int>(0)
    package let failed = Atomic<Int>(0)
    /// The number of files the sources hold (archive entries not counted), for the ETA; 0 when unknown.
    let expected = Atomic<Int>(0)

    /// Sets the number of items expected (for the ETA).
    public func expect(_ count: Int) { expected.store(count, ordering: .relaxed) }

    /// New counters.
    public init() {}
}

/// Shows an import's progress on standard error: a redrawn line on a terminal (items done, rate, in flight,
/// retries, ETA), a log line every few seconds otherwise, nothing with `--quiet`.
///
/// `@unchecked Sendable`: the timer is set and cancelled under `lock`.
public final class ImportProgress: @unchecked Sendable {
    /// How progress is shown.
    public enum Style: Sendable { case bar, lines, quiet }

    private let style: Style
    private let counters: ImportCounters
    private let retries: @Sendable () -> Int
    private let clock: @Sendable () -> Date
    private let started: Date
    private let lock = NSLock()
    private var timer: DispatchSourceTimer?

    /// Makes a display; `retries` reads the client's retry count; `clock` tells the time (the rate and the ETA are
    /// counted from the moment the display is made).
    public init(
        style: Style, counters: ImportCounters, retries: @escaping @Sendable () -> Int,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.style = style
        self.counters = counters
        self.retries = retries
        self.clock = clock
        self.started = clock()
    }

    /// `bar` on a terminal, `lines` otherwise.
    public static func defaultStyle(quiet: Bool) -> Style {
        quiet ? .quiet : (isatty(STDERR_FILENO) == 1 ? .bar : .lines)
    }

    /// Starts showing.
    public func start() {
        guard style != .quiet else { return }
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "certdrop.progress"))
        let interval: DispatchTimeInterval = style == .bar ? .milliseconds(200) : .seconds(5)
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.setEventHandler { [weak self] in self?.show() }
        source.resume()
        lock.withLock { timer = source }
    }

    /// Stops showing and clears the line.
    public func stop() {
        lock.withLock {
            timer?.cancel()
            timer = nil
        }
        if style == .bar { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// The current line: `42 done · 12.3/s · 8 in flight · 2 retries · ETA 0:31`.
    public func line() -> String { line(now: clock()) }

    /// The line as it reads at `now`.
    public func line(now: Date) -> String {
        let done = counters.done.load(ordering: .relaxed)
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        var parts = [
            "\(done) done", String(format: "%.1f/s", rate), "\(counters.inFlight.load(ordering: .relaxed)) in flight",
            "\(retries()) retries",
        ]
        let failed = counters.failed.load(ordering: .relaxed)
        if failed > 0 { parts.append("\(failed) not imported") }
        let expected = counters.expected.load(ordering: .relaxed)
        if expected > done, rate > 0 {
            let seconds = Int(Double(expected - done) / rate)
            parts.append(String(format: "ETA %d:%02d", seconds / 60, seconds % 60))
        }
        return parts.joined(separator: " · ")
    }

    private func show() {
        switch style {
        case .bar: FileHandle.standardError.write(Data(("\r\u{1B}[K" + line()).utf8))
        case .lines: FileHandle.standardError.write(Data(("certdrop: " + line() + "\n").utf8))
        case .quiet: break
        }
    }
}
