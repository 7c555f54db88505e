import CertificateAPI
import Foundation
import Testing

@Suite struct SharedAccessSignatureTests {
    static let primary = "primary-key-1"
    static let secondary = "secondary-key-2"
    static let keyring = ["integration": SharedAccessKeyPair(primary: primary, secondary: secondary)]
    static let expiry = "2026-12-01T10:00:00.0000000Z"
    static let expiryDate = Date(timeIntervalSince1970: 1_796_119_200)
    static let before = expiryDate.addingTimeInterval(-60)
    /// HMAC-SHA512 of "integration\n2026-12-01T10:00:00.0000000Z", computed independently (Python's hmac).
    static let primarySignature =
        "NbZw0ZX3lU0Ur1PZVlMrR9Qu9oHsFRs3SN2LV4iJSsEU3fQZKVzY3phgdJqKQdyigJTrHMuu6J0pzSEUym7mGQ=="
    /// The same with the secondary key; it has `+` and `/` in it.
    static let secondarySignature =
        "IpK10EScENgIukfOaStVoZsGSxlFkN2Q+clE3Nmn/jH9wvy6ko3Z5CTsmxdP2xL5qlhYm76fuXIY7IonDwy9jg=="

    static func failure(_ header: String?, now: Date = before) -> CertificateAPIError? {
        do {
            _ = try SharedAccessSignature.verify(authorizationHeader: header, keyring: keyring, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test func mintsTheKnownSignature() {
        let minted = SharedAccessSignature.mint(
            uid: "integration", key: SigningKey(Self.primary), expiry: Self.expiryDate)
        #expect(minted.expiry == Self.expiry)
        #expect(minted.signature == Self.primarySignature)
        #expect(minted.stringToSign == "integration\n" + Self.expiry)
        #expect(
            minted.authorizationHeaderValue
                == "SharedAccessSignature uid=integration&ex=\(Self.expiry)&sn=\(Self.primarySignature)"
        )
    }

    @Test(arguments: [
        "SharedAccessSignature uid=integration&ex=\(expiry)&sn=\(primarySignature)",
        "SharedAccessSignature sn=\(primarySignature)&uid=integration&ex=\(expiry)",
        "SharedAccessSignature ex=\(expiry)&sn=\(primarySignature)&uid=integration",
        "SharedAccessSignature uid=integration&ex=\(expiry)&sn=\(secondarySignature)",
        "sharedaccesssignature uid=integration&ex=\(expiry)&sn=\(secondarySignature)",
        "  SharedAccessSignature   uid=integration&ex=\(expiry)&sn=\(primarySignature)  ",
        "SharedAccessSignature UID=integration&EX=\(expiry)&SN=\(primarySignature)",
    ])
    func verifiesKeyedForms(header: String) throws {
        let signature = try SharedAccessSignature.verify(
            authorizationHeader: header, keyring: Self.keyring, now: Self.before)
        #expect(signature.uid == "integration")
        #expect(signature.expiry == Self.expiry)
        #expect(signature.expiryDate == Self.expiryDate)
        #expect(signature.form == .keyed)
    }

    @Test func verifiesTheCompactForm() throws {
        let header = "SharedAccessSignature integration&202612011000&\(Self.primarySignature)"
        let signature = try SharedAccessSignature.verify(
            authorizationHeader: header, keyring: Self.keyring, now: Self.before)
        #expect(signature.form == .compact)
        #expect(signature.expiry == Self.expiry)
        #expect(signature.authorizationHeaderValue == header)
    }

    @Test func mintsTheCompactForm() throws {
        let expiry = Self.expiryDate.addingTimeInterval(42.5)  // cut down to the minute
        let minted = SharedAccessSignature.mint(
            uid: "integration",
            key: SigningKey(Self.secondary),
            expiry: expiry,
            form: .compact
        )
        #expect(
            minted.authorizationHeaderValue
                == "SharedAccessSignature integration&202612011000&\(Self.secondarySignature)")
        let parsed = try SharedAccessSignature.parse(authorizationHeader: minted.authorizationHeaderValue)
        #expect(parsed == minted)
        try parsed.verify(keyring: Self.keyring, now: Self.before)
    }

    @Test func roundTripsMintedSignatures() throws {
        for form in SharedAccessSignature.Form.allCases {
            for expiry in [Self.expiryDate, Self.expiryDate.addingTimeInterval(0.25), Date(timeIntervalSince1970: 4e9)]
            {
                let minted = SharedAccessSignature.mint(uid: "a b/c", key: SigningKey("k"), expiry: expiry, form: form)
                let parsed = try SharedAccessSignature.parse(authorizationHeader: minted.authorizationHeaderValue)
                #expect(parsed == minted)
                try parsed.verify(keys: SharedAccessKeyPair(primary: "other", secondary: "k"), now: Self.before)
            }
        }
    }

    @Test(arguments: [nil, "", "   "] as [String?])
    func reportsMissing(header: String?) throws {
        let error = try #require(Self.failure(header))
        #expect(error.code == .sasMissing)
        #expect(error.message == "the request has no Authorization header")
        #expect(error.errorResponse.error.knownCode == .unauthorized)
    }

    @Test(arguments: ["Bearer abc", "Basic dXNlcjpwYXNz", "SharedAccessSignatures uid=a&ex=b&sn=c", "uid=a&ex=b&sn=c"])
    func reportsOtherSchemesAsMissing(header: String) throws {
        #expect(try #require(Self.failure(header)).code == .sasMissing)
    }

    @Test(arguments: [
        ("SharedAccessSignature", "the shared access signature is empty"),
        ("SharedAccessSignature    ", "the shared access signature is empty"),
        ("SharedAccessSignature uid=integration&ex=\(expiry)", "the shared access signature lacks 'sn'"),
        ("SharedAccessSignature uid=integration&sn=\(primarySignature)", "the shared access signature lacks 'ex'"),
        ("SharedAccessSignature ex=\(expiry)&sn=\(primarySignature)", "the shared access signature lacks 'uid'"),
        ("SharedAccessSignature uid=&ex=\(expiry)&sn=\(primarySignature)", "the shared access signature lacks 'uid'"),
        (
            "SharedAccessSignature uid=a&uid=b&ex=\(expiry)&sn=\(primarySignature)",
            "the shared access signature has 'uid' twice"
        ),
        (
            "SharedAccessSignature uid=a&ex=\(expiry)&sn=\(primarySignature)&x=1",
            "the shared access signature has an unknown part 'x'"
        ),
        (
            "SharedAccessSignature uid=a&ex=\(expiry)&sn=\(primarySignature)&",
            "the shared access signature has a part without '='"
        ),
        (
            "SharedAccessSignature uid=a&ex=tomorrow&sn=\(primarySignature)",
            "the shared access signature's expiry 'tomorrow' is not a date"
        ),
        (
            "SharedAccessSignature uid=a&ex=\(expiry)&sn=not*base64",
            "the shared access signature's signature is not base64"
        ),
        ("SharedAccessSignature uid=a&ex=\(expiry)&sn=AAA", "the shared access signature's signature is not base64"),
        (
            "SharedAccessSignature uid=a\u{1}&ex=\(expiry)&sn=\(primarySignature)",
            "the shared access signature's identifier is empty or has control characters"
        ),
        (
            "SharedAccessSignature integration&202612011000",
            "the shared access signature is neither 'uid=…&ex=…&sn=…' nor '{id}&{yyyyMMddHHmm}&{sig}'"
        ),
        (
            "SharedAccessSignature integration&2026120110&\(primarySignature)",
            "the shared access signature's expiry is not 'yyyyMMddHHmm'"
        ),
        (
            "SharedAccessSignature integration&202613011000&\(primarySignature)",
            "the shared access signature's expiry '202613011000' is not a date"
        ),
        (
            "SharedAccessSignature &202612011000&\(primarySignature)",
            "the shared access signature's identifier is empty or has control characters"
        ),
        ("SharedAccessSignature integration&202612011000&", "the shared access signature's signature is not base64"),
        (
            "SharedAccessSignature " + String(repeating: "a", count: 5_000),
            "the Authorization header is longer than 4096 characters"
        ),
    ])
    func reportsMalformed(header: String, message: String) throws {
        let error = try #require(Self.failure(header))
        #expect(error.code == .sasMalformed)
        #expect(error.message == message)
    }

    @Test func reportsUnknownIdentifier() throws {
        let error = try #require(
            Self.failure("SharedAccessSignature uid=someone&ex=\(Self.expiry)&sn=\(Self.primarySignature)"))
        #expect(error.code == .sasUnknownIdentifier)
        #expect(error.message == "the shared access signature names an unknown identifier 'someone'")
    }

    @Test(arguments: [
        // Signed for another identifier, another expiry, with the wrong key, or tampered with.
        "SharedAccessSignature uid=integration&ex=2026-12-01T10:00:00.0000001Z&sn=\(primarySignature)",
        "SharedAccessSignature uid=integration&ex=2026-12-01T10:00:00Z&sn=\(primarySignature)",
        "SharedAccessSignature uid=integration&ex=\(expiry)&sn="
            + primarySignature.replacingOccurrences(of: "N", with: "M"),
        "SharedAccessSignature uid=integration&ex=\(expiry)&sn=\(String(primarySignature.dropLast(4)))",
        "SharedAccessSignature uid=integration&ex=\(expiry)&sn=AAAA",
        "SharedAccessSignature integration&202612011001&\(primarySignature)",
        "SharedAccessSignature uid=integration&ex=\(expiry)&sn="
            + SharedAccessSignature.mint(
                uid: "integration", key: SigningKey("guessed"), expiry: expiryDate
            ).signature,
    ])
    func reportsBadSignatures(header: String) throws {
        let error = try #require(Self.failure(header))
        #expect(error.code == .sasBadSignature)
        #expect(error.message == "the shared access signature for 'integration' is not signed by its keys")
    }

    @Test func reportsExpiredOnlyForGenuineSignatures() throws {
        let header = "SharedAccessSignature uid=integration&ex=\(Self.expiry)&sn=\(Self.primarySignature)"
        #expect(Self.failure(header, now: Self.expiryDate.addingTimeInterval(-0.001)) == nil)
        let atExpiry = try #require(Self.failure(header, now: Self.expiryDate))
        #expect(atExpiry.code == .sasExpired)
        #expect(atExpiry.message == "the shared access signature for 'integration' expired at \(Self.expiry)")
        let later = try #require(Self.failure(header, now: Self.expiryDate.addingTimeInterval(86_400)))
        #expect(later.code == .sasExpired)
        // A forged signature that is also expired is reported as forged.
        let forged = "SharedAccessSignature uid=integration&ex=\(Self.expiry)&sn=AAAA"
        #expect(try #require(Self.failure(forged, now: Self.expiryDate.addingTimeInterval(1))).code == .sasBadSignature)
    }

    @Test func aPairWithoutSecondaryKeyRejectsTheSecondarySignature() throws {
        let header = "SharedAccessSignature uid=integration&ex=\(Self.expiry)&sn=\(Self.secondarySignature)"
        let signature = try SharedAccessSignature.parse(authorizationHeader: header)
        #expect(throws: CertificateAPIError.self) {
            try signature.verify(keys: SharedAccessKeyPair(primary: Self.primary), now: Self.before)
        }
        try signature.verify(keys: SharedAccessKeyPair(primary: Self.secondary), now: Self.before)
    }

    @Test func neverShowsKeysOrSignatures() throws {
        let signature = try SharedAccessSignature.parse(
            authorizationHeader: "SharedAccessSignature uid=integration&ex=\(Self.expiry)&sn=\(Self.primarySignature)"
        )
        let pair = SharedAccessKeyPair(primary: Self.primary, secondary: Self.secondary)
        var errors: [CertificateAPIError] = []
        for header in [
            "SharedAccessSignature uid=integration&ex=\(Self.expiry)&sn=\(Self.secondarySignature.dropLast(4))AAA=",
            "SharedAccessSignature uid=integration&ex=\(Self.expiry)&sn=\(Self.primarySignature)",
            "SharedAccessSignature uid=integration&ex=\(Self.expiry)&sn=\(Self.primarySignature)&sn=AAAA",
            "SharedAccessSignature uid=x&ex=\(Self.expiry)&sn=\(Self.primarySignature)",
        ] {
            if let error = Self.failure(header, now: Self.expiryDate.addingTimeInterval(1)) { errors.append(error) }
        }
        #expect(errors.count == 4)
        var shown = [
            String(describing: signature), String(reflecting: pair), String(describing: SigningKey(Self.primary)),
        ]
        shown += errors.map { String(describing: $0) } + errors.map { "\($0.errorResponse)" }
        var dumped = ""
        dump(pair, to: &dumped)
        dump(SigningKey(Self.secondary), to: &dumped)
        shown.append(dumped)
        for text in shown {
            for secret in [Self.primary, Self.secondary, Self.primarySignature, Self.secondarySignature] {
                #expect(!text.contains(secret), "\(text)")
            }
            #expect(!text.contains(String(Self.primarySignature.prefix(20))), "\(text)")
        }
    }
}
