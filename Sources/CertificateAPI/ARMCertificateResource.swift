import Foundation

/// A certificate in the ARM dialect:
///
/// ```json
/// { "id": "/subscriptions/…/service/{svc}/certificates/{certificateId}",
///   "type": "Microsoft.ApiManagement/service/certificates", "name": "{certificateId}",
///   "properties": { "subject": "…", "thumbprint": "…", "expirationDate": "2016-08-21T21:10:42Z",
///                   "keyVault": { "secretIdentifier": "…", "identityClientId": "…",
///                                 "lastStatus": { "code": "Success", "timeStampUtc": "…" } } } }
/// ```
///
/// `keyVault` is present only for certificates that come from Key Vault; its `lastStatus` is kept apart from the
/// reference (``Properties/keyVaultStatus``). Dates are written and read as in ``CertificateEntity``.
public struct ARMCertificateResource: Hashable, Sendable, Codable {
    /// The ARM resource type of a certificate: `Microsoft.ApiManagement/service/certificates`.
    public static let resourceType = "Microsoft.ApiManagement/service/certificates"

    /// The facts under `properties`.
    public struct Properties: Hashable, Sendable, Codable {
        /// The leaf's subject.
        public let subject: String
        /// SHA-1 of the leaf's DER, upper-case hex.
        public let thumbprint: String
        /// The leaf's notAfter.
        public let expirationDate: Date
        /// Where the certificate comes from, when it is held in Key Vault.
        public let keyVault: KeyVaultReference?
        /// How the last fetch of the Key Vault secret went (`keyVault.lastStatus`), when the service says.
        public let keyVaultStatus: KeyVaultStatus?

        /// Makes the properties.
        public init(
            subject: String, thumbprint: String, expirationDate: Date, keyVault: KeyVaultReference? = nil,
            keyVaultStatus: KeyVaultStatus? = nil
        ) {
            self.subject = subject
            self.thumbprint = thumbprint
            self.expirationDate = expirationDate
            self.keyVault = keyVault
            self.keyVaultStatus = keyVault == nil ? nil : keyVaultStatus
        }

        private enum CodingKeys: String, CodingKey {
            case subject, thumbprint, expirationDate, keyVault
        }

        private enum KeyVaultKeys: String, CodingKey {
            case secretIdentifier, identityClientId, lastStatus
        }

        /// Decodes the properties; `expirationDate` may lack the `Z` and may have a fraction of a second.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            subject = try container.decode(String.self, forKey: .subject)
            thumbprint = try container.decode(String.self, forKey: .thumbprint)
            expirationDate = try container.decodeWireDate(forKey: .expirationDate)
            keyVault = try container.decodeIfPresent(KeyVaultReference.self, forKey: .keyVault)
            if keyVault != nil {
                let nested = try container.nestedContainer(keyedBy: KeyVaultKeys.self, forKey: .keyVault)
                keyVaultStatus = try nested.decodeIfPresent(KeyVaultStatus.self, forKey: .lastStatus)
            } else {
                keyVaultStatus = nil
            }
        }

        /// Encodes the properties; `keyVault` is left out when absent, `identityClientId` and `lastStatus` when
        /// unknown.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(subject, forKey: .subject)
            try container.encode(thumbprint, forKey: .thumbprint)
            try container.encodeWireDate(expirationDate, forKey: .expirationDate)
            if let keyVault {
                var nested = container.nestedContainer(keyedBy: KeyVaultKeys.self, forKey: .keyVault)
                try nested.encode(keyVault.secretIdentifier, forKey: .secretIdentifier)
                try nested.encodeIfPresent(keyVault.identityClientId, forKey: .identityClientId)
                try nested.encodeIfPresent(keyVaultStatus, forKey: .lastStatus)
            }
        }
    }

    /// The resource's full path.
    public let id: String
    /// The resource type; ``resourceType`` for certificates.
    public let type: String
    /// The certificate identifier.
    public let name: String
    /// The certificate's facts.
    public let properties: Properties

    /// Makes a resource with members as given.
    public init(id: String, type: String = Self.resourceType, name: String, properties: Properties) {
        self.id = id
        self.type = type
        self.name = name
        self.properties = properties
    }

    /// Renders a record under a service scope.
    public init(
        _ record: CertificateRecord, scope: ARMServiceScope, keyVault: KeyVaultReference? = nil,
        keyVaultStatus: KeyVaultStatus? = nil
    ) {
        self.init(
            id: scope.resourceID(certificateId: record.certificateId),
            name: record.certificateId,
            properties: Properties(
                subject: record.subject,
                thumbprint: record.thumbprint,
                expirationDate: record.expirationDate,
                keyVault: keyVault,
                keyVaultStatus: keyVaultStatus
            )
        )
    }

    /// The record this resource shows; `name` is its identifier.
    public var record: CertificateRecord {
        CertificateRecord(
            certificateId: name,
            subject: properties.subject,
            thumbprint: properties.thumbprint,
            expirationDate: properties.expirationDate
        )
    }
}
