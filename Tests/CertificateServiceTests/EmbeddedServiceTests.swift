import CertDropTestSupport
import CertificateAPI
import Foundation
import Testing

@testable import CertificateService

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded local service and `certdrop serve`'s key-file bootstrap, in-process: the home folder and key file
/// made with private modes, an existing key file reused, an insecure or broken one refused with its message.
@Suite struct EmbeddedServiceTests {
    static func home() -> ServiceHome {
        let folder = Fixtures.temporaryFolder("embedded").appendingPathComponent("home").path
        return ServiceHome(environment: [ServiceHome.environmentVariable: folder])
    }

    static func mode(_ path: String) throws -> Int {
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        return mode.intValue & 0o777
    }

    /// A list of the legacy collection, signed with `keys`.
    static func list(_ service: EmbeddedService, keys: AccessKeyFile) async throws -> Int {
        let header = try AccessToken.mint(
            .sharedAccessSignature(.keyed), keys: keys, expiry: Date().addingTimeInterval(600))
        return try await RawResponse.send(
            port: service.server.port, "GET", "/certificates?api-version=2014-02-14",
            headers: ["Authorization": header]
        ).status
    }

    @Test func aFirstStartMakesThePrivateHomeKeyFileAndStore() async throws {
        let home = Self.home()
        let service = try await EmbeddedService.start(home: home)
        #expect(try Self.mode(home.folder) == 0o700)
        #expect(try Self.mode(home.keyFilePath) == 0o600)
        #expect(FileManager.default.fileExists(atPath: home.storePath))
        #expect(service.keys.identifier == AccessKeyFile.defaultIdentifier)
        #expect(service.baseURL == "http://127.0.0.1:\(service.server.port)")
        #expect(service.label == "the embedded service (\(home.folder))")
        #expect(try await Self.list(service, keys: service.keys) == 200)
        await service.shutdown()
    }

    @Test func aSecondStartReusesTheKeyFile() async throws {
        let home = Self.home()
        let first = try await EmbeddedService.start(home: home)
        await first.shutdown()
        let written = try Data(contentsOf: URL(fileURLWithPath: home.keyFilePath))
        let second = try await EmbeddedService.start(home: home)
        // Signed with the first start's keys, accepted by the second.
        #expect(try await Self.list(second, keys: first.keys) == 200)
        #expect(try Data(contentsOf: URL(fileURLWithPath: home.keyFilePath)) == written)
        await second.shutdown()
    }

    @Test func anInsecureKeyFileIsRefusedUnlessAllowed() async throws {
        let home = Self.home()
        let first = try await EmbeddedService.start(home: home)
        await first.shutdown()
        try #require(chmod(home.keyFilePath, 0o644) == 0)
        do {
            let service = try await EmbeddedService.start(home: home)
            await service.shutdown()
            Issue.record("an insecure key file was accepted")
        } catch {
            guard case .keyFile(let message, let insecure) = error else {
                Issue.record("not a key-file failure: \(error)")
                return
            }
            #expect(insecure)
            #expect(message.contains("chmod 600 \(home.keyFilePath)"), "\(message)")
        }
        let allowed = try await EmbeddedService.start(home: home, allowInsecureKeyFile: true)
        #expect(try await Self.list(allowed, keys: first.keys) == 200)
        await allowed.shutdown()
        #expect(try Self.mode(home.keyFilePath) == 0o644)
    }

    @Test(arguments: ["", "bare-key\n", #"{"identifier": "x"}"#])
    func aKeyFileNotOfTheServiceFormIsRefusedWithItsMessage(_ contents: String) async throws {
        let home = Self.home()
        try FileManager.default.createDirectory(atPath: home.folder, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: home.keyFilePath))
        try #require(chmod(home.keyFilePath, 0o600) == 0)
        do {
            let service = try await EmbeddedService.start(home: home)
            await service.shutdown()
            Issue.record("a broken key file was accepted")
        } catch {
            guard case .keyFile(let message, let insecure) = error else {
                Issue.record("not a key-file failure: \(error)")
                return
            }
            #expect(!insecure)
            #expect(message == "the key file \(home.keyFilePath) is not \(KeyFile.serviceFormText)")
        }
        // Never replaced.
        #expect(try String(contentsOfFile: home.keyFilePath, encoding: .utf8) == contents)
    }

    @Test func aHomeThatCannotBeMadeIsAStartFailure() async throws {
        let file = Fixtures.temporaryFolder("embedded").appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        let home = ServiceHome(environment: [ServiceHome.environmentVariable: file.appendingPathComponent("home").path])
        do {
            let service = try await EmbeddedService.start(home: home)
            await service.shutdown()
            Issue.record("started under a file")
        } catch {
            guard case .start = error else {
                Issue.record("not a start failure: \(error)")
                return
            }
        }
    }
}

/// `certdrop serve`'s start up to the server, in-process.
@Suite struct ServeSetupTests {
    @Test func theDefaultsAreTheHomesStoreAndTheKeyFileBesideIt() throws {
        let home = EmbeddedServiceTests.home()
        let setup = try ServeSetup.prepare(ServeArguments(home: home), logger: TestService.quietLogger)
        #expect(setup.storePath == home.storePath)
        #expect(setup.keyFilePath == home.keyFilePath)
        #expect(setup.keyFileState == .created)
        #expect(try EmbeddedServiceTests.mode(home.keyFilePath) == 0o600)
        let configuration = setup.configuration
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.instanceName == "certdrop")
        #expect(configuration.accessKeys.identifier == AccessKeyFile.defaultIdentifier)
        #expect(configuration.pkcs12Options.maxIterations == 1_000_000)
        #expect(!configuration.faults.isEnabled)
        // Started again: the same key file, not a new one.
        let again = try ServeSetup.prepare(ServeArguments(home: home), logger: TestService.quietLogger)
        #expect(again.keyFileState == .existing)
        let token = try AccessToken.mint(.bearer, keys: configuration.accessKeys, expiry: Date().addingTimeInterval(60))
        _ = try BearerToken.verify(token, keys: again.configuration.accessKeys.bearerKeys, now: Date())
    }

    @Test func aKeyFileBesideAGivenStoreIsNamedAfterIt() throws {
        let folder = Fixtures.temporaryFolder("serve")
        var arguments = ServeArguments(home: EmbeddedServiceTests.home())
        arguments.store = folder.appendingPathComponent("a.sqlite").path
        let setup = try ServeSetup.prepare(arguments, logger: TestService.quietLogger)
        #expect(setup.keyFilePath == folder.appendingPathComponent("a.keys.json").path)
        arguments.keyFile = folder.appendingPathComponent("own.json").path
        #expect(try ServeSetup.prepare(arguments, logger: TestService.quietLogger).keyFilePath == arguments.keyFile)
    }

    @Test func anInsecureKeyFileIsRefusedWithTheFixOrUsedWhenAllowed() throws {
        var arguments = ServeArguments(home: EmbeddedServiceTests.home())
        let created = try ServeSetup.prepare(arguments, logger: TestService.quietLogger)
        try #require(chmod(created.keyFilePath, 0o640) == 0)
        do {
            _ = try ServeSetup.prepare(arguments, logger: TestService.quietLogger)
            Issue.record("an insecure key file was accepted")
        } catch {
            #expect(error.detailCode == "key-file-insecure")
            #expect(error.message.contains("chmod 600 \(created.keyFilePath)"), "\(error.message)")
        }
        arguments.allowInsecureKeyFile = true
        #expect(try ServeSetup.prepare(arguments, logger: TestService.quietLogger).keyFileState == .existingShared)
    }

    @Test func theArgumentsReachTheConfiguration() throws {
        var arguments = ServeArguments(home: EmbeddedServiceTests.home())
        arguments.host = "::1"
        arguments.port = 0
        arguments.instance = "apim-x"
        arguments.subscription = "sub"
        arguments.resourceGroup = "rg"
        arguments.publicURL = "https://certs.example.test"
        arguments.durability = .powerLoss
        arguments.maxIterations = 5000
        arguments.connectionLimits = ConnectionLimits(maxConnections: 7)
        arguments.pkcs12Workers = 3
        arguments.pkcs12Queue = 9
        arguments.faults = FaultInjection(failRate: 0.5, seed: 1)
        let configuration = try ServeSetup.prepare(arguments, logger: TestService.quietLogger).configuration
        #expect(configuration.host == "::1")
        #expect(configuration.port == 0)
        #expect(configuration.instanceName == "apim-x")
        #expect(configuration.subscriptionId == "sub")
        #expect(configuration.resourceGroupName == "rg")
        #expect(configuration.publicBaseURL == "https://certs.example.test")
        #expect(configuration.durability == .powerLoss)
        #expect(configuration.pkcs12Options.maxIterations == 5000)
        #expect(configuration.connectionLimits.maxConnections == 7)
        #expect(configuration.pkcs12Pool.width == 3)
        #expect(configuration.pkcs12Pool.queueLimit == 9)
        #expect(configuration.faults.isEnabled)
        #expect(configuration.keyVault == nil)
    }
}
