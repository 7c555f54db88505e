import CertDropTestSupport
import CertificateAPI
import Foundation
import Synchronization
import Testing

@testable import CertificateService

/// Holds pool jobs on their threads until the test opens it, and counts the jobs that arrived.
final class JobGate: Sendable {
    private let condition = NSCondition()
    private let state = Mutex((open: false, arrived: 0))

    /// The jobs that reached the gate.
    var arrived: Int { state.withLock { $0.arrived } }

    /// The pool's hook: counts the job in, then blocks its thread until ``open()``.
    func hold() {
        state.withLock { $0.arrived += 1 }
        condition.lock()
        while !state.withLock({ $0.open }) { condition.wait() }
        condition.unlock()
    }

    /// Lets every held and later job run.
    func open() {
        condition.lock()
        state.withLock { $0.open = true }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `count` jobs have arrived (a bounded number of checks; a test that never gets there fails).
    func waitForArrivals(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await eventually("\(count) jobs held on the pool's threads", sourceLocation: sourceLocation) {
            arrived >= count
        }
    }
}

/// A counter that task closures can share.
final class Tally: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { _ = count.wrappingAdd(1, ordering: .relaxed) }
}

/// A PKCS#12 file written by `openssl pkcs12 -export -iter N` (encryption and MAC), with a fresh P-256 key.
func pkcs12(iterations: Int, password: String = "pool-pw") throws -> [UInt8] {
    let folder = Fixtures.temporaryFolder("iterations")
    let key = folder.appendingPathComponent("key.pem").path
    let certificate = folder.appendingPathComponent("cert.pem").path
    let output = folder.appendingPathComponent("file.pfx").path
    let made = Fixtures.run([
        "/usr/bin/env", "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", key, "-out", certificate, "-subj", "/CN=iterations-\(iterations)", "-days", "30",
    ])
    try #require(made == 0)
    let exported = Fixtures.run([
        "/usr/bin/env", "openssl", "pkcs12", "-export", "-inkey", key, "-in", certificate, "-passout",
        "pass:\(password)", "-iter", String(iterations), "-out", output,
    ])
    try #require(exported == 0)
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
}

@Suite struct PKCS12WorkPoolTests {
    @Test func jobsRunOnThePoolsOwnThreads() async throws {
        let pool = PKCS12WorkPool(.init(width: 2))
        #expect(!PKCS12WorkPool.isPoolThread)
        let onPoolThread = try await pool.run { () throws(CertificateServiceError) -> Bool in
            PKCS12WorkPool.isPoolThread
        }
        #expect(onPoolThread)
        let failure = CertificateServiceError(.invalidCertificate, "no")
        await #expect(throws: failure) {
            try await pool.run { () throws(CertificateServiceError) -> Int in throw failure }
        }
    }

    @Test func atMostWidthRunAndAtMostQueueLimitWaitThenItIs503() async throws {
        let pool = PKCS12WorkPool(.init(width: 2, queueLimit: 1))
        let gate = JobGate()
        // Opened on every way out, so that a failing test never leaves jobs (and itself) blocked.
        defer { gate.open() }
        pool.setBeforeEachJob { gate.hold() }
        let finished = Tally()
        try await withThrowingTaskGroup(of: Int.self) { group in
            // Opened before the group waits for its tasks, also when this body throws.
            defer { gate.open() }
            for index in 0..<3 {
                group.addTask {
                    let value = try await pool.run { () throws(CertificateServiceError) -> Int in index }
                    finished.increment()
                    return value
                }
            }
            // Exactly width running (held), exactly queueLimit waiting.
            try await gate.waitForArrivals(2)
            try await eventually("the third job queued") { pool.load.waiting == 1 }
            #expect(pool.load.running == 2)
            // One more is refused at once, without waiting.
            do throws(CertificateServiceError) {
                _ = try await pool.run { () throws(CertificateServiceError) -> Int in -1 }
                Issue.record("a job beyond width + queueLimit was accepted")
            } catch {
                #expect(error.code == .serviceUnavailable)
                #expect(error.detailCode == "pkcs12-queue-full")
                #expect(error.headers["Retry-After"] == "1")
                #expect(error.status.code == 503)
            }
            #expect(finished.value == 0)
            #expect(pool.load.refused == 1)
            gate.open()
            var results: [Int] = []
            for try await value in group { results.append(value) }
            #expect(results.sorted() == [0, 1, 2])
        }
        #expect(pool.load.running == 0 && pool.load.waiting == 0)
    }

    @Test func aStoppedPoolRefusesNewJobs() async throws {
        let pool = PKCS12WorkPool(.init(width: 1, queueLimit: 0))
        #expect(try await pool.run { () throws(CertificateServiceError) -> Int in 1 } == 1)
        pool.shutdown()
        await #expect(throws: CertificateServiceError.self) {
            try await pool.run { () throws(CertificateServiceError) -> Int in 2 }
        }
    }

    @Test func theDefaultsFollowTheMachine() {
        let defaults = PKCS12WorkPool.Configuration()
        #expect(defaults.width == max(1, ProcessInfo.processInfo.activeProcessorCount))
        #expect(defaults.queueLimit == max(8, 4 * defaults.width))
        #expect(PKCS12WorkPool.Configuration(width: 0, queueLimit: -3) == .init(width: 1, queueLimit: 0))
    }

    /// The service's uploads at its iteration cap: while as many as the pool is wide are being opened, `/health`
    /// and `GET` are answered; one more waits; one beyond the queue is `503`; then all uploads complete.
    @Test func healthAndReadsAnswerWhileUploadsFillThePool() async throws {
        let cap = 50_000
        let bytes = try pkcs12(iterations: cap)
        let gate = JobGate()
        defer { gate.open() }
        let service = try TestService { configuration in
            configuration.pkcs12Options.maxIterations = cap
            configuration.pkcs12Pool = PKCS12WorkPool.Configuration(width: 2, queueLimit: 1)
        }
        service.server.pkcs12Pool.setBeforeEachJob { gate.hold() }
        let d = DialectClient(dialect: .legacy)
        let seeded = try await service.repository.put(
            id: "seeded",
            content: CertificateContent(
                subject: "CN=seeded", thumbprint: String(repeating: "A", count: 40), expirationDate: Date(),
                pkcs12: []),
            condition: .unconditional)
        #expect(seeded.isCreated)
        let running = try await service.server.start()
        let port = running.port
        let upload = d.uploadBody(bytes, password: "pool-pw")
        let headers = ["Authorization": d.authorization, "Content-Type": "application/json"]
        let completed = Tally()
        try await withThrowingTaskGroup(of: Int.self) { group in
            // Opened before the group waits for its tasks, also when this body throws.
            defer { gate.open() }
            for index in 0..<3 {
                group.addTask {
                    let response = try await RawResponse.send(
                        port: port, "PUT", d.entity("capped-\(index)"), headers: headers, body: upload)
                    completed.increment()
                    return response.status
                }
                if index == 1 { try await gate.waitForArrivals(2) }
            }
            try await eventually("the third upload queued") { service.server.pkcs12Pool.load.waiting == 1 }
            #expect(service.server.pkcs12Pool.load.running == 2)

            let health = try await RawResponse.send(port: port, "GET", "/health")
            #expect(health.status == 200)
            let read = try await RawResponse.send(port: port, "GET", d.entity("seeded"), headers: headers)
            #expect(read.status == 200)
            let list = try await RawResponse.send(port: port, "GET", d.collection(), headers: headers)
            #expect(list.status == 200)
            let refused = try await RawResponse.send(
                port: port, "PUT", d.entity("capped-refused"), headers: headers, body: upload)
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "1")
            let error = try JSONDecoder().decode(ErrorResponse.self, from: Data(refused.body.utf8))
            #expect(error.error.knownCode == .serviceUnavailable)
            #expect(error.error.details.first?.code == "pkcs12-queue-full")
            #expect(completed.value == 0, "an upload completed while its job was held")

            gate.open()
            var statuses: [Int] = []
            for try await status in group { statuses.append(status) }
            #expect(statuses == [201, 201, 201])
        }
        #expect(try await service.repository.certificate(id: "capped-refused") == nil)
        let metrics = String(decoding: service.server.metrics.exposition(), as: UTF8.self)
        #expect(metrics.contains("pkcs12-queue-full"))
        try await running.shutdown()
    }

    /// The iteration cap at its edge: a file at the cap opens, the same file with a cap one lower is refused before
    /// any key is derived.
    @Test func theIterationCapIsAppliedToUploads() async throws {
        let iterations = 20_000
        let bytes = try pkcs12(iterations: iterations)
        let d = DialectClient(dialect: .arm)
        for (cap, accepted) in [(iterations, true), (iterations - 1, false), (iterations + 1, true)] {
            let service = try TestService { $0.pkcs12Options.maxIterations = cap }
            try await service.test { client in
                let response = try await d.send(
                    client, .put, d.entity("cap-\(cap)"), body: d.uploadBody(bytes, password: "pool-pw"))
                if accepted {
                    #expect(response.status == .created, "cap \(cap)")
                } else {
                    expectError(response, .badRequest, .validationError, detail: "iteration-limit")
                }
            }
        }
    }
}
