import CertDropTestSupport
import Foundation
import Testing

@testable import CertificateClient

@Suite struct TokenCommandCredentialTests {
    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A command that counts its runs in a file and prints `tok-N`.
    private func countingCommand(in folder: URL) -> String {
        let counter = folder.appendingPathComponent("n").path
        return "n=$(cat '\(counter)' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '\(counter)'; echo tok-$n"
    }

    private func code(_ credential: TokenCommandCredential) async -> ClientError.Code? {
        do {
            _ = try await credential.authorization()
            return nil
        } catch let error as ClientError {
            return error.code
        } catch {
            Issue.record("not a ClientError: \(error)")
            return nil
        }
    }

    private static func jwt(exp: TimeInterval) -> String {
        func segment(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        return segment("{\"alg\":\"none\"}") + "." + segment("{\"sub\":\"me\",\"exp\":\(Int(exp))}") + ".sig"
    }

    @Test func aCommandThatDoesNotFinishIsKilled() async {
        let credential = TokenCommandCredential(command: "sleep 30", timeout: 0.5)
        #expect(await code(credential) == .tokenCommandTimeout)
    }

    @Test func aChildThatKeepsTheOutputOpenIsKilledWithTheGroup() async throws {
        let folder = try folder()
        let pidFile = folder.appendingPathComponent("pid").path
        let credential = TokenCommandCredential(
            command: "sleep 30 & echo $! > '\(pidFile)'; echo tok", timeout: 0.5)
        #expect(await code(credential) == .tokenCommandTimeout)
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // Killed: gone, or a zombie waiting for its new parent.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        let state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init)
        #expect(stat.isEmpty || state == "Z")
    }

    @Test func aCommandWithinItsTimeoutGivesItsToken() async throws {
        let credential = TokenCommandCredential(command: "echo abc.def", timeout: 20)
        #expect(try await credential.authorization() == "Bearer abc.def")
    }

    @Test(arguments: [
        ("exit 3", ClientError.Code.tokenCommandFailed),
        ("echo tok; kill -9 $$", ClientError.Code.tokenCommandFailed),
        ("true", ClientError.Code.tokenCommandOutput),
        ("printf '  \\n'", ClientError.Code.tokenCommandOutput),
        ("printf 'a b'", ClientError.Code.tokenCommandOutput),
        ("printf 'a\\nb'", ClientError.Code.tokenCommandOutput),
        ("printf 'a\\001b'", ClientError.Code.tokenCommandOutput),
        ("head -c 16385 /dev/zero | tr '\\0' a", ClientError.Code.tokenCommandOutput),
    ])
    func badCommandsHaveStableCodes(command: String, expected: ClientError.Code) async {
        #expect(await code(TokenCommandCredential(command: command)) == expected)
    }

    @Test(arguments: [
        ("printf 'Bearer abc\\n'", "Bearer abc"),
        ("echo '  abc  '", "Bearer abc"),
        ("head -c 16384 /dev/zero | tr '\\0' a", "Bearer " + String(repeating: "a", count: 16384)),
    ])
    func goodOutputIsOneToken(command: String, expected: String) async throws {
        #expect(try await TokenCommandCredential(command: command).authorization() == expected)
    }

    @Test func theChildGetsNoCertDropSecrets() async throws {
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "CERTDROP_PASSWORD": "pw",
            "CERTDROP_SAS_KEY": "key", "CERTDROP_HOME": "/srv/certdrop", "OTHER": "kept",
        ]
        let command =
            "printf 'p-%s.k-%s.h-%s.o-%s' \"${CERTDROP_PASSWORD:-none}\" \"${CERTDROP_SAS_KEY:-none}\" "
            + "\"${CERTDROP_HOME:-none}\" \"${OTHER:-none}\""
        let credential = TokenCommandCredential(command: command, environment: environment)
        #expect(try await credential.authorization() == "Bearer p-none.k-none.h-/srv/certdrop.o-kept")
        #expect(
            TokenCommandCredential.childEnvironment(environment).keys.sorted() == ["CERTDROP_HOME", "OTHER", "PATH"])
    }

    @Test func theTokenIsReusedUntilRefused() async throws {
        let folder = try folder()
        let credential = TokenCommandCredential(command: countingCommand(in: folder))
        #expect(try await credential.authorization() == "Bearer tok-1")
        #expect(try await credential.authorization() == "Bearer tok-1")
        #expect(await credential.runs == 1)
        // A refusal of an older token keeps the current one.
        #expect(await credential.renew(rejected: "Bearer tok-0"))
        #expect(try await credential.authorization() == "Bearer tok-1")
        #expect(await credential.renew(rejected: "Bearer tok-1"))
        #expect(try await credential.authorization() == "Bearer tok-2")
        #expect(await credential.runs == 2)
    }

    @Test func concurrentRequestsRunTheCommandOnce() async throws {
        let folder = try folder()
        let credential = TokenCommandCredential(command: countingCommand(in: folder) + "; sleep 0.2")
        let headers = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await credential.authorization() } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(headers) == ["Bearer tok-1"])
        #expect(await credential.runs == 1)
    }

    @Test func aJWTIsReusedUntilItsExpiryLessTheMargin() async throws {
        let lasting = Self.jwt(exp: Date().timeIntervalSince1970 + 3600)
        let longLived = TokenCommandCredential(command: "echo \(lasting)")
        _ = try await longLived.authorization()
        _ = try await longLived.authorization()
        #expect(await longLived.runs == 1)
        // Inside the margin: every request runs the command again.
        let ending = Self.jwt(exp: Date().timeIntervalSince1970 + TokenCommandCredential.renewalMargin - 30)
        let shortLived = TokenCommandCredential(command: "echo \(ending)")
        _ = try await shortLived.authorization()
        _ = try await shortLived.authorization()
        #expect(await shortLived.runs == 2)
    }

    /// An opaque token lives `defaultLifetime` less the margin (600 − 120 = 480 s) by the credential's clock: reused
    /// just inside that, fetched again exactly on it and after.
    @Test(arguments: [(479.999, 1), (480.0, 2), (480.001, 2)])
    func anOpaqueTokenIsRenewedByTheClock(_ elapsed: TimeInterval, _ runs: Int) async throws {
        let folder = try folder()
        let clock = TestClock()
        let credential = TokenCommandCredential(
            command: countingCommand(in: folder), defaultLifetime: 600, clock: clock.read)
        #expect(try await credential.authorization() == "Bearer tok-1")
        clock.advance(elapsed)
        #expect(try await credential.authorization() == "Bearer tok-\(runs)")
        #expect(await credential.runs == runs)
    }

    @Test func renewalDates() {
        let fetched = Date(timeIntervalSince1970: 1_700_000_000)
        let jwt = Self.jwt(exp: 1_700_003_600)
        #expect(TokenCommandCredential.jwtExpiry(jwt) == Date(timeIntervalSince1970: 1_700_003_600))
        #expect(
            TokenCommandCredential.renewalDate(token: jwt, fetched: fetched, defaultLifetime: 600)
                == Date(timeIntervalSince1970: 1_700_003_480))
        // Not a JWT, or a JWT without a numeric exp: the default lifetime.
        for token in [
            "opaque-token", "a.b.c", "a.e30.c", "a." + Data("{\"exp\":\"soon\"}".utf8).base64EncodedString() + ".c",
        ] {
            #expect(TokenCommandCredential.jwtExpiry(token) == nil)
            #expect(
                TokenCommandCredential.renewalDate(token: token, fetched: fetched, defaultLifetime: 600)
                    == fetched.addingTimeInterval(480))
        }
        #expect(TokenCommandCredential.defaultTimeout == 30)
        #expect(TokenCommandCredential.defaultLifetime == 600)
        #expect(TokenCommandCredential.renewalMargin == 120)
    }
}
