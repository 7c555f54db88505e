import Foundation
import Testing

@testable import CertificateAPI

@Suite struct BearerTokenTests {
    static let key = SigningKey("operator-key")
    static let expiresAt = Date(timeIntervalSince1970: 1_796_119_200)
    static let before = expiresAt.addingTimeInterval(-1)
    /// Minted independently (Python's hmac and base64) for sub "operator", exp 1796119200, key "operator-key".
    static let known =
        "certdrop.eyJleHAiOjE3OTYxMTkyMDAsInN1YiI6Im9wZXJhdG9yIn0.rFPmpOzx-CRPwka0mMOt7JgL9y2U53pRav1TZZ3zsWw"

    static func failure(_ token: String, keys: [SigningKey] = [key], now: Date = before) -> CertificateAPIError? {
        do {
            _ = try BearerToken.verify(token, keys: keys, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test func mintsTheKnownToken() {
        #expect(BearerToken.mint(subject: "operator", expiresAt: Self.expiresAt, key: Self.key) == Self.known)
        #expect(
            BearerToken.mint(subject: "operator", expiresAt: Self.expiresAt.addingTimeInterval(0.9), key: Self.key)
                == Self.known)
    }

    @Test func verifiesTheKnownToken() throws {
        let claims = try BearerToken.verify(Self.known, keys: [SigningKey("other"), Self.key], now: Self.before)
        #expect(claims == BearerToken(subject: "operator", expiresAt: Self.expiresAt))
        #expect(claims.description == "BearerToken(subject: operator, expiresAt: 2026-12-01T10:00:00Z)")
    }

    @Test func verifiesTheHeader() throws {
        for header in ["Bearer \(Self.known)", "bearer \(Self.known)", "  Bearer   \(Self.known) "] {
            let claims = try BearerToken.verify(authorizationHeader: header, keys: [Self.key], now: Self.before)
            #expect(claims.subject == "operator")
        }
        #expect(BearerToken.authorizationHeaderValue(token: Self.known) == "Bearer \(Self.known)")
    }

    @Test func roundTripsUnusualSubjects() throws {
        for subject in ["ü/\"quoted\"\\", "a.b.c", String(repeating: "x", count: 1_000)] {
            let token = BearerToken.mint(subject: subject, expiresAt: Self.expiresAt, key: Self.key)
            #expect(try BearerToken.verify(token, keys: [Self.key], now: Self.before).subject == subject)
        }
    }

    @Test(arguments: [nil, "", "Basic abc", "SharedAccessSignature uid=a&ex=b&sn=c"] as [String?])
    func reportsMissing(header: String?) {
        do {
            _ = try BearerToken.verify(authorizationHeader: header, keys: [Self.key], now: Self.before)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .tokenMissing)
            #expect(error.errorResponse.error.knownCode == .unauthorized)
        }
    }

    @Test func reportsEmptyBearerAsMalformed() {
        do {
            _ = try BearerToken.verify(authorizationHeader: "Bearer ", keys: [Self.key], now: Self.before)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .tokenMalformed)
        }
    }

    static let parts = known.split(separator: ".").map(String.init)

    /// A token with any payload text, signed with the right key.
    static func signed(_ payload: String) -> String {
        BearerToken.sign(payload: Array(payload.utf8), key: key)
    }

    @Test(arguments: [
        ("", "the bearer token is not of the form 'certdrop.<payload>.<signature>'"),
        ("certdrop", "the bearer token is not of the form 'certdrop.<payload>.<signature>'"),
        ("certdrop.a", "the bearer token is not of the form 'certdrop.<payload>.<signature>'"),
        ("other.\(parts[1]).\(parts[2])", "the bearer token is not of the form 'certdrop.<payload>.<signature>'"),
        ("\(known).x", "the bearer token is not of the form 'certdrop.<payload>.<signature>'"),
        ("certdrop.\(parts[1])=.\(parts[2])", "the bearer token's payload or signature is not base64url"),
        ("certdrop.\(parts[1]).\(parts[2])=", "the bearer token's payload or signature is not base64url"),
        (
            "certdrop.\(parts[1]).\(parts[2].replacingOccurrences(of: "-", with: "+"))",
            "the bearer token's payload or signature is not base64url"
        ),
        ("certdrop.\(parts[1].dropLast()).\(parts[2])", "the bearer token's payload or signature is not base64url"),
        ("certdrop.\(parts[1]).\(parts[2].dropLast())X", "the bearer token's payload or signature is not base64url"),
        (String(repeating: "a", count: 4_097), "the bearer token is longer than 4096 characters"),
    ])
    func reportsMalformed(token: String, message: String) throws {
        let error = try #require(Self.failure(token))
        #expect(error.code == .tokenMalformed)
        #expect(error.message == message)
    }

    @Test(arguments: [
        #"{"sub":"operator"}"#, #"{"exp":1796119200}"#, #"{"exp":"1796119200","sub":"operator"}"#,
        #"{"exp":1796119200.5,"sub":"operator"}"#, #"{"exp":1796119200,"sub":""}"#, #"{"exp":1796119200,"sub":7}"#,
        #"[1796119200,"operator"]"#, "not json", #"{"exp":1e400,"sub":"x"}"#,
    ])
    func reportsMalformedPayloadsBehindGoodSignatures(payload: String) throws {
        let error = try #require(Self.failure(Self.signed(payload)))
        #expect(error.code == .tokenMalformed)
        #expect(error.message == #"the bearer token's payload is not {"sub": <text>, "exp": <integer>}"#)
    }

    @Test func readsExtremeExpiries() throws {
        let far = try BearerToken.verify(
            Self.signed(#"{"exp":9223372036854775807,"sub":"x"}"#), keys: [Self.key], now: Self.before)
        #expect(WireDate.string(from: far.expiresAt) == "9999-12-31T23:59:59Z")
        #expect(Self.failure(Self.signed(#"{"exp":-9223372036854775808,"sub":"x"}"#))?.code == .tokenExpired)
    }

    @Test func reportsBadSignatures() throws {
        let tamperedPayload =
            "certdrop." + Self.base64url(Array(#"{"exp":4102444800,"sub":"operator"}"#.utf8)) + "."
            + Self.parts[2]
        for token in [
            tamperedPayload,
            BearerToken.mint(subject: "operator", expiresAt: Self.expiresAt, key: SigningKey("guessed")),
            "certdrop.\(Self.parts[1]).AAAA",
            "certdrop.\(Self.parts[1]).",
            "certdrop..\(Self.parts[2])",
        ] {
            let error = try #require(Self.failure(token))
            #expect(error.code == .tokenBadSignature, "\(token)")
            #expect(error.message == "the bearer token is not signed by a known key")
        }
        #expect(Self.failure(Self.known, keys: [])?.code == .tokenBadSignature)
    }

    @Test func reportsExpiredOnlyForGenuineTokens() throws {
        #expect(Self.failure(Self.known, now: Self.expiresAt.addingTimeInterval(-0.5)) == nil)
        let error = try #require(Self.failure(Self.known, now: Self.expiresAt))
        #expect(error.code == .tokenExpired)
        #expect(error.message == "the bearer token for 'operator' expired at 2026-12-01T10:00:00Z")
        let forged = BearerToken.mint(subject: "operator", expiresAt: Self.expiresAt, key: SigningKey("guessed"))
        #expect(Self.failure(forged, now: Self.expiresAt.addingTimeInterval(1))?.code == .tokenBadSignature)
    }

    @Test func neverShowsTheKeyOrSignature() throws {
        var shown: [String] = [String(describing: Self.key), String(reflecting: Self.key)]
        for token in [Self.known, "certdrop.\(Self.parts[1]).AAAA", "certdrop.x.y"] {
            if let error = Self.failure(token, now: Self.expiresAt.addingTimeInterval(1)) {
                shown.append(error.description)
            }
        }
        for text in shown {
            #expect(!text.contains("operator-key"))
            #expect(!text.contains(Self.parts[2]))
        }
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

}
