import CertDropTestSupport
import CertificateAPI
import CertificateClient
import CertificateService
import Foundation
import Testing

@testable import DropPipeline
@testable import Migration

/// Two instances and a drop, as a migration finds them:
/// - A holds ten of the drop's certificates under ids of its own (`app-01` … `app-10`, not the files' names) and an
///   expired one (`app-old`);
/// - B already holds `app-01` (the same certificate), `app-02` (another one), `app-10` (the same) and `b-only`;
/// - the drop lacks the PFX files of `app-09` and `app-10`, and holds two certificates A does not (`cert-00011`,
///   `cert-00012`), the expired one's PFX and its own `passwords.json`.
struct Scenario {
    let a: Instance
    let b: Instance
    let drop: URL
    let map: String
    /// A's ids → thumbprints.
    let thumbprints: [String: String]
    /// What B held under `app-02` and `b-only` before.
    let otherThumbprints: [String: String]

    static func make() async throws -> Scenario {
        let drop = Fixtures.drop(count: 12)
        let other = Fixtures.drop(count: 2)
        let a = try await Instance.start()
        let b = try await Instance.start()
        var thumbprints: [String: String] = [:]
        for n in 1...10 {
            let id = String(format: "app-%02d", n)
            let pfx = drop.appendingPathComponent(String(format: "cert-%05d.pfx", n)).path
            try await a.seed(id, pfx: pfx, password: "drop-pw")
            thumbprints[id] = try thumbprint(of: pfx)
        }
        let expiredPassword = try #require(Fixtures.password("expired.pfx"))
        try await a.seed("app-old", pfx: Fixtures.path("expired.pfx"), password: expiredPassword)
        thumbprints["app-old"] = try thumbprint(of: Fixtures.path("expired.pfx"), password: expiredPassword)
        try FileManager.default.copyItem(
            atPath: Fixtures.path("expired.pfx"), toPath: drop.appendingPathComponent("expired.pfx").path)

        try await b.seed("app-01", pfx: drop.appendingPathComponent("cert-00001.pfx").path, password: "drop-pw")
        try await b.seed("app-10", pfx: drop.appendingPathComponent("cert-00010.pfx").path, password: "drop-pw")
        try await b.seed("app-02", pfx: other.appendingPathComponent("cert-00001.pfx").path, password: "drop-pw")
        try await b.seed("b-only", pfx: other.appendingPathComponent("cert-00002.pfx").path, password: "drop-pw")
        let otherThumbprints = [
            "app-02": try thumbprint(of: other.appendingPathComponent("cert-00001.pfx").path),
            "b-only": try thumbprint(of: other.appendingPathComponent("cert-00002.pfx").path),
        ]
        for n in [9, 10] {
            try FileManager.default.removeItem(at: drop.appendingPathComponent(String(format: "cert-%05d.pfx", n)))
        }
        let map = try passwordMap(["*": ["drop-pw"], "expired.pfx": expiredPassword])
        return Scenario(
            a: a, b: b, drop: drop, map: map, thumbprints: thumbprints, otherThumbprints: otherThumbprints)
    }

    func stop() async {
        await a.stop()
        await b.stop()
    }
}

@Suite(.serialized) struct MigrationRunTests {
    /// The whole story, in each pair of dialects: the first migration's lines item by item, verify, a second
    /// migration that resolves the conflict, verify again, and a third that changes nothing.
    @Test(arguments: [(Dialect.legacy, Dialect.legacy), (.legacy, .arm), (.arm, .legacy)])
    func migrateVerifyAndMigrateAgain(from sourceDialect: Dialect, to targetDialect: Dialect) async throws {
        let scenario = try await Scenario.make()
        let source = try scenario.a.client(sourceDialect)
        let target = try scenario.b.client(targetDialect)
        let first = try await migrate(
            [scenario.drop.path], from: source, to: target, map: scenario.map)

        // Each item and each certificate of A has its line.
        for n in [1, 2, 3, 4, 5, 6, 7, 8] {
            let id = String(format: "app-%02d", n)
            let line = try #require(first.line(source: String(format: "cert-%05d.pfx", n)), "\(id)")
            #expect(line.id == id)
            #expect(line.thumbprint == scenario.thumbprints[id])
            let expected: ImportAction = n == 1 ? .unchanged : n == 2 ? .conflict : .created
            #expect(line.action == expected, "\(id): \(line)")
        }
        for name in ["cert-00011.pfx", "cert-00012.pfx"] {
            let line = try #require(first.line(source: name))
            #expect(line.action == .unmatched && line.id == nil && line.error?.code == "unmatched")
        }
        let expired = try #require(first.line(source: "/expired.pfx"))
        #expect(expired.action == .skipped && expired.id == "app-old" && expired.error?.code == "expired")
        #expect(first.line(source: "passwords.json")?.action == .skipped)
        let missing = try #require(first.line(source: "/certificates/app-09"))
        #expect(
            missing.action == .missingPFX && missing.id == "app-09"
                && missing.thumbprint == scenario.thumbprints["app-09"])
        let held = try #require(first.line(source: "/certificates/app-10"))
        #expect(held.action == .unchanged && held.id == "app-10")
        #expect(first.lines.count == 14)
        #expect(first.summary.lines.total == 14)
        #expect(first.summary.sourceCount == 11)
        #expect(first.summary.notMoved.map(\.id) == ["app-02", "app-09", "app-old"])
        #expect(first.summary.exitStatus == 1)
        // The manifest agrees with what the run showed, and ends with the summary.
        let key: (ManifestEntry) -> String = { "\($0.source)|\($0.id ?? "")|\($0.action.rawValue)" }
        #expect(first.manifest.map(key).sorted() == first.lines.map(key).sorted())
        let summaryLine = try #require(
            try String(contentsOfFile: first.manifestPath, encoding: .utf8).split(separator: "\n").last)
        #expect(summaryLine.hasPrefix("{\"summary\":{\"actions\""))

        // B: A's ids with A's certificates, nothing of the drop's own, app-02 and b-only as they were.
        var stored = try await scenario.b.stored()
        for n in [1, 3, 4, 5, 6, 7, 8, 10] {
            let id = String(format: "app-%02d", n)
            #expect(stored[id]?.thumbprint == scenario.thumbprints[id], "\(id)")
        }
        #expect(stored["app-02"]?.thumbprint == scenario.otherThumbprints["app-02"])
        #expect(stored["b-only"]?.thumbprint == scenario.otherThumbprints["b-only"])
        #expect(stored.count == 10)

        // Verify by the manifest: the conflict is not resolved.
        var report = VerifyReport(
            expectations: try VerifyReport.expectations(manifestPath: first.manifestPath),
            target: try await target.inventory())
        #expect(!report.isComplete)
        #expect(report.rows.filter { $0.state == .different }.map(\.id) == ["app-02"])
        #expect(report.rows.count == 9)

        // Resolve it: replace B's app-02.
        let second = try await migrate(
            [scenario.drop.path], from: source, to: target, map: scenario.map,
            options: MigrationOptions(upload: ImportOptions(concurrency: 3, onExisting: .update)))
        #expect(second.lines(id: "app-02").map(\.action) == [.updated])
        #expect(second.summary.lines.actions[.unchanged] == 8)
        #expect(second.summary.notMoved.map(\.id) == ["app-09", "app-old"])
        report = VerifyReport(
            expectations: try VerifyReport.expectations(manifestPath: second.manifestPath),
            target: try await target.inventory())
        #expect(report.isComplete, "\(report.rows)")
        #expect(report.exitStatus == 0)
        #expect(report.rows.count == 9)
        // Against A itself: app-09 has no PFX anywhere, app-old has expired.
        let (expected, passedOver) = VerifyReport.expectations(
            source: try await source.inventory(), targetDialect: targetDialect)
        report = VerifyReport(expectations: expected, target: try await target.inventory(), passedOver: passedOver)
        #expect(
            report.rows.filter { $0.state != .ok }.map { "\($0.id) \($0.state.rawValue)" } == [
                "app-09 missing", "app-old expired",
            ])
        #expect(report.exitStatus == 1)

        // A third run changes nothing: every certificate it could move is unchanged, B's ETags stay.
        stored = try await scenario.b.stored()
        let third = try await migrate([scenario.drop.path], from: source, to: target, map: scenario.map)
        #expect(third.summary.lines.actions[.unchanged] == 9)
        #expect(third.summary.lines.actions[.created] == nil)
        #expect(third.summary.lines.actions[.updated] == nil)
        #expect(
            third.lines.filter { $0.id?.hasPrefix("app-0") == true }.allSatisfy {
                $0.action == .unchanged || $0.id == "app-09"
            })
        let after = try await scenario.b.stored()
        #expect(after.mapValues(\.etag) == stored.mapValues(\.etag))
        await source.shutdown()
        await target.shutdown()
        await scenario.stop()
    }

    @Test func includeUnmatchedAndAllowExpired() async throws {
        let scenario = try await Scenario.make()
        let source = try scenario.a.client()
        let target = try scenario.b.client()
        let run = try await migrate(
            [scenario.drop.path], from: source, to: target, map: scenario.map,
            options: MigrationOptions(
                upload: ImportOptions(concurrency: 4, allow: [.expired]), includeUnmatched: true))
        #expect(run.line(source: "cert-00011.pfx")?.action == .created)
        #expect(run.line(source: "cert-00011.pfx")?.id == "cert-00011")
        #expect(run.line(source: "/expired.pfx")?.action == .created)
        #expect(run.line(source: "/expired.pfx")?.id == "app-old")
        let stored = try await scenario.b.stored()
        #expect(stored["cert-00012"] != nil)
        #expect(stored["app-old"]?.thumbprint == scenario.thumbprints["app-old"])
        #expect(run.summary.notMoved.map(\.id) == ["app-02", "app-09"])
        await source.shutdown()
        await target.shutdown()
        await scenario.stop()
    }

    @Test func dryRunWritesNothing() async throws {
        let scenario = try await Scenario.make()
        let source = try scenario.a.client()
        let target = try scenario.b.client()
        let before = try await scenario.b.stored()
        let run = try await migrate(
            [scenario.drop.path], from: source, to: target, map: scenario.map,
            options: MigrationOptions(upload: ImportOptions(concurrency: 4), dryRun: true))
        #expect(try await scenario.b.stored().mapValues(\.etag) == before.mapValues(\.etag))
        #expect(run.summary.dryRun)
        #expect(run.lines(id: "app-03").map(\.action) == [.created])
        #expect(run.lines(id: "app-01").map(\.action) == [.unchanged])
        #expect(run.lines(id: "app-02").map(\.action) == [.conflict])
        #expect(run.lines(id: "app-09").map(\.action) == [.missingPFX])
        #expect(run.summary.notMoved.map(\.id) == ["app-02", "app-09", "app-old"])
        await source.shutdown()
        await target.shutdown()
        await scenario.stop()
    }

    @Test func resumePassesOverWhatAnEarlierRunSettled() async throws {
        let scenario = try await Scenario.make()
        let source = try scenario.a.client()
        let target = try scenario.b.client()
        let first = try await migrate([scenario.drop.path], from: source, to: target, map: scenario.map)
        let settled = try MigrationRun.settledSources(path: first.manifestPath)
        // Settled: app-01, 03…08, app-old (skipped), passwords.json, app-10 (A's own line). Not: the conflict,
        // the missing PFX and the unmatched items.
        #expect(settled.count == 10, "\(settled.sorted())")
        let resumed = try await migrate(
            [scenario.drop.path], from: source, to: target, map: scenario.map, settled: settled,
            manifestPath: first.manifestPath)
        #expect(resumed.summary.lines.resumed == 10)
        #expect(Set(resumed.lines.map(\.action)) == [.conflict, .missingPFX, .unmatched])
        #expect(resumed.summary.notMoved.map(\.id) == ["app-02", "app-09"])
        await source.shutdown()
        await target.shutdown()
        await scenario.stop()
    }

    @Test func everyCertificateMovesExactlyOnceUnderFaults() async throws {
        let drop = Fixtures.drop(count: 30)
        let a = try await Instance.start()
        var thumbprints: [String: String] = [:]
        for n in 1...30 {
            let pfx = drop.appendingPathComponent(String(format: "cert-%05d.pfx", n)).path
            try await a.seed("svc-\(n)", pfx: pfx, password: "drop-pw")
            thumbprints["svc-\(n)"] = try thumbprint(of: pfx)
        }
        let faults = FaultInjection(latency: .milliseconds(2), failRate: 0.05, throttle: 400, dropRate: 0.03, seed: 11)
        let b = try await Instance.start(faults: faults)
        let source = try a.client()
        let target = try b.client(.legacy, concurrency: 4)
        let run = try await migrate(
            [drop.path], from: source, to: target, map: drop.appendingPathComponent("passwords.json").path)
        #expect(run.summary.lines.actions[.created] == 30, "\(run.summary.lines.text)")
        #expect(run.summary.exitStatus == 0)
        #expect(run.summary.notMoved.isEmpty)
        let stored = try await b.stored()
        #expect(stored.count == 30)
        #expect(stored.mapValues(\.thumbprint) == thumbprints)
        for line in run.manifest where line.action == .created {
            #expect(line.id.flatMap { stored[$0]?.thumbprint } == line.thumbprint)
        }
        #expect(b.server.metrics.snapshot.maxInFlight <= 4)
        #expect(target.retryCount > 0)
        await source.shutdown()
        await target.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test(arguments: [Dialect.arm, .legacy])
    func keyVaultReferencesAreRecreatedInAnARMTarget(targetDialect: Dialect) async throws {
        let drop = Fixtures.drop(count: 1)
        let a = try await Instance.start()
        let b = try await Instance.start()
        let secret = "https://vault.example.test/secrets/gateway"
        try await a.seed("kv-gateway", keyVault: secret)
        try await a.seed("app-01", pfx: drop.appendingPathComponent("cert-00001.pfx").path, password: "drop-pw")
        let source = try a.client(.arm)
        let target = try b.client(targetDialect)
        let map = drop.appendingPathComponent("passwords.json").path
        let run = try await migrate([drop.path], from: source, to: target, map: map)
        let line = try #require(run.lines(id: "kv-gateway").first)
        #expect(line.source.hasSuffix("/certificates/kv-gateway"))
        #expect(run.lines(id: "app-01").map(\.action) == [.created])
        if targetDialect == .arm {
            #expect(line.action == .created)
            #expect(try await b.stored()["kv-gateway"]?.keyVault == secret)
            #expect(run.summary.exitStatus == 0)
            let again = try await migrate([drop.path], from: source, to: target, map: map)
            #expect(again.lines(id: "kv-gateway").map(\.action) == [.unchanged])
            let (expected, _) = VerifyReport.expectations(
                source: try await source.inventory(), targetDialect: .arm)
            #expect(VerifyReport(expectations: expected, target: try await target.inventory()).isComplete)
        } else {
            #expect(line.action == .missingPFX)
            #expect(line.error?.message.contains("Key Vault") == true)
            #expect(try await b.stored()["kv-gateway"] == nil)
        }
        await source.shutdown()
        await target.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func oneCertificateUnderTwoIdsGoesUnderBoth() async throws {
        let drop = Fixtures.drop(count: 1)
        let a = try await Instance.start()
        let b = try await Instance.start()
        let pfx = drop.appendingPathComponent("cert-00001.pfx").path
        try await a.seed("api", pfx: pfx, password: "drop-pw")
        try await a.seed("api-legacy-name", pfx: pfx, password: "drop-pw")
        let source = try a.client()
        let target = try b.client()
        let map = drop.appendingPathComponent("passwords.json").path
        let run = try await migrate([drop.path], from: source, to: target, map: map)
        #expect(
            run.lines.filter { $0.source.hasSuffix("cert-00001.pfx") }.compactMap(\.id).sorted() == [
                "api", "api-legacy-name",
            ])
        #expect(Set(try await b.stored().keys) == ["api", "api-legacy-name"])
        #expect(run.summary.exitStatus == 0)
        let settled = try MigrationRun.settledSources(path: run.manifestPath)
        #expect(settled.contains { $0.hasSuffix("cert-00001.pfx") })
        await source.shutdown()
        await target.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func anIdTheTargetsDialectRefusesIsNamed() async throws {
        let drop = Fixtures.drop(count: 2)
        let a = try await Instance.start()
        let b = try await Instance.start()
        try await a.seed("app:one", pfx: drop.appendingPathComponent("cert-00001.pfx").path, password: "drop-pw")
        try await a.seed("app-two", pfx: drop.appendingPathComponent("cert-00002.pfx").path, password: "drop-pw")
        let source = try a.client(.legacy)
        let target = try b.client(.arm)
        let run = try await migrate(
            [drop.path], from: source, to: target, map: drop.appendingPathComponent("passwords.json").path)
        #expect(run.line(source: "cert-00001.pfx")?.error?.code == "invalid-id")
        let line = try #require(run.line(source: "/certificates/app:one"))
        #expect(line.action == .invalid && line.error?.code == "invalid-id")
        #expect(run.lines(id: "app-two").map(\.action) == [.created])
        #expect(run.summary.notMoved.map(\.id) == ["app:one"])
        #expect(run.summary.exitStatus == 1)
        await source.shutdown()
        await target.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func anUnreachableSourceIsAnErrorBeforeAnythingIsWritten() async throws {
        let b = try await Instance.start()
        let drop = Fixtures.drop(count: 1)
        let source = try CertificateServiceClient(
            target: .legacy(baseURL: "http://127.0.0.1:9"),
            credentials: MintedSignatureCredential(identifier: "x", key: SigningKey("k")), concurrency: 1,
            retry: RetryPolicy(maxAttempts: 1, requestTimeout: 2))
        let target = try b.client()
        await #expect(throws: ClientError.self) {
            _ = try await migrate(
                [drop.path], from: source, to: target, map: drop.appendingPathComponent("passwords.json").path)
        }
        #expect(try await b.stored().isEmpty)
        await source.shutdown()
        await target.shutdown()
        await b.stop()
    }
}
