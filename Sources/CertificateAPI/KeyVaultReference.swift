import Foundation

/// A certificate held in Azure Key Vault rather than uploaded: ARM's `properties.keyVault`.
///
/// ```json
/// { "secretIdentifier": "https://myvault.vault.azure.net/secrets/mycert", "identityClientId": "…" }
/// ```
///
/// `identityClientId` names a user-assigned managed identity; when it is absent the service's system-assigned
/// identity is meant. ARM responses add `lastStatus` (``KeyVaultStatus``), which ``ARMCertificateResource`` keeps
/// beside the reference, so that two references compare by what they point at.
public struct KeyVaultReference: Hashable, Sendable, Codable {
    /// The Key Vault secret's URL.
    public let secretIdentifier: String
    /// The client id of the managed identity that reads the secret, or `nil` for the system-assigned one.
    public let identityClientId: String?

    /// Makes a reference.
    public init(secretIdentifier: String, identityClientId: String? = nil) {
        self.secretIdentifier = secretIdentifier
        self.identityClientId = identityClientId
    }
}

/// How the last fetch of a Key Vault secret went: ARM's `properties.keyVault.lastStatus`.
///
/// ```json
/// { "code": "Success", "timeStampUtc": "2020-09-22T00:24:53.3191468Z" }
/// { "code": "Failed", "message": "…", "timeStampUtc": "…" }
/// ```
///
/// `timeStampUtc` is written with seven fraction digits, as the specification's examples show it, and read in any
/// form ``WireDate`` reads.
public struct KeyVaultStatus: Hashable, Sendable, Codable {
    /// The code of a fetch that worked.
    public static let success = "Success"
    /// The code of a fetch that failed.
    public static let failed = "Failed"

    /// ``success`` or ``failed`` (other codes from other services are kept as they come).
    public let code: String
    /// What went wrong, or `nil` when the fetch worked.
    public let message: String?
    /// When the secret was last fetched.
    public let timeStampUtc: Date?

    /// Makes a status.
    public init(code: String, message: String? = nil, timeStampUtc: Date?) {
        self.code = code
        self.message = message
        self.timeStampUtc = timeStampUtc
    }

    /// Whether the last fetch failed.
    public var isFailure: Bool { code == Self.failed }

    private enum CodingKeys: String, CodingKey {
        case code, message, timeStampUtc
    }

    /// Decodes a status; every member may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decodeIfPresent(String.self, forKey: .code) ?? ""
        message = try container.decodeIfPresent(String.self, forKey: .message)
        timeStampUtc = try container.decodeIfPresent(String.self, forKey: .timeStampUtc).flatMap(WireDate.date(from:))
    }

    /// Encodes `code`, `message` when there is one, and `timeStampUtc` with seven fraction digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encodeIfPresent(timeStampUtc.map(WireDate.roundTripString(from:)), forKey: .timeStampUtc)
    }
}
