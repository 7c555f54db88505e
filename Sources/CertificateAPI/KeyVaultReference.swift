/// A certificate held in Azure Key Vault rather than uploaded: ARM's `properties.keyVault`.
///
/// ```json
/// { "secretIdentifier": "https://myvault.vault.azure.net/secrets/mycert", "identityClientId": "…" }
/// ```
///
/// `identityClientId` names a user-assigned managed identity; when it is absent the service's system-assigned
/// identity is meant. Members this type does not model (such as ARM's `lastStatus`) are ignored on decoding.
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
