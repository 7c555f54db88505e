import CertificateAPI
import Foundation
import Testing

@testable import CertificateClient

@Suite struct CredentialTests {
    @Test func mintedTokensAreReusedThenRenewedBeforeTheyRunOut() {
        var cache = MintedTokenCache()
        var minted = 0
        let start = Date(timeIntervalSince1970: 1_000_000)
        let mint: (Date) -> String = { expires in
            minted += 1
            return "token-\(Int(expires.timeIntervalSince1970))"
        }
        let first = cache.header(lifetime: 3600, now: start, mint: mint)
        #expect(cache.header(lifetime: 3600, now: start.addingTimeInterval(3000), mint: mint) == first)
        #expect(minted == 1)
        // Less than five minutes left: a new one.
        #expect(cache.header(lifetime: 3600, now: start.addingTimeInterval(3400), mint: mint) != first)
        #expect(minted == 2)
    }

    @Test func signaturesVerifyWithTheService() async throws {
        let credential = MintedSignatureCredential(identifier: "integration", key: SigningKey("secret"))
        let header = try await credential.authorization()
        let pair = SharedAccessKeyPair(primary: SigningKey("secret"))
        #expect(throws: Never.self) {
            try SharedAccessSignature.verify(
                authorizationHeader: header, keyring: ["integration": pair], now: Date())
        }
        #expect(!header.contains("secret"))
    }
}
