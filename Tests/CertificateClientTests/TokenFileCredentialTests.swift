import CertDropTestSupport
import CertificateAPI
import Foundation
import Testing

@testable import CertificateClient

/// Token files are read capped by the bytes read, as key files are, and only their first line counts.
@Suite struct TokenFileCredentialTests {
    private func write(_ text: String) throws -> String {
        let path = Fixtures.temporaryFolder("token").appendingPathComponent("token").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func firstLineWithTheScheme() async throws {
        let path = try write("abc.def\nsecond line\n")
        let credential = try TokenFileCredential(path: path, scheme: BearerToken.scheme)
        #expect(try await credential.authorization() == "Bearer abc.def")
    }

    @Test func capIsCountedInBytesRead() throws {
        // Exactly on the cap: read; one byte over: refused.
        let onCap = try write(String(repeating: "t", count: SecretFile.maximumSize))
        #expect(throws: Never.self) { _ = try TokenFileCredential(path: onCap, scheme: BearerToken.scheme) }
        let over = try write(String(repeating: "t", count: SecretFile.maximumSize + 1))
        let error = #expect(throws: ClientError.self) {
            _ = try TokenFileCredential(path: over, scheme: BearerToken.scheme)
        }
        #expect(error?.code == .passwordSource)
    }

    @Test func aDeviceIsNotReadForever() {
        let error = #expect(throws: ClientError.self) {
            _ = try TokenFileCredential(path: "/dev/zero", scheme: BearerToken.scheme)
        }
        #expect(error?.code == .passwordSource)
    }

    @Test func emptyIsRefused() throws {
        let path = try write("\n")
        #expect(throws: ClientError.self) { _ = try TokenFileCredential(path: path, scheme: BearerToken.scheme) }
    }
}
