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

/// The service's key file: refused when other users can read or write it, unless the operator says otherwise.
@Suite struct AccessKeyFileTests {
    static let json = #"{"identifier": "integration", "primaryKey": "pk-7f3e9c", "secondaryKey": "sk-1b2d4a"}"#

    static func keyFile(mode: mode_t) throws -> String {
        let path = Fixtures.temporaryFolder("keyfile").appendingPathComponent("service.keys.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        try #require(chmod(path, mode) == 0)
        return path
    }

    @Test(
        arguments: [(0o600, true), (0o400, true), (0o640, false), (0o604, false), (0o660, false)] as [(mode_t, Bool)])
    func loadChecksTheMode(_ mode: mode_t, _ accepted: Bool) throws {
        let path = try Self.keyFile(mode: mode)
        if accepted {
            #expect(try AccessKeyFile.load(path: path).identifier == "integration")
            #expect(try AccessKeyFile.loadOrCreate(path: path).created == false)
        } else {
            let attempts: [() throws -> AccessKeyFile] = [
                { try AccessKeyFile.load(path: path) }, { try AccessKeyFile.loadOrCreate(path: path).0 },
            ]
            for attempt in attempts {
                do {
                    _ = try attempt()
                    Issue.record("mode \(String(mode, radix: 8)) was accepted")
                } catch let error as CertificateServiceError {
                    #expect(error.detailCode == "key-file-insecure")
                    #expect(error.message.contains("chmod 600 \(path)"), "\(error.message)")
                    #expect(!error.message.contains("pk-7f3e9c"))
                }
            }
            // Never replaced by a new one.
            #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.json)
            #expect(try AccessKeyFile.load(path: path, allowInsecure: true).identifier == "integration")
            #expect(try AccessKeyFile.loadOrCreate(path: path, allowInsecure: true).created == false)
        }
    }

    @Test func anOversizedKeyFileIsRefused() throws {
        let path = Fixtures.temporaryFolder("keyfile").appendingPathComponent("big.json").path
        let padded = Self.json + String(repeating: " ", count: SecretFile.maximumSize - Self.json.utf8.count)
        try Data(padded.utf8).write(to: URL(fileURLWithPath: path))
        try #require(chmod(path, 0o600) == 0)
        #expect(try AccessKeyFile.load(path: path).identifier == "integration")
        try Data((padded + " ").utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: CertificateServiceError.self) { try AccessKeyFile.load(path: path) }
    }
}
