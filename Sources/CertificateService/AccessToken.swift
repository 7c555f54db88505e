import CertificateAPI
import Foundation

/// Mints the credentials the service accepts, from the operator's key file: what `certdrop token` prints.
public enum AccessToken {
    /// The kind of credential.
    public enum Kind: Hashable, Sendable {
        /// A shared access signature for the legacy dialect and the admin routes, in one of its two spellings.
        case sharedAccessSignature(SharedAccessSignature.Form)
        /// A bearer token for the ARM dialect.
        case bearer
    }

    /// The lifetime of a credential when none is asked for: one hour.
    public static let defaultLifetime: TimeInterval = 3_600

    /// Mints a credential.
    ///
    /// - Parameters:
    ///   - kind: A shared access signature or a bearer token.
    ///   - keys: The operator's key file.
    ///   - identifier: The access identifier; `nil` for the key file's. Another identifier than the file's is an
    ///     error, since the service would not know it.
    ///   - expiry: When the credential stops being valid (a past date is allowed, for testing clients).
    ///   - useSecondaryKey: Sign with the secondary key instead of the primary one.
    /// - Returns: For a shared access signature, the whole `Authorization` header value
    ///   (`SharedAccessSignature uid=…&ex=…&sn=…`); for a bearer token, the token alone (send it as
    ///   `Authorization: Bearer <token>`).
    /// - Throws: ``CertificateServiceError/Code/invalidRequest`` (detail `key-file`) for an unknown identifier or a
    ///   key file without a secondary key.
    public static func mint(
        _ kind: Kind,
        keys: AccessKeyFile,
        identifier: String? = nil,
        expiry: Date,
        useSecondaryKey: Bool = false
    ) throws(CertificateServiceError) -> String {
        if let identifier, identifier != keys.identifier {
            throw CertificateServiceError(
                .invalidRequest,
                "the key file holds the keys of the identifier '\(keys.identifier)', not '\(identifier)'",
                detailCode: "key-file")
        }
        let key: SigningKey
        if useSecondaryKey {
            guard let secondary = keys.keys.secondary else {
                throw CertificateServiceError(
                    .invalidRequest, "the key file has no secondary key", detailCode: "key-file")
            }
            key = secondary
        } else {
            key = keys.keys.primary
        }
        switch kind {
        case .sharedAccessSignature(let form):
            return SharedAccessSignature.mint(uid: keys.identifier, key: key, expiry: expiry, form: form)
                .authorizationHeaderValue
        case .bearer:
            return BearerToken.mint(subject: keys.identifier, expiresAt: expiry, key: key)
        }
    }

    /// The `Authorization` header value of a credential that ``mint(_:keys:identifier:expiry:useSecondaryKey:)``
    /// returned.
    public static func authorizationHeaderValue(_ credential: String, kind: Kind) -> String {
        switch kind {
        case .sharedAccessSignature: return credential
        case .bearer: return BearerToken.authorizationHeaderValue(token: credential)
        }
    }
}
