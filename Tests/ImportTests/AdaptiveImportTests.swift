import CertDropTestSupport
import CertificateAPI
import CertificateClient
import CertificateService
import Foundation
import Testing

@testable import DropPipeline

/// `--concurrency auto` against the real service throttling at a fixed rate: every item created, fewer `429`s
/// than a fixed 32, and the window seen to move. The `429`s are counted by the service, not timed.
@Suite(.serialized) struct AdaptiveImportTests {
    static let count = 40
    static let faults = FaultInjection(latency: .milliseconds(10), throttle: 5, seed: 3)

    /// A client with the command line's kind of retry policy: `Retry-After` honoured up to 2 s, enough attempts
    /// that a fixed 32 is not failed by the retry cap in this test.
    static func client(_ service: TestService, pool: Int, observer: AdaptiveConcurrency?) throws
        -> CertificateServiceClient
    {
        try CertificateServiceClient(
            target: .legacy(baseURL: service.running.baseURL),
            credentials: MintedSignatureCredential(identifier: service.keys.identifier, key: service.keys.keys.primary),
            concurrency: pool, retry: RetryPolicy(maxAttempts: 20, baseDelay: 0.05, maxDelay: 2, requestTimeout: 10),
            observer: observer)
    }

    /// The `429`s the service answered (its fault counter).
    static func throttled(_ service: TestService) -> Int {
        let text = String(decoding: service.server.metrics.exposition(), as: UTF8.self)
        let prefix = "certdrop_faults_injected_total{kind=\"throttle\"} "
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            return Int(Double(line.dropFirst(prefix.count)) ?? -1)
        }
        return 0
    }

    /// One import of `drop` into a fresh throttling service: its manifest's entries and the service's `429`s.
    static func importing(_ drop: URL, options: ImportOptions) async throws -> (
        entries: [ManifestEntry], throttled: Int, stored: Int
    ) {
        let service = try await TestService.start(faults: faults)
        let client = try Self.client(
            service, pool: options.adaptive?.maximum ?? options.concurrency, observer: options.adaptive)
        let (_, entries, _) = try await runImport(
            [drop.path], client: client, map: drop.appendingPathComponent("passwords.json").path, options: options)
        let throttled = Self.throttled(service)
        let stored = try await client.list().count
        await client.shutdown()
        await service.stop()
        return (entries.filter { $0.source.hasSuffix(".pfx") }, throttled, stored)
    }

    @Test func autoCreatesEveryItemWithFewerThrottledAnswersThanAFixed32() async throws {
        let drop = Fixtures.drop(count: Self.count)
        let gate = AdaptiveConcurrency(rules: .init(initial: 2, maximum: 32))
        let auto = try await Self.importing(drop, options: ImportOptions(concurrency: 32, adaptive: gate))
        let fixed = try await Self.importing(drop, options: ImportOptions(concurrency: 32))

        // Every item created, none failed; some were throttled, retried and still created.
        #expect(auto.entries.count == Self.count)
        #expect(auto.entries.allSatisfy { $0.action == .created }, "\(auto.entries.filter { $0.action != .created })")
        #expect(auto.stored == Self.count)
        #expect(auto.entries.contains { $0.attempts > 1 })
        #expect(auto.throttled > 0, "the throttle never bit: the test proves nothing")
        #expect(
            auto.throttled < fixed.throttled, "auto: \(auto.throttled) 429s, fixed 32: \(fixed.throttled) 429s")
        #expect(fixed.stored == Self.count)

        // The uploads went through the window, and it moved both ways.
        let stats = gate.snapshot
        #expect(stats.acquired == Self.count)
        // The client reports every 429 it gets (and the service's own 503s, e.g. a full PKCS#12 queue, on top).
        #expect(stats.throttled >= auto.throttled)
        #expect((stats.changes[.throttled] ?? 0) >= 1)
        #expect((stats.changes[.slowStart] ?? 0) + (stats.changes[.additive] ?? 0) >= 1)
        #expect(stats.largestWindow > 2)
        #expect(stats.smallestWindow < stats.largestWindow)
        #expect(stats.maxInFlight <= stats.largestWindow)
        #expect(stats.maxInFlight < 32)
        #expect(stats.trace.contains { $0.change == .throttled })
    }

    @Test func autoNeverPassesItsMaximum() async throws {
        let drop = Fixtures.drop(count: 24)
        let gate = AdaptiveConcurrency(rules: .init(initial: 2, maximum: 3))
        let service = try await TestService.start(faults: FaultInjection(latency: .milliseconds(20)))
        let client = try Self.client(service, pool: 3, observer: gate)
        let (summary, _, _) = try await runImport(
            [drop.path], client: client, map: drop.appendingPathComponent("passwords.json").path,
            options: ImportOptions(concurrency: 3, adaptive: gate))
        #expect(summary.actions[.created] == 24)
        let stats = gate.snapshot
        #expect(stats.largestWindow == 3)
        #expect(stats.maxInFlight == 3)
        #expect(service.server.metrics.snapshot.maxInFlight <= 3)
        #expect(stats.trace.allSatisfy { $0.window <= 3 })
        await client.shutdown()
        await service.stop()
    }
}
