import Crypto
import Foundation

// A small HMAC-signed token for the ARM dialect's `Authorization: Bearer …`, minted with the service operator's
// keys (real Azure AD tokens are not validated offline):
//
//   certdrop.<base64url(payload)>.<base64url(HMAC-SHA256(key, "certdrop.<base64url(payload)>"))>
//   payload = {"exp":<seconds since 1970>,"sub":"<subject>"}
//
// base64url is without padding and must be canonical. The signature covers the prefix and the payload exactly as
// sent, and is checked before the payload is read.

/// A verified bearer token's claims: who (``subject``) and until when (``expiresAt``).
public struct BearerToken: Hashable, Sendable, CustomStringConvertible {
    /// The first part of every token: `certdrop`.
    public static let prefix = "certdrop"
    /// The authorization scheme: `Bearer`.
    public static let scheme = "Bearer"
    /// The longest token accepted, against hostile input.
    public static let maximumLength = 4_096

    /// Who the token was minted for.
    public let subject: String
    /// When the token stops being valid, in whole seconds.
    public let expiresAt: Date

    /// Makes claims; `expiresAt` is cut down to whole seconds.
    public init(subject: String, expiresAt: Date) {
        self.subject = subject
        self.expiresAt = Date(timeIntervalSince1970: Double(Self.seconds(expiresAt)))
    }

    /// The subject and the expiry.
    public var description: String {
        "BearerToken(subject: \(subject), expiresAt: \(WireDate.string(from: expiresAt)))"
    }

    private struct Payload: Codable {
        let exp: Int64
        let sub: String
    }

    /// Mints a token for `subject`, valid until `expiresAt` (cut down to whole seconds), signed with `key`.
    public static func mint(subject: String, expiresAt: Date, key: SigningKey) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding two plain members cannot fail.
        let json = (try? encoder.encode(Payload(exp: seconds(expiresAt), sub: subject))) ?? Data()
        return sign(payload: Array(json), key: key)
    }

    /// `certdrop.<base64url(payload)>.<signature>` for any payload bytes (tests use it to reach the checks that
    /// lie behind the signature).
    static func sign(payload: [UInt8], key: SigningKey) -> String {
        let signingInput = prefix + "." + Base64.encodeURL(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key.symmetricKey)
        return signingInput + "." + Base64.encodeURL(Array(mac))
    }

    /// The `Authorization` header value for a token: `Bearer <token>`.
    public static func authorizationHeaderValue(token: String) -> String {
        scheme + " " + token
    }

    /// Verifies a token.
    ///
    /// The signature is checked with every key, each in constant time, before the payload is read; the token is
    /// valid while `now` is before its expiry.
    /// - Parameters:
    ///   - token: The token, without the `Bearer ` scheme.
    ///   - keys: The operator's keys; a token signed with any of them is accepted.
    ///   - now: The current time.
    /// - Throws: ``CertificateAPIError/Code/tokenMalformed``, ``CertificateAPIError/Code/tokenBadSignature`` or
    ///   ``CertificateAPIError/Code/tokenExpired``.
    public static func verify(
        _ token: String,
        keys: [SigningKey],
        now: Date
    ) throws(CertificateAPIError) -> BearerToken {
        guard token.utf8.count <= maximumLength else {
            throw malformed("the bearer token is longer than \(maximumLength) characters")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == prefix else {
            throw malformed("the bearer token is not of the form '\(prefix).<payload>.<signature>'")
        }
        guard let payloadBytes = Base64.decodeURL(parts[1]), let mac = Base64.decodeURL(parts[2]) else {
            throw malformed("the bearer token's payload or signature is not base64url")
        }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        var valid = false
        for key in keys {
            let matches = HMAC<SHA256>.isValidAuthenticationCode(
                mac, authenticating: signingInput, using: key.symmetricKey)
            valid = valid || matches
        }
        guard valid else {
            throw CertificateAPIError(.tokenBadSignature, "the bearer token is not signed by a known key")
        }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(payloadBytes)), !payload.sub.isEmpty
        else {
            throw malformed("the bearer token's payload is not {\"sub\": <text>, \"exp\": <integer>}")
        }
        let claims = BearerToken(subject: payload.sub, expiresAt: Date(timeIntervalSince1970: Double(payload.exp)))
        guard now < claims.expiresAt else {
            throw CertificateAPIError(
                .tokenExpired,
                "the bearer token for \(CertificateAPIError.quoted(payload.sub)) expired at "
                    + WireDate.string(from: claims.expiresAt)
            )
        }
        return claims
    }

    /// Reads an `Authorization: Bearer …` header and verifies the token (see ``verify(_:keys:now:)``).
    /// - Throws: ``CertificateAPIError/Code/tokenMissing`` when there is no header or it uses another scheme, and
    ///   the errors of ``verify(_:keys:now:)``.
    public static func verify(
        authorizationHeader: String?,
        keys: [SigningKey],
        now: Date
    ) throws(CertificateAPIError) -> BearerToken {
        guard let header = authorizationHeader?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw CertificateAPIError(.tokenMissing, "the request has no Authorization header")
        }
        let schemeEnd = header.firstIndex(of: " ") ?? header.endIndex
        guard header[..<schemeEnd].caseInsensitiveCompare(scheme) == .orderedSame else {
            throw CertificateAPIError(.tokenMissing, "the Authorization header does not use the \(scheme) scheme")
        }
        let token = header[schemeEnd...].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw malformed("the bearer token is empty") }
        return try verify(token, keys: keys, now: now)
    }

    private static func seconds(_ date: Date) -> Int64 {
        let value = date.timeIntervalSince1970.rounded(.down)
        guard value.isFinite else { return 0 }
        return Int64(min(max(value, WireDate.earliest), WireDate.latest))
    }

    private static func malformed(_ message: String) -> CertificateAPIError {
        CertificateAPIError(.tokenMalformed, message)
    }
}
