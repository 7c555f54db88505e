import Foundation

/// What a `PUT` asks the service to store, read from either dialect's body.
///
/// ``decode(_:dialect:queryPassword:)`` is how the service reads a body: each way a body can be wrong has its own
/// ``CertificateAPIError/Code`` and a message that names the member, so that a `400` says which. Whether `data`
/// really is PKCS#12 and whether the password opens it are for the caller to find out.
///
/// The password is a secret: ``description`` and the mirror never show it, nor the certificate's bytes.
public enum CertificateUpload: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// A PKCS#12 file and its password (`nil` when none was sent).
    case pkcs12(data: Data, password: String?)
    /// A certificate held in Key Vault (ARM only).
    case keyVault(KeyVaultReference)

    /// The largest body the contract accepts: 4 MiB. Larger bodies are `413` (``ErrorCode/requestEntityTooLarge``).
    public static let maximumBodySize = 4 * 1_024 * 1_024

    /// Reads a `PUT` body.
    ///
    /// - Parameters:
    ///   - body: The request body.
    ///   - dialect: Which shape to expect: `{ data, password }` (legacy) or `{ properties: … }` (ARM).
    ///   - queryPassword: The `password` query parameter, which the reference's sample sends; used only when the
    ///     body has no `password` (the body wins).
    /// - Throws: ``CertificateAPIError`` with ``CertificateAPIError/Code/bodyNotJSON``,
    ///   ``CertificateAPIError/Code/bodyMissingData``, ``CertificateAPIError/Code/bodyInvalidField``,
    ///   ``CertificateAPIError/Code/bodyDataNotBase64`` or ``CertificateAPIError/Code/bodyConflictingProperties``.
    public static func decode(
        _ body: Data,
        dialect: Dialect,
        queryPassword: String? = nil
    ) throws(CertificateAPIError) -> CertificateUpload {
        switch dialect {
        case .legacy:
            let parsed = try decodeJSON(LegacyBody.self, from: body)
            guard let data = parsed.data else {
                throw CertificateAPIError(.bodyMissingData, "the request body lacks 'data'")
            }
            return .pkcs12(data: try decodeData(data, member: "data"), password: parsed.password ?? queryPassword)
        case .arm:
            let parsed = try decodeJSON(ARMBody.self, from: body)
            guard let properties = parsed.properties else {
                throw CertificateAPIError(.bodyMissingData, "the request body lacks 'properties'")
            }
            switch (properties.data, properties.keyVault) {
            case (.some, .some):
                throw CertificateAPIError(
                    .bodyConflictingProperties,
                    "the request body has both 'properties.data' and 'properties.keyVault'; send one"
                )
            case (.some(let data), nil):
                let bytes = try decodeData(data, member: "properties.data")
                return .pkcs12(data: bytes, password: properties.password ?? queryPassword)
            case (nil, .some(let keyVault)):
                guard let secret = keyVault.secretIdentifier, !secret.isEmpty else {
                    throw CertificateAPIError(
                        .bodyInvalidField,
                        "'properties.keyVault.secretIdentifier' is required"
                    )
                }
                return .keyVault(
                    KeyVaultReference(secretIdentifier: secret, identityClientId: keyVault.identityClientId))
            case (nil, nil):
                throw CertificateAPIError(
                    .bodyMissingData,
                    "the request body lacks 'properties.data' (or 'properties.keyVault')"
                )
            }
        }
    }

    /// Shows the kind and size, never the bytes or the password.
    public var description: String {
        switch self {
        case .pkcs12(let data, let password):
            return "pkcs12(\(data.count) bytes, password: \(password == nil ? "none" : "<redacted>"))"
        case .keyVault(let reference):
            return "keyVault(\(reference.secretIdentifier))"
        }
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the secrets.
    public var customMirror: Mirror {
        Mirror(self, children: ["summary": description])
    }

    private struct LegacyBody: Decodable {
        let data: String?
        let password: String?
    }

    private struct ARMBody: Decodable {
        struct Properties: Decodable {
            let data: String?
            let password: String?
            let keyVault: KeyVault?
        }

        struct KeyVault: Decodable {
            let secretIdentifier: String?
            let identityClientId: String?
        }

        let properties: Properties?
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, from body: Data) throws(CertificateAPIError) -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            throw CertificateAPIError(.bodyInvalidField, "\(memberName(context.codingPath)) has the wrong JSON type")
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw CertificateAPIError(.bodyNotJSON, "the request body is not a JSON object")
        } catch let DecodingError.valueNotFound(_, context) where !context.codingPath.isEmpty {
            throw CertificateAPIError(.bodyInvalidField, "\(memberName(context.codingPath)) is null")
        } catch {
            throw CertificateAPIError(.bodyNotJSON, "the request body is not a JSON object")
        }
    }

    private static func memberName(_ path: [any CodingKey]) -> String {
        "'" + path.map(\.stringValue).joined(separator: ".") + "'"
    }

    private static func decodeData(_ text: String, member: String) throws(CertificateAPIError) -> Data {
        // Line breaks and spaces (MIME-style base64) are dropped byte by byte: a PKCS#12 file is megabytes of
        // base64 at most, and building a String scalar by scalar cost as much as opening the file.
        let compact = text.utf8.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }
        guard !compact.isEmpty else {
            throw CertificateAPIError(.bodyInvalidField, "'\(member)' is empty")
        }
        guard let bytes = Base64.decode(utf8: compact) else {
            throw CertificateAPIError(.bodyDataNotBase64, "'\(member)' is not base64")
        }
        return Data(bytes)
    }
}
