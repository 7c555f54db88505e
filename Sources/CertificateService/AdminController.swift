import CertificateAPI
import Foundation
import HTTPTypes
import Hummingbird

/// The operator's routes, outside the contract: policy references (which make `DELETE`'s in-use rule real) and the
/// concurrency figures. The group they are added to requires the operator's shared access signature.
///
/// | route | answer |
/// |---|---|
/// | `GET /admin/policy-references[?certificateId=…]` | `200 {"value": [{"scope", "certificateId"}]}` |
/// | `PUT /admin/policy-references/{scope}/{certificateId}` | `201` new, `200` known, `404` no such certificate |
/// | `DELETE /admin/policy-references/{scope}/{certificateId}` | `204`, or `404` when there was none |
/// | `GET /admin/stats` | `200 {"maxInFlight", "inFlight", "requests"}` |
/// | `DELETE /admin/stats` | `204`; `maxInFlight` starts again from the requests in flight now |
///
/// A scope is one path segment, percent-encoded (`apis%2Fecho-api`), 1–256 characters without control characters.
struct AdminController: Sendable {
    let repository: any CertificateRepository
    let metrics: ServiceMetrics

    private struct References: Codable {
        let value: [PolicyReference]
    }

    /// Adds the routes to the `/admin` group.
    func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("policy-references", use: listReferences)
        group.put("policy-references/:scope/:certificateId", use: addReference)
        group.delete("policy-references/:scope/:certificateId", use: removeReference)
        group.get("stats", use: stats)
        group.delete("stats", use: resetStats)
    }

    @Sendable func listReferences(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let parameters = try RequestReader.query(request.uri.query)
        var certificateId: String?
        if let id = parameters["certificateid"] {
            certificateId = try RequestReader.checkedIdentifier(id, dialect: .legacy)
        }
        let references = try await repository.policyReferences(certificateId: certificateId)
        return JSONBody.response(status: .ok, References(value: references))
    }

    @Sendable func addReference(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let reference = try Self.reference(context)
        let created = try await repository.addPolicyReference(reference)
        context.logger.info(
            "policy reference recorded",
            metadata: ["scope": "\(reference.scope)", "certificate.id": "\(reference.certificateId)"])
        return JSONBody.response(status: created ? .created : .ok, reference)
    }

    @Sendable func removeReference(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let reference = try Self.reference(context)
        guard try await repository.removePolicyReference(reference) else {
            throw CertificateServiceError.notFound(
                "no policy reference from '\(reference.scope)' to '\(reference.certificateId)'")
        }
        return Response(status: .noContent)
    }

    @Sendable func stats(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        JSONBody.response(status: .ok, metrics.snapshot)
    }

    @Sendable func resetStats(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        metrics.resetConcurrency()
        return Response(status: .noContent)
    }

    private static func reference(_ context: ServiceRequestContext) throws(CertificateServiceError) -> PolicyReference {
        let certificateId = try RequestReader.identifier(context.parameters.get("certificateId"), dialect: .legacy)
        guard let raw = context.parameters.get("scope"),
            let scope = RequestReader.percentDecode(Substring(raw), plusIsSpace: false),
            (1...256).contains(scope.unicodeScalars.count),
            !scope.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw CertificateServiceError(
                .invalidRequest, "the policy scope must be 1 to 256 characters without control characters",
                detailCode: "invalid-scope", target: "scope")
        }
        return PolicyReference(scope: scope, certificateId: certificateId)
    }
}
