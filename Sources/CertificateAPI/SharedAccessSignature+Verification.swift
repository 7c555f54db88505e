import Crypto
import Foundation

extension SharedAccessSignature {
    /// Checks the signature against an identifier's keys and its expiry against `now`.
    ///
    /// The signature is checked with both keys, each in constant time, before the expiry, so that "expired" is
    /// said only of a signature that was genuine. A signature is valid while `now` is before its expiry.
    /// - Parameters:
    ///   - keys: The keys of ``uid``, or `nil` when the identifier has none.
    ///   - now: The current time, passed in so that tests can choose it.
    /// - Throws: ``CertificateAPIError/Code/sasUnknownIdentifier``, ``CertificateAPIError/Code/sasBadSignature``
    ///   or ``CertificateAPIError/Code/sasExpired``.
    public func verify(keys: SharedAccessKeyPair?, now: Date) throws(CertificateAPIError) {
        guard let keys else {
            throw CertificateAPIError(
                .sasUnknownIdentifier,
                "the shared access signature names an unknown identifier \(CertificateAPIError.quoted(uid))"
            )
        }
        let mac = Base64.decode(signature) ?? []
        let message = Array(stringToSign.utf8)
        let primary = HMAC<SHA512>.isValidAuthenticationCode(
            mac, authenticating: message, using: keys.primary.symmetricKey)
        var secondary = false
        if let key = keys.secondary?.symmetricKey {
            secondary = HMAC<SHA512>.isValidAuthenticationCode(mac, authenticating: message, using: key)
        }
        guard primary || secondary else {
            throw CertificateAPIError(
                .sasBadSignature,
                "the shared access signature for \(CertificateAPIError.quoted(uid)) is not signed by its keys"
            )
        }
        guard now < expiryDate else {
            throw CertificateAPIError(
                .sasExpired,
                "the shared access signature for \(CertificateAPIError.quoted(uid)) expired at \(expiry)"
            )
        }
    }

    /// Checks the signature with the keys that `keyring` holds for ``uid`` (see ``verify(keys:now:)``).
    public func verify(keyring: [String: SharedAccessKeyPair], now: Date) throws(CertificateAPIError) {
        try verify(keys: keyring[uid], now: now)
    }

    /// Reads the `Authorization` header and verifies it: ``parse(authorizationHeader:)`` then
    /// ``verify(keys:now:)``.
    /// - Returns: The verified signature, whose ``uid`` says who the caller is.
    public static func verify(
        authorizationHeader: String?,
        keyring: [String: SharedAccessKeyPair],
        now: Date
    ) throws(CertificateAPIError) -> SharedAccessSignature {
        let signature = try parse(authorizationHeader: authorizationHeader)
        try signature.verify(keyring: keyring, now: now)
        return signature
    }
}
