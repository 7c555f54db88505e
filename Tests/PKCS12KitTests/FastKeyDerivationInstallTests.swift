import COpenSSL
import CertDropTestSupport
import Foundation
import Testing

@testable import PKCS12Kit

/// `OpenSSLRuntime.installFastKeyDerivation()`: explicit, idempotent, safe from many threads at once, and with
/// the same results as OpenSSL's own derivation.
@Suite struct FastKeyDerivationInstallTests {
    /// The key generator OpenSSL's table gives for PBES2 now.
    private static func tableEntry() -> UnsafeRawPointer? {
        var keygen: EVP_PBE_KEYGEN_PTR? = nil
        guard EVP_PBE_find(EVP_PBE_TYPE_OUTER, NID_pbes2, nil, nil, &keygen) == 1, let keygen else { return nil }
        return unsafeBitCast(keygen, to: UnsafeRawPointer.self)
    }

    /// The flag says what OpenSSL's table holds: ours after an install, OpenSSL's built-in generator before.
    /// (That opening files alone never installs cannot be seen here: other tests of the process install.)
    @Test func flagMatchesTable() throws {
        _ = try open("rsa-default.pfx")
        OpenSSLRuntime.ensureLoaded()
        let builtIn: EVP_PBE_KEYGEN_PTR = PKCS5_v2_PBE_keyivgen
        let found = try #require(Self.tableEntry())
        #expect(
            (found != unsafeBitCast(builtIn, to: UnsafeRawPointer.self)) == OpenSSLRuntime.isFastKeyDerivationInstalled)
    }

    /// Many threads install at once: every call answers true, the table holds one generator (ours), and the files
    /// opened right after on those threads come out as OpenSSL's own derivation makes them.
    @Test func concurrentInstallsAreIdempotent() throws {
        let names = ["rsa-default.pfx", "ec-p256.pfx", "java-aes.pfx"]
        var reference: [String: OpenOutcome] = [:]
        for name in names { reference[name] = withFastPath(false) { OpenOutcome(name) }.0 }
        let expected = reference
        let answers = ConcurrentResults()
        let agreed = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 32) { index in
            answers.record(OpenSSLRuntime.installFastKeyDerivation())
            let name = names[index % names.count]
            let (outcome, probe) = withFastPath(true) { OpenOutcome(name) }
            agreed.record(outcome == expected[name] && probe.pbes2Keys.load(ordering: .relaxed) >= 1)
        }
        #expect(answers.all && agreed.all)
        #expect(OpenSSLRuntime.isFastKeyDerivationInstalled)
        let entry = try #require(Self.tableEntry())
        // Installing again changes nothing: the same generator is found, and it is not OpenSSL's built-in one.
        #expect(OpenSSLRuntime.installFastKeyDerivation())
        #expect(Self.tableEntry() == entry)
        let builtIn: EVP_PBE_KEYGEN_PTR = PKCS5_v2_PBE_keyivgen
        #expect(entry != unsafeBitCast(builtIn, to: UnsafeRawPointer.self))
    }

    /// Installed or not, the bytes are the same: a PBES2 key bag decrypts to the same key, and an export made with
    /// the fast derivation opens through OpenSSL's own, and the other way round (the off switch routes the
    /// generator to `PKCS5_v2_PBE_keyivgen`, what an uninstalled table calls).
    @Test(arguments: ["rsa-default.pfx", "ec-p256.pfx", "java-aes.pfx", "non-ascii-password.pfx"])
    func sameBytesInstalledOrNot(name: String) throws {
        let password = pkcs12Fixtures.first { $0.name == name }?.password
        let (fast, fastProbe) = withFastPath(true) { OpenOutcome(name, password: password) }
        let (slow, slowProbe) = withFastPath(false) { OpenOutcome(name, password: password) }
        #expect(fast.keyDER != nil && fast == slow)
        #expect(slowProbe.pbes2Keys.load(ordering: .relaxed) == 0)
        if fast.pkcs12?.keyEncryption?.contains("PBKDF2") == true {
            #expect(fastProbe.pbes2Keys.load(ordering: .relaxed) >= 1)
        }
    }
}
