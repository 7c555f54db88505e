import ArgumentParser

/// The range of every numeric option, in one place: a value outside it (or not finite) is a usage error (exit
/// status 2) that names the option, its range and its unit, never a crash further down.
enum NumericBounds {
    /// `--timeout` (seconds): the client counts whole seconds, so less than 1 would mean no time at all.
    static let timeoutSeconds: ClosedRange<Double> = 1...86_400
    /// `--max-attempts`.
    static let maxAttempts: ClosedRange<Int> = 1...100
    /// `--concurrency`.
    static let concurrency: ClosedRange<Int> = 1...256
    /// `--min-days`: up to a hundred years.
    static let minDays: ClosedRange<Int> = 0...36_500
    /// `--max-iterations` (validate, import, serve…): what OpenSSL's iteration count can hold.
    static let maxIterations: ClosedRange<Int> = 1...Int(Int32.max)
    /// `--max-certificates`: a file's certificates are held in memory together.
    static let maxCertificates: ClosedRange<Int> = 1...1_000_000
    /// `--max-bags`.
    static let maxBags: ClosedRange<Int> = 1...10_000_000
    /// `--max-derivations`: at least the MAC and one key.
    static let maxDerivations: ClosedRange<Int> = 2...100_000
    /// `--max-entry-bytes`: an entry is held in memory, so at most 1 GiB.
    static let maxEntryBytes: ClosedRange<Int> = 1...(1 << 30)
    /// `--max-archive-bytes`: at most 64 GiB.
    static let maxArchiveBytes: ClosedRange<Int> = 1...(64 << 30)
    /// `--max-entries`.
    static let maxEntries: ClosedRange<Int> = 1...10_000_000
    /// `--max-depth`.
    static let maxDepth: ClosedRange<Int> = 1...16
    /// `serve --port`.
    static let port: ClosedRange<Int> = 0...65_535
    /// `serve --latency` (milliseconds): at most ten minutes.
    static let latencyMilliseconds: ClosedRange<Int> = 0...600_000
    /// `serve --fail-rate`, `--drop-rate` (probabilities).
    static let probability: ClosedRange<Double> = 0...1
    /// `serve --throttle` (requests per second).
    static let throttle: ClosedRange<Double> = 0.001...1_000_000
    /// `serve --idle-timeout`, `--header-timeout`, `--body-timeout` (seconds): a millisecond to a day.
    static let serviceTimeoutSeconds: ClosedRange<Double> = 0.001...86_400
    /// `serve --max-connections`.
    static let maxConnections: ClosedRange<Int> = 1...1_000_000
    /// `serve --pkcs12-workers`.
    static let pkcs12Workers: ClosedRange<Int> = 1...1024
    /// `serve --pkcs12-queue`.
    static let pkcs12Queue: ClosedRange<Int> = 0...1_000_000
    /// `token --ttl` (seconds): at most ten years.
    static let ttlSeconds: ClosedRange<Int> = 1...315_360_000

    /// Throws a ``ValidationError`` unless `value` lies in `range`.
    static func check(_ value: Int, _ range: ClosedRange<Int>, _ option: String, unit: String = "") throws {
        guard range.contains(value) else {
            throw outOfRange(option, "\(range.lowerBound)", "\(range.upperBound)", unit)
        }
    }

    /// Throws a ``ValidationError`` unless `value` is finite and lies in `range` (`inf`, `nan` and `1e300` are not).
    static func check(_ value: Double, _ range: ClosedRange<Double>, _ option: String, unit: String = "") throws {
        guard value.isFinite, range.contains(value) else {
            throw outOfRange(option, format(range.lowerBound), format(range.upperBound), unit)
        }
    }

    private static func outOfRange(_ option: String, _ low: String, _ high: String, _ unit: String) -> ValidationError {
        ValidationError("\(option) takes a number from \(low) to \(high)\(unit.isEmpty ? "" : " " + unit)")
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
