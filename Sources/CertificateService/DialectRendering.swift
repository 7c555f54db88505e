import CertificateAPI
import Foundation
import HTTPTypes
import Hummingbird

/// What differs between the dialects (and between ARM api-versions, ``CertificateAPI/ARMAPIVersion``) once a request
/// is understood: the ARM service scope, the body shapes, and the statuses of `PUT` and `DELETE`.
///
/// | | legacy, ARM 2016-10-10 | ARM 2017-03-01 on |
/// |---|---|---|
/// | body | ``CertificateAPI/CertificateEntity`` | ``CertificateAPI/ARMCertificateResource`` |
/// | `PUT` that creates | `201` with body and `ETag` (2016-10-10: no body) | `201` with body and `ETag` |
/// | `PUT` that replaces | `204` with `ETag`, no body | `200` with body and `ETag` |
/// | `DELETE` | `204` | `200` (2017-03-01: `204`) |
///
/// ARM versions before 2020-06-01-preview show no `keyVault` and no `count`.
struct DialectRendering: Sendable {
    let dialect: Dialect
    /// The ARM service name this instance answers to.
    let instanceName: String
    /// The ARM subscription it answers to, or `nil` for any.
    let subscriptionId: String?
    /// The ARM resource group it answers to, or `nil` for any.
    let resourceGroupName: String?
    /// The start of absolute URLs, or `nil` to use the request's `Host`.
    let publicBaseURL: String?
    /// `host:port` for requests without a usable `Host` header.
    let fallbackAuthority: String

    /// The ARM scope of a request from its path parameters, or `nil` in the legacy dialect.
    /// - Throws: ``CertificateServiceError/Code/resourceNotFound`` when the service (or a pinned subscription or
    ///   resource group) is not this instance's.
    func scope(_ context: ServiceRequestContext) throws(CertificateServiceError) -> ARMServiceScope? {
        guard dialect == .arm else { return nil }
        let subscription = try RequestReader.segment(context.parameters.get("subscriptionId"), name: "subscriptionId")
        let group = try RequestReader.segment(
            context.parameters.get("resourceGroupName"), name: "resourceGroupName")
        let service = try RequestReader.segment(context.parameters.get("serviceName"), name: "serviceName")
        let known =
            service.lowercased() == instanceName.lowercased()
            && (subscriptionId.map { $0.lowercased() == subscription.lowercased() } ?? true)
            && (resourceGroupName.map { $0.lowercased() == group.lowercased() } ?? true)
        guard known else {
            throw CertificateServiceError(
                .resourceNotFound,
                "the resource 'Microsoft.ApiManagement/service/\(service)' under resource group '\(group)' "
                    + "was not found; this instance serves '\(instanceName)'",
                detailCode: "service-not-found", target: "serviceName")
        }
        return ARMServiceScope(subscriptionId: subscription, resourceGroupName: group, serviceName: service)
    }

    /// `scheme://host[:port]` for absolute links.
    func baseURL(for request: Request) -> String {
        if let publicBaseURL { return publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL }
        let authority = request.head.authority.flatMap { Self.isPlainAuthority($0) ? $0 : nil } ?? fallbackAuthority
        return "http://" + authority
    }

    /// A certificate in the shape of the dialect and version, with its `ETag`.
    func entity(
        _ certificate: StoredCertificate, status: HTTPResponse.Status, scope: ARMServiceScope?,
        version: ARMAPIVersion?
    ) throws -> Response {
        let headers: HTTPFields = [.eTag: certificate.etag]
        if let scope, let resource = Self.resource(certificate, scope: scope, version: version) {
            return JSONBody.response(status: status, resource, headers: headers)
        }
        return JSONBody.response(status: status, CertificateEntity(certificate.record), headers: headers)
    }

    /// The answer to a `PUT` that created a certificate: `201` with the entity, or (ARM 2016-10-10) without one.
    func created(_ certificate: StoredCertificate, scope: ARMServiceScope?, version: ARMAPIVersion?) throws
        -> Response
    {
        if version?.shape == .flat { return Response(status: .created, headers: [.eTag: certificate.etag]) }
        return try entity(certificate, status: .created, scope: scope, version: version)
    }

    /// The answer to a `PUT` that replaced a certificate.
    func replaced(_ certificate: StoredCertificate, scope: ARMServiceScope?, version: ARMAPIVersion?) throws
        -> Response
    {
        guard dialect == .arm, version?.shape != .flat else {
            return Response(status: .noContent, headers: [.eTag: certificate.etag])
        }
        return try entity(certificate, status: .ok, scope: scope, version: version)
    }

    /// A page of certificates in the shape of the dialect and version.
    func collection(
        _ page: CertificatePage, nextLink: String?, scope: ARMServiceScope?, version: ARMAPIVersion?
    ) throws -> Response {
        if let scope, let version, version.shape == .envelope {
            let value = page.certificates.compactMap { Self.resource($0, scope: scope, version: version) }
            if version.listsCount {
                return JSONBody.response(
                    status: .ok, ARMCertificateCollection(value: value, count: page.totalCount, nextLink: nextLink))
            }
            return JSONBody.response(status: .ok, UncountedPage(value: value, nextLink: nextLink))
        }
        let value = page.certificates.map { CertificateEntity($0.record) }
        return JSONBody.response(
            status: .ok, CertificateEntityCollection(value: value, count: page.totalCount, nextLink: nextLink))
    }

    /// The status of a successful `DELETE`.
    func deletedStatus(_ version: ARMAPIVersion?) -> HTTPResponse.Status {
        guard dialect == .arm, version?.deleteAnswersNoContent != true else { return .noContent }
        return .ok
    }

    /// The ARM resource of a certificate in a version with the envelope, `keyVault` shown where the version has
    /// it; `nil` for the flat 2016-10-10 shape.
    private static func resource(_ certificate: StoredCertificate, scope: ARMServiceScope, version: ARMAPIVersion?)
        -> ARMCertificateResource?
    {
        guard version?.shape != .flat else { return nil }
        let showsKeyVault = version?.hasKeyVault ?? true
        return ARMCertificateResource(
            certificate.record, scope: scope, keyVault: showsKeyVault ? certificate.keyVault : nil,
            keyVaultStatus: showsKeyVault ? certificate.keyVaultStatus : nil)
    }

    /// A list page of the ARM versions whose collection has no `count` (2017-03-01 to 2019-12-01).
    private struct UncountedPage: Encodable {
        let value: [ARMCertificateResource]
        let nextLink: String?

        private enum CodingKeys: String, CodingKey {
            case value, nextLink
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(value, forKey: .value)
            try container.encode(nextLink, forKey: .nextLink)
        }
    }

    /// Whether a `Host` value is a plain host and port that can go into a URL as it is.
    static func isPlainAuthority(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 255
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"),
                    UInt8(ascii: "["), UInt8(ascii: "]"):
                    return true
                default:
                    return false
                }
            }
    }
}
