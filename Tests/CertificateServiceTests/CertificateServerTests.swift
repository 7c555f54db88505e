import CertDropTestSupport
import CertificateAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CertificateService

/// The embedded service's public entry points, the key file, the service home and the concurrency counters.
@Suite struct CertificateServerTests {
    @Test func startListensOnAFreePortAndShutsDown() async throws {
        let folder = Fixtures.temporaryFolder("server")
        var configuration = ServiceConfiguration(
            store: .file(folder.appendingPathComponent("service.sqlite").path), accessKeys: TestService.keys,
            logger: TestService.quietLogger)
        configuration.port = 0
        let server = try await CertificateServer.start(configuration)
        #expect(server.port > 0)
        #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
        let client = TestClient(host: "127.0.0.1", port: server.port, configuration: .init(timeout: .seconds(10)))
        client.connect()
        let d = DialectClient(dialect: .legacy)
        let uploaded = try await client.execute(
            TestClient.Request(
                d.entity("live"), method: .put, authority: "127.0.0.1",
                headers: [.authorization: d.authorization, .contentType: "application/json"],
                body: ByteBuffer(string: d.uploadBody(fixture: "ec-p384.pfx"))))
        #expect(uploaded.head.status == .created)
        let listed = try await client.execute(
            TestClient.Request(
                d.collection(), method: .get, authority: "127.0.0.1:\(server.port)",
                headers: [.authorization: d.authorization]))
        let page = try JSONDecoder().decode(
            CertificateEntityCollection.self, from: Data((listed.body ?? ByteBuffer()).readableBytesView))
        #expect(page.value.map(\.id) == ["/certificates/live"])
        try await client.shutdown()
        try await server.shutdown()
        // The write was durable: a new server over the same store sees it.
        let again = try await CertificateServer.start(configuration)
        #expect(try await again.repository.certificate(id: "live") != nil)
        try await again.shutdown()
    }

    @Test func startFailsWhenThePortIsTaken() async throws {
        var configuration = ServiceConfiguration(
            store: .memory, accessKeys: TestService.keys, logger: TestService.quietLogger)
        let first = try await CertificateServer.start(configuration)
        configuration.port = first.port
        await #expect(throws: (any Error).self) {
            _ = try await CertificateServer.start(configuration)
        }
        try await first.shutdown()
    }

    @Test func buildApplicationGivesTheRouterForTests() async throws {
        let configuration = ServiceConfiguration(
            store: .memory, accessKeys: TestService.keys, logger: TestService.quietLogger)
        try await CertificateServer.buildApplication(configuration).test(.router) { client in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .ok)
        }
    }

    @Test func aLiveServerAnswersBothDialects() async throws {
        try await TestService().testLive { client in
            for d in DialectClient.both {
                let created = try await d.put(client, "live-\(d.dialect.rawValue)")
                #expect(created.status == .created)
                let response = try await d.send(client, .get, d.collection())
                #expect(try d.page(response).count == 1 + (d.dialect == .arm ? 1 : 0))
            }
        }
    }

    @Test func theKeyFileIsCreatedOnceWithMode0600() throws {
        let path = Fixtures.temporaryFolder("keys").appendingPathComponent("sub/service.keys.json").path
        let (created, isNew) = try AccessKeyFile.loadOrCreate(path: path)
        #expect(isNew)
        #expect(created.identifier == "integration")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o600)
        #expect(!AccessKeyFile.isShared(path: path))
        let (loaded, isNewAgain) = try AccessKeyFile.loadOrCreate(path: path)
        #expect(!isNewAgain)
        // The same keys: a token minted with one verifies with the other.
        let token = try AccessToken.mint(.bearer, keys: created, expiry: Date().addingTimeInterval(60))
        _ = try BearerToken.verify(token, keys: loaded.bearerKeys, now: Date())
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        let primary = try #require((json as? [String: Any])?["primaryKey"] as? String)
        #expect(!"\(loaded) \(loaded.keys)".contains(primary))
    }

    @Test func aBrokenKeyFileIsAnError() throws {
        let path = Fixtures.temporaryFolder("keys").appendingPathComponent("broken.json").path
        try Data("{\"identifier\": 5}".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(throws: CertificateServiceError.self) { try AccessKeyFile.load(path: path) }
        do {
            _ = try AccessKeyFile.load(path: path)
        } catch {
            #expect(error.detailCode == "key-file")
        }
        #expect(throws: CertificateServiceError.self) { try AccessKeyFile.load(path: path + ".missing") }
    }

    @Test func theHomeIsDotCertdropUnlessCertdropHomeSaysOtherwise() {
        let plain = ServiceHome(environment: [:], workingDirectory: "/work/project")
        #expect(plain.storePath == "/work/project/.certdrop/service.sqlite")
        #expect(plain.keyFilePath == "/work/project/.certdrop/service.keys.json")
        let custom = ServiceHome(environment: ["CERTDROP_HOME": "/var/lib/certdrop"], workingDirectory: "/x")
        #expect(custom.storePath == "/var/lib/certdrop/service.sqlite")
        #expect(ServiceHome.keyFilePath(forStore: "/data/team-a.db") == "/data/team-a.keys.json")
    }

    @Test func theConcurrencyHighWaterMarkIsKept() {
        let metrics = ServiceMetrics()
        for _ in 0..<3 { metrics.requestStarted() }
        metrics.requestFinished()
        metrics.requestStarted()
        #expect(metrics.snapshot == ServiceMetrics.Concurrency(maxInFlight: 3, inFlight: 3, requests: 4))
        metrics.resetConcurrency()
        #expect(metrics.snapshot == ServiceMetrics.Concurrency(maxInFlight: 3, inFlight: 3, requests: 0))
    }
}
