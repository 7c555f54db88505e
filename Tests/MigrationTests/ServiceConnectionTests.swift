import CertDropTestSupport
import CertificateAPI
import CertificateClient
import CertificateService
import Foundation
import Logging
import Testing

@testable import DropPipeline

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one path from a command's options to a connected client, in-process: the embedded service (home, key file,
/// refusals), remote targets with each credential source, and connections closed on every path. A connection pool
/// left open traps when it is freed in a debug build, so a leak on an error path fails the run.
@Suite struct ServiceConnectionTests {
    static let retry = RetryPolicy(maxAttempts: 2, baseDelay: 0.005, maxDelay: 0.05, requestTimeout: 10)

    static func homeFolder() -> String {
        Fixtures.temporaryFolder("connection").appendingPathComponent("home").path
    }

    /// A service whose keys are those of a key file written (mode 0600) at `keyFile`.
    static func instance(keyFile: String) async throws -> RunningServer {
        let (keys, _) = try AccessKeyFile.loadOrCreate(path: keyFile)
        var logger = Logger(label: "test.connection")
        logger.logLevel = .critical
        return try await CertificateServer.start(ServiceConfiguration(store: .memory, accessKeys: keys, logger: logger))
    }

    static func embedded(_ folder: String, allowInsecure: Bool = false) -> ServiceConnection.Request {
        ServiceConnection.Request(
            .embedded(homeFolder: folder), concurrency: 2, retry: retry, allowInsecureKeyFile: allowInsecure)
    }

    static func error(_ request: ServiceConnection.Request) async -> PipelineError? {
        do {
            try await ServiceConnection.with(request) { _ in }
            return nil
        } catch let error as PipelineError {
            return error
        } catch {
            Issue.record("not a PipelineError: \(error)")
            return nil
        }
    }

    @Test func theEmbeddedServiceStartsInItsHomeAndIsListed() async throws {
        let folder = Self.homeFolder()
        let records = try await ServiceConnection.with(Self.embedded(folder)) { connection in
            #expect(connection.label == "the embedded service (\(folder))")
            #expect(connection.client.target.dialect == .legacy)
            return try await connection.list()
        }
        #expect(records.isEmpty)
        let keyFile = ServiceHome.keyFilePath(forStore: folder + "/service.sqlite")
        let mode = try #require(
            try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o600)
        let written = try Data(contentsOf: URL(fileURLWithPath: keyFile))
        // A second run reuses the key file.
        _ = try await ServiceConnection.with(Self.embedded(folder)) { try await $0.list() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyFile)) == written)
    }

    @Test func theEmbeddedServiceIsStoppedWhenTheBodyThrows() async throws {
        struct Stop: Error {}
        let folder = Self.homeFolder()
        var baseURL = ""
        do {
            try await ServiceConnection.with(Self.embedded(folder)) { connection in
                baseURL = connection.client.target.baseURL
                throw Stop()
            }
            Issue.record("the body's error was lost")
        } catch is Stop {}
        // Stopped: a client for the same address gets no answer.
        let port = try #require(Int(baseURL.split(separator: ":").last ?? ""))
        let keys = try AccessKeyFile.load(path: folder + "/service.keys.json")
        let client = try CertificateServiceClient(
            target: .legacy(baseURL: "http://127.0.0.1:\(port)"),
            credentials: MintedSignatureCredential(identifier: keys.identifier, key: keys.keys.primary),
            concurrency: 1, retry: RetryPolicy(maxAttempts: 1, requestTimeout: 5))
        await #expect(throws: ClientError.self) { try await client.list() }
        await client.shutdown()
    }

    @Test func anInsecureEmbeddedKeyFileIsRefusedUnlessAllowed() async throws {
        let folder = Self.homeFolder()
        _ = try await ServiceConnection.with(Self.embedded(folder)) { try await $0.list() }
        let keyFile = folder + "/service.keys.json"
        try #require(chmod(keyFile, 0o604) == 0)
        let refused = await Self.error(Self.embedded(folder))
        #expect(refused?.code == .insecureKeyFile)
        #expect(refused?.message.contains("chmod 600 \(keyFile)") == true, "\(refused?.message ?? "")")
        #expect(await Self.error(Self.embedded(folder, allowInsecure: true)) == nil)
    }

    @Test func aBrokenEmbeddedKeyFileIsAPasswordSourceError() async throws {
        let folder = Self.homeFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let keyFile = folder + "/service.keys.json"
        try Data(#"{"identifier": "x"}"#.utf8).write(to: URL(fileURLWithPath: keyFile))
        try #require(chmod(keyFile, 0o600) == 0)
        let refused = await Self.error(Self.embedded(folder))
        #expect(refused?.code == .passwordSource)
        #expect(refused?.message == "the key file \(keyFile) is not \(KeyFile.serviceFormText)")
    }

    @Test func aRemoteServiceIsReachedWithAServiceKeyFileInBothDialects() async throws {
        let keyFile = Fixtures.temporaryFolder("connection").appendingPathComponent("a.keys.json").path
        let server = try await Self.instance(keyFile: keyFile)
        let scope = ARMServiceScope(subscriptionId: "sub", resourceGroupName: "rg", serviceName: "certdrop")
        let targets: [ServiceTarget] = [.legacy(baseURL: server.baseURL), .arm(baseURL: server.baseURL, scope: scope)]
        for target in targets {
            let source = CredentialSource.keyFile(keyFile, identifier: nil, bareKeyHint: "hint")
            let request = ServiceConnection.Request(
                .remote(target, source, caFile: nil), concurrency: 2, retry: Self.retry)
            let records = try await ServiceConnection.with(request) { connection in
                #expect(connection.label == server.baseURL)
                return try await connection.list()
            }
            #expect(records.isEmpty)
        }
        try await server.shutdown()
    }

    @Test func aBareKeyWithoutAnIdentifierGetsTheCallersHint() async throws {
        let path = Fixtures.temporaryFolder("connection").appendingPathComponent("bare.key").path
        try Data("k3y\n".utf8).write(to: URL(fileURLWithPath: path))
        try #require(chmod(path, 0o600) == 0)
        let target = ServiceTarget.legacy(baseURL: "http://127.0.0.1:9")
        let bare = CredentialSource.keyFile(path, identifier: nil, bareKeyHint: "--sas-key-file needs --sas-id")
        let refused = await Self.error(ServiceConnection.Request(.remote(target, bare, caFile: nil), concurrency: 1))
        #expect(refused?.code == .usage)
        #expect(refused?.message == "--sas-key-file needs --sas-id")
        let named = CredentialSource.keyFile(path, identifier: "integration", bareKeyHint: "unused")
        #expect(await Self.error(ServiceConnection.Request(.remote(target, named, caFile: nil), concurrency: 1)) == nil)
        let arm = ServiceTarget.arm(
            baseURL: "http://127.0.0.1:9",
            scope: ARMServiceScope(subscriptionId: "s", resourceGroupName: "r", serviceName: "n"))
        let bearer = await Self.error(ServiceConnection.Request(.remote(arm, named, caFile: nil), concurrency: 1))
        #expect(bearer?.message.contains("a key file must be a CertDrop service's key file") == true)
        let command = CredentialSource.tokenCommand("echo x")
        let legacyCommand = await Self.error(
            ServiceConnection.Request(.remote(target, command, caFile: nil), role: "--from", concurrency: 1))
        #expect(legacyCommand?.message == "--from: the legacy dialect takes a token file or a key file, not a command")
    }

    /// The second connection of a pair is refused: the first, already open, is closed before the error comes
    /// back (else its connection pool would trap when freed).
    @Test func aRefusedSecondConnectionReleasesTheFirst() async throws {
        let keyFile = Fixtures.temporaryFolder("connection").appendingPathComponent("a.keys.json").path
        let server = try await Self.instance(keyFile: keyFile)
        let first = try ServiceEndpoint(service: server.baseURL, sasKeyFile: keyFile).request(
            role: "--from", concurrency: 2, caFile: nil, retry: Self.retry)
        let missing = ServiceEndpoint(service: server.baseURL, tokenFile: keyFile + ".missing")
        var ran = false
        do {
            try await ServiceConnection.with(
                first, then: try missing.request(role: "--to", concurrency: 2, caFile: nil, retry: Self.retry)
            ) { _, _ in ran = true }
            Issue.record("a missing token file was accepted")
        } catch let error as PipelineError {
            #expect(error.code == .passwordSource)
        }
        // The embedded service as the first of a pair is stopped too.
        do {
            try await ServiceConnection.with(
                Self.embedded(Self.homeFolder()),
                then: try missing.request(role: "--to", concurrency: 2, caFile: nil, retry: Self.retry)
            ) { _, _ in ran = true }
            Issue.record("a missing token file was accepted")
        } catch let error as PipelineError {
            #expect(error.code == .passwordSource)
        }
        #expect(!ran)
        try await server.shutdown()
    }

    @Test func aProfileEndpointAndItsCAFileMakeTheRequest() throws {
        let endpoint = ServiceEndpoint(
            service: "https://svc.example.test/", sasId: "i", sasKeyFile: "/k", caFile: "/own.pem")
        let request = try endpoint.request(role: "--to", concurrency: 3, caFile: "/default.pem", retry: Self.retry)
        #expect(request.role == "--to")
        #expect(request.concurrency == 3)
        guard case .remote(let target, let source, let caFile) = request.place else {
            Issue.record("not remote")
            return
        }
        #expect(target.baseURL == "https://svc.example.test")
        #expect(target.apiVersion == Dialect.legacy.defaultAPIVersion)
        #expect(caFile == "/own.pem")
        #expect(
            source
                == .keyFile(
                    "/k", identifier: "i",
                    bareKeyHint: "--to: a bare key file needs sasId in the profile (a CertDrop key file names it)"))
        let plain = ServiceEndpoint(service: "https://svc.example.test", tokenFile: "/t")
        let defaulted = try plain.request(role: "--from", concurrency: 2, caFile: "/default.pem", retry: Self.retry)
        guard case .remote(_, let tokenSource, let defaultCA) = defaulted.place else {
            Issue.record("not remote")
            return
        }
        #expect(tokenSource == .tokenFile("/t"))
        #expect(defaultCA == "/default.pem")
    }
}
