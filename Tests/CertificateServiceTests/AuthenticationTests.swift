import CertificateAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

@testable import CertificateService

/// `401` where it belongs: shared access signatures on the legacy dialect and the admin routes, bearer tokens on
/// the ARM dialect.
@Suite struct AuthenticationTests {
    static let legacy = DialectClient(dialect: .legacy)
    static let arm = DialectClient(dialect: .arm)
    static let later = Date().addingTimeInterval(3_600)
    static let earlier = Date().addingTimeInterval(-60)

    static func sas(_ form: SharedAccessSignature.Form = .keyed, key: String = "primary-test-key", expiry: Date = later)
        -> String
    {
        SharedAccessSignature.mint(uid: "integration", key: SigningKey(key), expiry: expiry, form: form)
            .authorizationHeaderValue
    }

    static func bearer(key: String = "primary-test-key", expiry: Date = later) -> String {
        "Bearer " + BearerToken.mint(subject: "integration", expiresAt: expiry, key: SigningKey(key))
    }

    @Test(arguments: [
        (sas(), true), (sas(key: "secondary-key"), true), (sas(.compact), true),
        (sas(key: "some-other-key"), false), (sas(expiry: earlier), false), (bearer(), false),
        ("SharedAccessSignature uid=integration&ex=nope&sn=AAAA", false), ("SharedAccessSignature", false),
        ("Basic dXNlcjpwYXNz", false),
    ])
    func theLegacyDialectTakesSharedAccessSignatures(header: String, accepted: Bool) async throws {
        let d = Self.legacy
        try await TestService().test { client in
            let response = try await d.send(client, .get, d.collection(), authorization: .some(header))
            if accepted {
                #expect(response.status == .ok)
            } else {
                expectError(response, .unauthorized, .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "SharedAccessSignature")
            }
        }
    }

    @Test(arguments: [
        (bearer(), true), (bearer(key: "secondary-key"), true), (bearer(key: "another"), false),
        (bearer(expiry: earlier), false), (sas(), false), ("Bearer not.a.token", false), ("Bearer ", false),
    ])
    func theARMDialectTakesBearerTokens(header: String, accepted: Bool) async throws {
        let d = Self.arm
        try await TestService().test { client in
            let response = try await d.send(client, .get, d.collection(), authorization: .some(header))
            if accepted {
                #expect(response.status == .ok)
            } else {
                expectError(response, .unauthorized, .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
        }
    }

    @Test func theDetailSaysWhatIsWrong() async throws {
        let d = Self.legacy
        try await TestService().test { client in
            let cases: [(String?, String)] = [
                (nil, "sas-missing"), (Self.sas(expiry: Self.earlier), "sas-expired"),
                (Self.sas(key: "x"), "sas-bad-signature"),
                ("SharedAccessSignature uid=someone&ex=2099-01-01T00:00:00.0000000Z&sn=AAAA", "sas-unknown-identifier"),
                ("SharedAccessSignature uid=a&uid=b&ex=x&sn=y", "sas-malformed"),
            ]
            for (header, detail) in cases {
                let response = try await d.send(client, .get, d.collection(), authorization: .some(header))
                expectError(response, .unauthorized, .unauthorized, detail: detail)
            }
        }
    }

    @Test func everyCertificateRouteNeedsCredentials() async throws {
        try await TestService().test { client in
            for d in DialectClient.both {
                for (method, uri) in [
                    (HTTPRequest.Method.get, d.collection()), (.get, d.entity("x")), (.head, d.entity("x")),
                    (.put, d.entity("x")), (.delete, d.entity("x")),
                ] {
                    let response = try await d.send(client, method, uri, authorization: .some(nil))
                    #expect(response.status == .unauthorized, "\(method) \(uri)")
                }
            }
        }
    }

    @Test func twoAuthorizationHeadersAreRefused() async throws {
        let d = Self.legacy
        try await TestService().test { client in
            var headers = HTTPFields()
            headers.append(HTTPField(name: .authorization, value: Self.sas()))
            headers.append(HTTPField(name: .authorization, value: Self.sas()))
            let response = try await client.execute(uri: d.collection(), method: .get, headers: headers)
            expectError(response, .unauthorized, .unauthorized, detail: "auth-ambiguous")
        }
    }

    @Test func aRememberedCredentialStillExpires() throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        let expiry = Date(timeIntervalSince1970: 1_800_000_060)
        for (scheme, header) in [
            (AuthenticationMiddleware.Scheme.sharedAccessSignature, Self.sas(expiry: expiry)),
            (.bearer, Self.bearer(expiry: expiry)),
        ] {
            clock.withLock { $0 = Date(timeIntervalSince1970: 1_800_000_000) }
            let middleware = AuthenticationMiddleware(scheme, keys: TestService.keys) { clock.withLock { $0 } }
            try middleware.authenticate([header])
            try middleware.authenticate([header])  // remembered
            clock.withLock { $0 = expiry }
            #expect {
                try middleware.authenticate([header])
            } throws: { error in
                ["sas-expired", "token-expired"].contains((error as? CertificateServiceError)?.detailCode)
            }
            // A different header is never taken for a remembered one.
            #expect(throws: CertificateServiceError.self) { try middleware.authenticate([header + "x"]) }
        }
    }

    @Test func tokensMintedFromTheKeyFileAreAccepted() async throws {
        let keys = TestService.keys
        let later = Self.later
        let legacy = try AccessToken.mint(.sharedAccessSignature(.keyed), keys: keys, expiry: later)
        let compact = try AccessToken.mint(.sharedAccessSignature(.compact), keys: keys, expiry: later)
        let bearer = try AccessToken.mint(.bearer, keys: keys, expiry: later, useSecondaryKey: true)
        let middleware = AuthenticationMiddleware(.sharedAccessSignature, keys: keys)
        try middleware.authenticate([legacy])
        try middleware.authenticate([compact])
        try AuthenticationMiddleware(.bearer, keys: keys).authenticate(["Bearer " + bearer])
        #expect(throws: CertificateServiceError.self) {
            try AccessToken.mint(.bearer, keys: keys, identifier: "someone-else", expiry: later)
        }
    }
}
