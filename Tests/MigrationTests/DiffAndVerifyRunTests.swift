import CertDropTestSupport
import CertificateAPI
import CertificateClient
import Foundation
import Testing

@testable import DropPipeline
@testable import Migration

/// The runs behind `certdrop diff` and `certdrop verify`, in-process against live instances.
@Suite struct DiffAndVerifyRunTests {
    /// A client of an address nothing listens on, that gives up after one attempt.
    static func unreachable(_ dialect: Dialect = .legacy) throws -> CertificateServiceClient {
        try CertificateServiceClient(
            target: .legacy(baseURL: "http://127.0.0.1:9"),
            credentials: MintedSignatureCredential(identifier: "nobody", key: SigningKey("key")), concurrency: 1,
            retry: RetryPolicy(maxAttempts: 1, baseDelay: 0.001, maxDelay: 0.001, requestTimeout: 2))
    }

    @Test func diffComparesBothSidesByIDAndThumbprint() async throws {
        let a = try await Instance.start()
        let b = try await Instance.start()
        let drop = Fixtures.drop(count: 2)
        let first = drop.appendingPathComponent("cert-00001.pfx").path
        let second = drop.appendingPathComponent("cert-00002.pfx").path
        try await a.seed("same", pfx: first, password: "drop-pw")
        try await b.seed("SAME", pfx: first, password: "drop-pw")
        try await a.seed("changed", pfx: first, password: "drop-pw")
        try await b.seed("changed", pfx: second, password: "drop-pw")
        try await a.seed("only-a", pfx: second, password: "drop-pw")
        try await b.seed("only-b", pfx: second, password: "drop-pw")
        let source = try a.client(.legacy)
        let target = try b.client(.arm)
        let report: DiffReport?
        do {
            report = try await DiffRun(source: source, target: target).run()
        } catch {
            Issue.record(error)
            report = nil
        }
        await source.shutdown()
        await target.shutdown()
        await a.stop()
        await b.stop()
        let states = Dictionary(uniqueKeysWithValues: (report?.rows ?? []).map { ($0.id.lowercased(), $0.state) })
        #expect(states == ["same": .same, "changed": .different, "only-a": .onlyInSource, "only-b": .onlyInTarget])
        #expect(report?.exitStatus == 1)
    }

    @Test(arguments: [true, false])
    func anUnlistableSideIsAnInputErrorThatNamesIt(_ sourceFails: Bool) async throws {
        let instance = try await Instance.start()
        let live = try instance.client()
        let dead = try Self.unreachable()
        let run = sourceFails ? DiffRun(source: dead, target: live) : DiffRun(source: live, target: dead)
        do {
            _ = try await run.run()
            Issue.record("an instance that cannot be listed must fail the run")
        } catch {
            #expect(error.code == .input)
            #expect(
                error.message.hasPrefix("cannot list the \(sourceFails ? "source" : "target") (http://127.0.0.1:9)"))
        }
        await live.shutdown()
        await dead.shutdown()
        await instance.stop()
    }

    @Test func verifyFromAManifestAndFromTheSource() async throws {
        let source = try await Instance.start()
        let target = try await Instance.start()
        let drop = Fixtures.drop(count: 2)
        let first = drop.appendingPathComponent("cert-00001.pfx").path
        let second = drop.appendingPathComponent("cert-00002.pfx").path
        try await source.seed("gateway", pfx: first, password: "drop-pw")
        try await source.seed("portal", pfx: second, password: "drop-pw")
        try await target.seed("gateway", pfx: first, password: "drop-pw")
        let sourceClient = try source.client()
        let targetClient = try target.client()
        let dead = try Self.unreachable()
        do {
            let fromSource = try await VerifyRun(
                expected: .source(sourceClient, includeExpired: false), target: targetClient
            ).run()
            #expect(
                fromSource.rows.map { "\($0.id) \($0.state.rawValue)" }.sorted() == ["gateway ok", "portal missing"])
            #expect(fromSource.exitStatus == 1)

            let manifest = Fixtures.temporaryFolder("verify-run").appendingPathComponent("m.jsonl").path
            let writer = try ManifestWriter(path: manifest)
            #expect(
                writer.write(
                    ManifestEntry(
                        source: "drop/cert-00001.pfx", id: "gateway", thumbprint: try thumbprint(of: first),
                        subject: nil,
                        expirationDate: nil, action: .created, status: 201, attempts: 1)))
            try writer.close()
            let fromManifest = try await VerifyRun(
                expected: .manifest(path: manifest), target: targetClient, targetLabel: "the target"
            ).run()
            #expect(fromManifest.rows.map { "\($0.id) \($0.state.rawValue)" } == ["gateway ok"])
            #expect(fromManifest.isComplete)

            do {
                _ = try await VerifyRun(expected: .manifest(path: manifest), target: dead, targetLabel: "B").run()
                Issue.record("a target that cannot be listed must fail the run")
            } catch {
                #expect(error.message.hasPrefix("cannot list B: "))
            }
            do {
                _ = try await VerifyRun(expected: .source(dead, includeExpired: false), target: targetClient).run()
                Issue.record("a source that cannot be listed must fail the run")
            } catch {
                #expect(error.message.hasPrefix("cannot list the source (http://127.0.0.1:9): "))
            }
        } catch {
            Issue.record(error)
        }
        for client in [sourceClient, targetClient, dead] { await client.shutdown() }
        await source.stop()
        await target.stop()
    }
}
