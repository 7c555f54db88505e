/// The two URL forms the service answers over one store of certificates.
///
/// | | legacy | ARM |
/// |---|---|---|
/// | collection | `/certificates` | `/subscriptions/{sub}/resourceGroups/{rg}/providers/…/service/{svc}/certificates` |
/// | versions | `2014-02-14-preview`, `2014-02-14` | `2021-08-01`, `2022-08-01`, `2023-05-01-preview`, `2024-05-01` |
/// | auth | `SharedAccessSignature` | `Bearer` |
/// | id rule | 1–256 characters | 1–80 characters, none of `* # & + : < > ?` |
/// | `$filter` identifier field | `id` | `name` |
public enum Dialect: String, Hashable, Sendable, CaseIterable, Codable {
    /// The API Management REST API of the reference (`/certificates`).
    case legacy
    /// The current Azure Resource Manager form.
    case arm

    /// The api-versions the dialect accepts, oldest first.
    public var supportedAPIVersions: [String] {
        switch self {
        case .legacy: return ["2014-02-14-preview", "2014-02-14"]
        case .arm: return ["2021-08-01", "2022-08-01", "2023-05-01-preview", "2024-05-01"]
        }
    }

    /// Whether the dialect accepts `apiVersion` (an exact, case-sensitive match).
    public func supports(apiVersion: String) -> Bool {
        supportedAPIVersions.contains(apiVersion)
    }

    /// Checks the `api-version` query parameter.
    /// - Parameter apiVersion: The parameter's value, or `nil` when it is absent.
    /// - Returns: The version, when the dialect supports it.
    /// - Throws: ``CertificateAPIError/Code/missingAPIVersion`` when absent or empty,
    ///   ``CertificateAPIError/Code/unsupportedAPIVersion`` when unknown.
    public func validateAPIVersion(_ apiVersion: String?) throws(CertificateAPIError) -> String {
        guard let apiVersion, !apiVersion.isEmpty else {
            throw CertificateAPIError(
                .missingAPIVersion,
                "the api-version query parameter is required; supported: \(supportedList)"
            )
        }
        guard supports(apiVersion: apiVersion) else {
            throw CertificateAPIError(
                .unsupportedAPIVersion,
                "api-version \(CertificateAPIError.quoted(apiVersion)) is not supported; supported: \(supportedList)"
            )
        }
        return apiVersion
    }

    private var supportedList: String { supportedAPIVersions.joined(separator: ", ") }

    /// The greatest length of a certificate identifier, in Unicode scalars: 256 (legacy) or 80 (ARM).
    public var maximumIdentifierLength: Int {
        switch self {
        case .legacy: return 256
        case .arm: return 80
        }
    }

    /// The characters that the dialect's own rule forbids in an identifier: none (legacy) or `* # & + : < > ?`
    /// (ARM). ``CertificateIdentifier`` forbids control characters, `/` and `%` in both dialects on top of these.
    public var forbiddenIdentifierCharacters: Set<Character> {
        switch self {
        case .legacy: return []
        case .arm: return ["*", "#", "&", "+", ":", "<", ">", "?"]
        }
    }

    /// The name of the identifier field in `$filter`: `id` (legacy) or `name` (ARM).
    public var identifierFieldName: String {
        switch self {
        case .legacy: return "id"
        case .arm: return "name"
        }
    }
}
