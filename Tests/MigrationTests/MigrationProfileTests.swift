import CertDropTestSupport
import CertificateAPI
import DropPipeline
import Foundation
import Testing

@testable import Migration

@Suite struct MigrationProfileTests {
    @Test func aProfileNamesFilesRelativeToItself() throws {
        let folder = Fixtures.temporaryFolder("profile")
        let path = folder.appendingPathComponent("migration.json").path
        try """
        { "from": { "service": "http://127.0.0.1:1", "sasKeyFile": "a.keys.json" },
          "to": { "service": "http://127.0.0.1:2/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/n",
                  "tokenFile": "/abs/token", "caFile": "ca/root.pem" } }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let profile = try MigrationProfile.load(path: path)
        #expect(profile.from?.sasKeyFile == folder.appendingPathComponent("a.keys.json").standardized.path)
        #expect(profile.to?.tokenFile == "/abs/token")
        #expect(profile.to?.caFile == folder.appendingPathComponent("ca/root.pem").standardized.path)
        #expect(try profile.to?.target(role: "--to").dialect == .arm)
    }

    @Test(arguments: [
        #"{ "from": { "service": "http://x", "sasKey": "s3cret" } }"#,
        #"{ "from": { "servise": "http://x" } }"#,
        #"{ "source": { "service": "http://x" } }"#,
        #"{ "from": { "dialect": "soap" } }"#,
        "not json",
    ])
    func aBadProfileIsAUsageError(text: String) throws {
        let path = Fixtures.temporaryFolder("profile").appendingPathComponent("p.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try MigrationProfile.load(path: path)
        } throws: { error in
            guard let error = error as? PipelineError else { return false }
            // The message never repeats a secret.
            return error.code == .usage && !error.message.contains("s3cret")
        }
    }
}

@Suite struct MigrationProfileCapTests {
    @Test(arguments: [(0, true), (1, false)])
    func aProfileIsCappedByTheBytesRead(extra: Int, fits: Bool) throws {
        let folder = Fixtures.temporaryFolder("profile")
        let path = folder.appendingPathComponent("p.json").path
        let body = "{}" + String(repeating: " ", count: MigrationProfile.maxBytes - 2 + extra)
        try Data(body.utf8).write(to: URL(fileURLWithPath: path))
        if fits {
            _ = try MigrationProfile.load(path: path)
        } else {
            #expect(throws: PipelineError.self) { try MigrationProfile.load(path: path) }
        }
    }

    @Test func aDeviceIsNoProfile() {
        #expect(throws: PipelineError.self) { try MigrationProfile.load(path: "/dev/zero") }
    }
}
