/// The two URL forms the service answers over one store of certificates.
///
/// | | legacy | ARM |
/// |---|---|---|
/// | collection | `/certificates` | `/subscriptions/{sub}/resourceGroups/{rg}/providers/…/service/{svc}/certificates` |
/// | versions | `2014-02-14-preview`, `2014-02-14` | ``armAPIVersions``: 2016-10-10 to 2025-03-01-preview |
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
        case .arm: return Self.armAPIVersions.map(\.name)
        }
    }

    /// The api-version a client sends when none is asked for: the newest that is not a preview (`2014-02-14`,
    /// `2024-05-01`).
    public var defaultAPIVersion: String {
        supportedAPIVersions.last { !$0.hasSuffix("-preview") } ?? supportedAPIVersions.last ?? ""
    }

    /// Every ARM api-version in which Microsoft's REST specification defines the certificate resource, oldest
    /// first, with what each says about the resource's shape.
    ///
    /// Where it came from: `Azure/azure-rest-api-specs`, `specification/apimanagement/resource-manager/`. The list
    /// is the AutoRest tags of `Microsoft.ApiManagement/readme.md` (and of the older `readme.md` one folder up)
    /// whose input files include `apimcertificates.json` (each row's ``ARMAPIVersion/specification``); 2016-07-07,
    /// the one tag without it, defines no certificate resource. The shape columns come from the
    /// `apimcertificates.json` of 2016-10-10, 2017-03-01, 2018-01-01, 2019-01-01, 2020-06-01-preview, 2020-12-01 and
    /// 2024-05-01 (paths, parameters, responses and, up to 2018-01-01, the definitions) and from the examples beside
    /// them (`examples/ApiManagement{List,Get,Head,Create,Delete,Refresh}Certificate*.json`); the versions between
    /// two that were read share their shape. `listsCount` is read for 2016-10-10 to 2018-01-01 (the definitions)
    /// and 2024-05-01 (the example); no `count` in 2019-12-01 and a `count` from 2020-06-01-preview on are inferred
    /// (the list examples of 2020-06-01-preview and 2020-12-01 show none, as they show `nextLink` as `""`).
    public static let armAPIVersions: [ARMAPIVersion] =
        [
            ARMAPIVersion(
                "2016-10-10", shape: .flat, listsCount: true, hasKeyVault: false, deleteAnswersNoContent: true),
            ARMAPIVersion("2017-03-01", listsCount: false, hasKeyVault: false, deleteAnswersNoContent: true),
        ]
        + ["2018-01-01", "2018-06-01-preview", "2019-01-01", "2019-12-01-preview", "2019-12-01"].map {
            ARMAPIVersion($0, listsCount: false, hasKeyVault: false)
        }
        + [
            "2020-06-01-preview", "2020-12-01", "2021-01-01-preview", "2021-04-01-preview", "2021-08-01",
            "2021-12-01-preview", "2022-04-01-preview", "2022-08-01", "2022-09-01-preview", "2023-03-01-preview",
            "2023-05-01-preview", "2023-09-01-preview", "2024-05-01", "2024-06-01-preview", "2024-10-01-preview",
            "2025-03-01-preview",
        ].map { ARMAPIVersion($0, listsCount: true, hasKeyVault: true) }

    /// The row of ``armAPIVersions`` for `name` (an exact, case-sensitive match), or `nil`.
    public static func armAPIVersion(_ name: String) -> ARMAPIVersion? {
        armAPIVersions.first { $0.name == name }
    }

    /// The first ARM api-version that defines Key Vault certificates, `refreshSecret` and
    /// `isKeyVaultRefreshFailed`: 2020-06-01-preview.
    public static var firstKeyVaultAPIVersion: String {
        armAPIVersions.first(where: \.hasKeyVault)?.name ?? ""
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
