import CertificateAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

@testable import CertificateService

/// Fault injection: off by default, repeatable with a seed, and limited to the certificate routes.
@Suite struct FaultInjectionTests {
    static let legacy = DialectClient(dialect: .legacy)

    @Test func theSameSeedGivesTheSameFaults() {
        let faults = FaultInjection(failRate: 0.3, dropRate: 0.2, seed: 42)
        let first = FaultInjector(faults)
        let second = FaultInjector(faults)
        let a = (0..<200).map { _ in first.decide() }
        let b = (0..<200).map { _ in second.decide() }
        #expect(a == b)
        #expect(a.contains(.fail) && a.contains(.drop) && a.contains(.pass))
        let other = FaultInjector(FaultInjection(failRate: 0.3, dropRate: 0.2, seed: 43))
        #expect((0..<200).map { _ in other.decide() } != a)
    }

    @Test func ratesAreRoughlyHonoured() {
        let injector = FaultInjector(FaultInjection(failRate: 0.25, seed: 7))
        let failures = (0..<10_000).filter { _ in injector.decide() == .fail }.count
        #expect((2_000...3_000).contains(failures))
    }

    @Test func theThrottleRefillsWithTimeAndSaysWhenToRetry() {
        let start = ContinuousClock.now
        let injector = FaultInjector(FaultInjection(throttle: 2), now: start)
        #expect(injector.decide(now: start) == .pass)
        #expect(injector.decide(now: start) == .pass)
        #expect(injector.decide(now: start) == .throttle(retryAfter: 1))
        #expect(injector.decide(now: start.advanced(by: .milliseconds(600))) == .pass)
        #expect(injector.decide(now: start.advanced(by: .milliseconds(600))) == .throttle(retryAfter: 1))
        let slow = FaultInjector(FaultInjection(throttle: 0.1), now: start)
        #expect(slow.decide(now: start) == .pass)
        #expect(slow.decide(now: start) == .throttle(retryAfter: 10))
    }

    @Test func invalidSettingsAreRefused() {
        for faults in [
            FaultInjection(failRate: 1.5), FaultInjection(dropRate: -0.1), FaultInjection(throttle: 0),
            FaultInjection(latency: .milliseconds(-1)),
        ] {
            #expect(throws: CertificateServiceError.self) { try faults.validate() }
        }
        #expect(!FaultInjection().isEnabled)
    }

    @Test func failuresAre503InTheErrorBody() async throws {
        let d = Self.legacy
        try await TestService(faults: FaultInjection(failRate: 1)).test { client in
            expectError(try await d.send(client, .get, d.collection()), .serviceUnavailable, .serviceUnavailable)
            // Health, metrics and admin routes are never affected.
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await d.send(client, .get, "/admin/stats").status == .ok)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains("certdrop_faults_injected_total{kind=\"fail\"} 1"))
        }
    }

    @Test func throttlingIs429WithRetryAfter() async throws {
        let d = DialectClient(dialect: .arm)
        // One request per 1,000 s: the second request is refused whatever the machine's speed.
        try await TestService(faults: FaultInjection(throttle: 0.001)).test { client in
            #expect(try await d.send(client, .get, d.collection()).status == .ok)
            let refused = try await d.send(client, .get, d.collection())
            expectError(refused, .tooManyRequests, .tooManyRequests)
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...1_000).contains(retryAfter))
        }
    }

    /// Each authenticated request waits out the latency once, through the configured pause; a request refused by
    /// authentication waits for nothing; the answers are the same as without latency.
    @Test func latencyIsWaitedOutOncePerAuthenticatedRequest() async throws {
        let d = Self.legacy
        let pauses = Mutex<[Duration]>([])
        let service = try TestService(faults: FaultInjection(latency: .milliseconds(20))) {
            $0.latencyPause = { duration in pauses.withLock { $0.append(duration) } }
        }
        try await service.test { client in
            #expect(try await d.send(client, .get, d.collection()).status == .ok)
            expectError(
                try await d.send(client, .get, d.collection(), authorization: .some(nil)), .unauthorized,
                .unauthorized)
            #expect(try await d.send(client, .get, d.collection()).status == .ok)
        }
        #expect(pauses.withLock { $0 } == [.milliseconds(20), .milliseconds(20)])
    }

    /// Without latency the pause is never called.
    @Test func noLatencyNoPause() async throws {
        let d = Self.legacy
        let pauses = Mutex(0)
        let service = try TestService(faults: FaultInjection(failRate: 0.000_001)) {
            $0.latencyPause = { _ in pauses.withLock { $0 += 1 } }
        }
        try await service.test { client in
            let response = try await d.send(client, .get, d.collection())
            #expect(response.status == .ok)
        }
        #expect(pauses.withLock { $0 } == 0)
    }

    @Test func droppedConnectionsGetNoResponse() async throws {
        let d = Self.legacy
        try await TestService(faults: FaultInjection(dropRate: 1)).testLive { client in
            await #expect(throws: (any Error).self) {
                _ = try await d.send(client, .get, d.collection())
            }
        }
    }

    /// Faults are injected after authentication: with every fault certain, a request without valid credentials is
    /// still `401`, in both dialects, and draws nothing (the next authenticated request gets the fault).
    @Test(arguments: [
        FaultInjection(failRate: 1), FaultInjection(dropRate: 1), FaultInjection(throttle: 0.001),
        FaultInjection(latency: .milliseconds(1), failRate: 1, dropRate: 1),
    ])
    func unauthenticatedRequestsAre401NeverAFault(_ faults: FaultInjection) async throws {
        let service = try TestService(faults: faults)
        try await service.testLive { client in
            for d in DialectClient.both {
                for authorization in [nil, "SharedAccessSignature uid=integration&ex=x&sn=bad", "Bearer nope"] {
                    let response = try await d.send(client, .get, d.collection(), authorization: .some(authorization))
                    expectError(response, .unauthorized, .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] != nil)
                }
            }
            let metrics = String(decoding: service.server.metrics.exposition(), as: UTF8.self)
            #expect(!metrics.contains("faults_injected"))
            // The same running service does inject into authenticated requests; the throttle's one token per
            // 1,000 s was not spent by the refused requests.
            let d = Self.legacy
            if faults.dropRate == 1 {
                await #expect(throws: (any Error).self) { _ = try await d.send(client, .get, d.collection()) }
            } else if faults.throttle != nil {
                #expect(try await d.send(client, .get, d.collection()).status == .ok)
                expectError(try await d.send(client, .get, d.collection()), .tooManyRequests, .tooManyRequests)
            } else {
                expectError(try await d.send(client, .get, d.collection()), .serviceUnavailable, .serviceUnavailable)
            }
        }
    }

    /// Four requests held in the latency pause until all four have arrived are four in flight at once: the pause
    /// lets them go only then (or, should the client never open four, after 10 s, and the count says so).
    @Test func concurrentRequestsAreCountedInFlight() async throws {
        let d = Self.legacy
        let arrivals = Mutex(0)
        let service = try TestService(faults: FaultInjection(latency: .milliseconds(1))) {
            $0.latencyPause = { _ in
                arrivals.withLock { $0 += 1 }
                for _ in 0..<10_000 where arrivals.withLock({ $0 }) < 4 {
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
        }
        // Each request on a connection of its own: one connection would carry them one after another.
        let running = try await service.server.start()
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let response = try? await RawResponse.send(
                        port: running.port, "GET", d.collection(), headers: ["Authorization": d.authorization])
                    return response?.status ?? 0
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        try await running.shutdown()
        #expect(statuses == [200, 200, 200, 200])
        let stats = service.server.metrics.snapshot
        #expect(arrivals.withLock { $0 } == 4)
        #expect(stats.requests == 4)
        #expect(stats.inFlight == 0)
        #expect(stats.maxInFlight == 4)
    }
}
