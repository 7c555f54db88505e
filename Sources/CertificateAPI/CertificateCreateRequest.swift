/// The legacy `PUT /certificates/{cid}` body: `{ "data": "<base64 PKCS#12>", "password": "…" }`.
///
/// `data` and `password` are write-only secrets: ``description``, ``debugDescription`` and the mirror that
/// `dump` uses show neither. The service reads bodies with ``CertificateUpload/decode(_:dialect:queryPassword:)``,
/// which names what is wrong with a bad one.
public struct CertificateCreateRequest: Hashable, Sendable, Codable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    /// The PKCS#12 file, base64 (RFC 4648, with padding, no line breaks).
    public let data: String
    /// The PKCS#12 password, or `nil` to send none.
    public let password: String?

    /// Makes a body from base64 text.
    public init(data: String, password: String?) {
        self.data = data
        self.password = password
    }

    /// Makes a body from the PKCS#12 bytes.
    public init(pkcs12 bytes: some Sequence<UInt8>, password: String?) {
        self.init(data: Base64.encode(Array(bytes)), password: password)
    }

    private enum CodingKeys: String, CodingKey {
        case data, password
    }

    /// Encodes `data`, and `password` when there is one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encodeIfPresent(password, forKey: .password)
    }

    /// Shows the size of `data` and whether there is a password, never their contents.
    public var description: String {
        "CertificateCreateRequest(data: \(data.utf8.count) base64 characters, password: "
            + (password == nil ? "none" : "<redacted>") + ")"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the secrets.
    public var customMirror: Mirror {
        Mirror(self, children: ["data": "<\(data.utf8.count) base64 characters>", "password": "<redacted>"])
    }
}

/// The ARM `PUT …/certificates/{certificateId}` body, in one of two forms:
///
/// ```json
/// { "properties": { "data": "<base64 PKCS#12>", "password": "…" } }
/// { "properties": { "keyVault": { "secretIdentifier": "…", "identityClientId": "…" } } }
/// ```
///
/// Like ``CertificateCreateRequest``, its descriptions and mirror never show `data` or `password`.
public struct ARMCertificateCreateRequest: Hashable, Sendable, Codable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    /// The members under `properties`.
    public struct Properties: Hashable, Sendable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
        CustomReflectable
    {
        /// The PKCS#12 file, base64; `nil` in the Key Vault form.
        public let data: String?
        /// The PKCS#12 password; `nil` when there is none or in the Key Vault form.
        public let password: String?
        /// The Key Vault secret; `nil` in the upload form.
        public let keyVault: KeyVaultReference?

        /// Makes the members as given.
        public init(data: String?, password: String?, keyVault: KeyVaultReference?) {
            self.data = data
            self.password = password
            self.keyVault = keyVault
        }

        /// Shows the form and the size of `data`, never the contents of `data` or `password`.
        public var description: String {
            if let keyVault {
                return "Properties(keyVault: \(keyVault.secretIdentifier))"
            }
            return "Properties(data: \(data?.utf8.count ?? 0) base64 characters, password: "
                + (password == nil ? "none" : "<redacted>") + ")"
        }

        /// The same as ``description``.
        public var debugDescription: String { description }

        /// A mirror without the secrets.
        public var customMirror: Mirror {
            Mirror(self, children: ["summary": description])
        }
    }

    /// The members under `properties`.
    public let properties: Properties

    /// Makes a body with members as given.
    public init(properties: Properties) {
        self.properties = properties
    }

    /// Makes the upload form from base64 text.
    public init(data: String, password: String?) {
        self.init(properties: Properties(data: data, password: password, keyVault: nil))
    }

    /// Makes the upload form from the PKCS#12 bytes.
    public init(pkcs12 bytes: some Sequence<UInt8>, password: String?) {
        self.init(data: Base64.encode(Array(bytes)), password: password)
    }

    /// Makes the Key Vault form.
    public init(keyVault: KeyVaultReference) {
        self.init(properties: Properties(data: nil, password: nil, keyVault: keyVault))
    }

    /// Shows the form and the size of `data`, never the contents of `data` or `password`.
    public var description: String { "ARMCertificateCreateRequest(\(properties))" }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the secrets.
    public var customMirror: Mirror {
        Mirror(self, children: ["properties": description])
    }
}
