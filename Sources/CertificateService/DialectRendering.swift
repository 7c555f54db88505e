import CertificateAPI
import Foundation
import HTTPTypes
import Hummingbird

/// What differs between the dialects once a request is understood: the ARM service scope, the body shapes, and the
/// statuses of a replacing `PUT` and of a `DELETE`.
///
/// | | legacy | ARM |
/// |---|---|---|
/// | body | ``CertificateAPI/CertificateEntity`` | ``CertificateAPI/ARMCertificateResource`` |
/// | `PUT` that replaces | `204` with `ETag`, no body | `200` with body and `ETag` |
/// | `DELETE` | `204` | `200` |
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

    /// A certificate in the dialect's shape, with its `ETag`.
    func entity(_ certificate: StoredCertificate, status: HTTPResponse.Status, scope: ARMServiceScope?) throws
        -> Response
    {
        let headers: HTTPFields = [.eTag: certificate.etag]
        if let scope {
            return JSONBody.response(
                status: status,
                ARMCertificateResource(certificate.record, scope: scope, keyVault: certificate.keyVault),
                headers: headers)
        }
        return JSONBody.response(status: status, CertificateEntity(certificate.record), headers: headers)
    }

    /// The answer to a `PUT` that replaced a certificate.
    func replaced(_ certificate: StoredCertificate, scope: ARMServiceScope?) throws -> Response {
        guard dialect == .arm else { return Response(status: .noContent, headers: [.eTag: certificate.etag]) }
        return try entity(certificate, status: .ok, scope: scope)
    }

    /// A page of certificates in the dialect's shape.
    func collection(_ page: CertificatePage, nextLink: String?, scope: ARMServiceScope?) throws -> Response {
        if let scope {
            let value = page.certificates.map {
                ARMCertificateResource($0.record, scope: scope, keyVault: $0.keyVault)
            }
            return JSONBody.response(
                status: .ok, ARMCertificateCollection(value: value, count: page.totalCount, nextLink: nextLink))
        }
        let value = page.certificates.map { CertificateEntity($0.record) }
        return JSONBody.response(
            status: .ok, CertificateEntityCollection(value: value, count: page.totalCount, nextLink: nextLink))
    }

    /// The status of a successful `DELETE`.
    var deletedStatus: HTTPResponse.Status { dialect == .arm ? .ok : .noContent }

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
