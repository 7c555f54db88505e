import CertificateAPI
import Foundation
import HTTPTypes
import Hummingbird

/// The certificate routes of one dialect: list, get, head, put and delete, over one repository, and in ARM
/// `POST …/{certificateId}/refreshSecret`.
///
/// The dialects (and ARM's api-versions) differ in paths, body shapes and a few statuses, which
/// ``DialectRendering`` holds; the order of checks is the same: authentication (middleware), api-version,
/// identifier, `If-Match` and `If-None-Match`, `Content-Type`, body size, body, PKCS#12 (on the
/// ``PKCS12WorkPool``), then the store's precondition and write in one transaction.
///
/// `PUT` with `If-None-Match: *` creates only: `201` when the identifier is free, `412` when it exists, in either
/// dialect.
struct CertificateController: Sendable {
    let repository: any CertificateRepository
    let validator: UploadValidator
    let rendering: DialectRendering

    /// Adds the routes to a group whose path is the dialect's collection path.
    func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get(use: list)
        group.get(":certificateId", use: get)
        group.head(":certificateId", use: head)
        group.put(":certificateId", use: put)
        group.delete(":certificateId", use: delete)
        if rendering.dialect == .arm {
            group.post(":certificateId/refreshSecret", use: refreshSecret)
        }
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let parameters = try RequestReader.query(request.uri.query)
        let scope = try rendering.scope(context)
        let query: CollectionQuery
        do {
            query = try CollectionQuery(
                apiVersion: parameters["api-version"], filter: parameters["$filter"], top: parameters["$top"],
                skip: parameters["$skip"], keyVaultRefreshFailed: parameters["iskeyvaultrefreshfailed"],
                dialect: rendering.dialect)
        } catch {
            throw CertificateServiceError(error)
        }
        let page = try await repository.list(
            filter: query.filter, page: query.page, keyVaultRefreshFailed: query.keyVaultRefreshFailed)
        let collectionURL = rendering.baseURL(for: request) + request.uri.path
        let nextLink = query.nextLink(collectionURL: collectionURL, totalCount: page.totalCount)
        return try rendering.collection(
            page, nextLink: nextLink, scope: scope, version: Dialect.armAPIVersion(query.apiVersion))
    }

    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let (id, scope, version) = try target(request, context)
        guard let certificate = try await repository.certificate(id: id) else { throw Self.absent(id) }
        return try rendering.entity(certificate, status: .ok, scope: scope, version: version)
    }

    @Sendable func head(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let (id, _, _) = try target(request, context)
        guard let certificate = try await repository.certificate(id: id) else { throw Self.absent(id) }
        return Response(status: .ok, headers: [.eTag: certificate.etag])
    }

    @Sendable func put(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let parameters = try RequestReader.query(request.uri.query)
        let (id, scope, version) = try target(request, context, parameters: parameters)
        let ifMatch = try RequestReader.ifMatch(request)
        let createOnly = try RequestReader.ifNoneMatchAny(request)
        try RequestReader.checkContentType(request.headers[.contentType])
        let body = try await RequestReader.body(of: request)
        let upload: CertificateUpload
        do {
            // ARM 2016-10-10 takes the legacy body, `{ "data", "password" }`.
            let shape = version?.shape == .flat ? Dialect.legacy : rendering.dialect
            upload = try CertificateUpload.decode(body, dialect: shape, queryPassword: parameters["password"])
        } catch {
            throw CertificateServiceError(error)
        }
        if case .keyVault = upload, let version, !version.hasKeyVault {
            throw CertificateServiceError(
                CertificateAPIError(
                    .notInAPIVersion,
                    "'properties.keyVault' is defined from api-version \(Dialect.firstKeyVaultAPIVersion) on, "
                        + "not in '\(version.name)'"))
        }
        let content = try await validator.content(of: upload)
        let condition: WriteCondition
        switch (ifMatch, rendering.dialect) {
        case _ where createOnly: condition = .ifNoneMatchAny
        case (.some(let tags), _): condition = .ifMatch(tags)
        case (nil, .legacy): condition = .mustNotExist
        case (nil, .arm): condition = .unconditional
        }
        let outcome = try await repository.put(id: id, content: content, condition: condition)
        context.logger.info(
            "certificate stored",
            metadata: [
                "certificate.id": "\(id)", "thumbprint": "\(content.thumbprint)",
                "outcome": "\(outcome.isCreated ? "created" : "replaced")",
            ])
        switch outcome {
        case .created(let certificate):
            return try rendering.created(certificate, scope: scope, version: version)
        case .replaced(let certificate):
            return try rendering.replaced(certificate, scope: scope, version: version)
        }
    }

    /// `POST …/certificates/{certificateId}/refreshSecret`: fetches a Key Vault certificate's secret again and
    /// answers `200` with the entity and a new `ETag`, whatever the fetch's outcome, which `lastStatus` shows (a
    /// failed fetch keeps the facts of the last good one). A certificate uploaded with `data` has no secret: `400`.
    /// The write is conditional on the ETag read first, so a certificate replaced meanwhile makes it `412`.
    @Sendable func refreshSecret(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let (id, scope, version) = try target(request, context)
        if let version, !version.hasKeyVault {
            throw CertificateServiceError(
                CertificateAPIError(
                    .notInAPIVersion,
                    "refreshSecret is defined from api-version \(Dialect.firstKeyVaultAPIVersion) on, not in "
                        + "'\(version.name)'"))
        }
        guard let certificate = try await repository.certificate(id: id) else { throw Self.absent(id) }
        guard let reference = certificate.keyVault else {
            throw CertificateServiceError(
                .invalidRequest,
                "the certificate '\(id)' was uploaded with 'data', not taken from Key Vault: it has no secret to "
                    + "refresh", detailCode: "not-key-vault-certificate", target: "certificateId")
        }
        let content = try await validator.fetch(reference, previous: certificate.record)
        let outcome = try await repository.put(
            id: id, content: content, condition: .ifMatch(.tags([certificate.etag])))
        context.logger.info(
            "certificate secret refreshed",
            metadata: [
                "certificate.id": "\(id)", "status": "\(content.keyVaultStatus?.code ?? "")",
                "thumbprint": "\(content.thumbprint)",
            ])
        return try rendering.entity(outcome.certificate, status: .ok, scope: scope, version: version)
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let (id, _, version) = try target(request, context)
        guard let condition = try RequestReader.ifMatch(request) else {
            throw CertificateServiceError(
                .missingIfMatch, "DELETE requires an If-Match header with the certificate's ETag (or '*')",
                target: "If-Match")
        }
        _ = try await repository.delete(id: id, condition: condition)
        context.logger.info("certificate deleted", metadata: ["certificate.id": "\(id)"])
        return Response(status: rendering.deletedStatus(version))
    }

    /// Checks the api-version and reads the identifier (and, in ARM, the service scope and the version's row) of an
    /// entity request.
    private func target(
        _ request: Request, _ context: ServiceRequestContext, parameters: [String: String]? = nil
    ) throws(CertificateServiceError) -> (id: String, scope: ARMServiceScope?, version: ARMAPIVersion?) {
        let query: [String: String]
        if let parameters {
            query = parameters
        } else {
            query = try RequestReader.query(request.uri.query)
        }
        let scope = try rendering.scope(context)
        let version: String
        do {
            version = try rendering.dialect.validateAPIVersion(query["api-version"])
        } catch {
            throw CertificateServiceError(error)
        }
        let id = try RequestReader.identifier(context.parameters.get("certificateId"), dialect: rendering.dialect)
        return (id, scope, rendering.dialect == .arm ? Dialect.armAPIVersion(version) : nil)
    }

    private static func absent(_ id: String) -> CertificateServiceError {
        .notFound("the certificate '\(id)' does not exist")
    }
}

extension PutOutcome {
    var isCreated: Bool {
        if case .created = self { return true }
        return false
    }
}
