/// One ARM api-version of the certificate resource and what its specification says about the resource's shape.
///
/// The rows live in ``Dialect/armAPIVersions``; each names the specification file it was read from
/// (``specification``, a path in `Azure/azure-rest-api-specs`). Where versions differ, the service answers in the
/// shape of the version the request names:
///
/// | versions | resource | collection `count` | `keyVault`, `refreshSecret`, `isKeyVaultRefreshFailed` | `DELETE` |
/// |---|---|---|---|---|
/// | 2016-10-10 | flat (`id`, `subject`, `thumbprint`, `expirationDate`) | yes | no | `204` |
/// | 2017-03-01 | `{ id, type, name, properties }` | no | no | `204` |
/// | 2018-01-01 – 2019-12-01 | `{ id, type, name, properties }` | no | no | `200` |
/// | 2020-06-01-preview and later | `{ id, type, name, properties }` | yes | yes | `200` |
public struct ARMAPIVersion: Hashable, Sendable, CustomStringConvertible {
    /// How a certificate is laid out in a response body.
    public enum ResourceShape: String, Hashable, Sendable {
        /// 2016-10-10: the facts at the top level, `id` as `/certificates/{certificateId}`, no `type` or `name`;
        /// the `PUT` body is `{ "data", "password" }`; a create answers `201` and a replace `204`, without a body;
        /// an error body is `{ "code", "message", "details" }` (`ErrorBodyContract`), without the `error` envelope.
        case flat
        /// 2017-03-01 on: ARM's resource envelope, the facts under `properties`; `PUT` answers with the resource.
        case envelope
    }

    /// The api-version, such as `2024-05-01` or `2023-05-01-preview`.
    public let name: String
    /// The specification file that defines the certificate resource in this version, relative to
    /// `specification/apimanagement/resource-manager/Microsoft.ApiManagement/` in `Azure/azure-rest-api-specs`.
    public let specification: String
    /// The layout of a certificate in bodies.
    public let shape: ResourceShape
    /// Whether a list writes `count` (the specification's `CertificateCollection` has it).
    public let listsCount: Bool
    /// Whether the version defines `properties.keyVault` (with `lastStatus`), `POST …/refreshSecret` and the list
    /// parameter `isKeyVaultRefreshFailed`.
    public let hasKeyVault: Bool
    /// Whether a successful `DELETE` answers `204` (the only status the specification lists) rather than `200`.
    public let deleteAnswersNoContent: Bool

    /// Makes a row; its ``specification`` is `stable/NAME/apimcertificates.json` (`preview/…` for a preview).
    public init(
        _ name: String, shape: ResourceShape = .envelope, listsCount: Bool, hasKeyVault: Bool,
        deleteAnswersNoContent: Bool = false
    ) {
        self.name = name
        self.specification = (name.hasSuffix("-preview") ? "preview/" : "stable/") + name + "/apimcertificates.json"
        self.shape = shape
        self.listsCount = listsCount
        self.hasKeyVault = hasKeyVault
        self.deleteAnswersNoContent = deleteAnswersNoContent
    }

    /// Whether this is a preview version (`…-preview`).
    public var isPreview: Bool { name.hasSuffix("-preview") }

    /// The api-version.
    public var description: String { name }
}
