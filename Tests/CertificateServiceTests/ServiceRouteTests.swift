import CertificateAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CertificateService

/// The routes around the certificates: `404` and `405`, the ARM scope, Key Vault references, the admin routes,
/// `/health` and `/metrics`.
@Suite struct ServiceRouteTests {
    static let legacy = DialectClient(dialect: .legacy)
    static let arm = DialectClient(dialect: .arm)

    @Test func unknownPathsAre404InTheErrorBody() async throws {
        try await TestService().test { client in
            for path in ["/", "/nope", "/certificates/a/b", "/subscriptions/x", "/admin"] {
                let response = try await client.execute(uri: path, method: .get)
                expectError(response, .notFound, .resourceNotFound, detail: "no-such-path")
            }
        }
    }

    @Test func knownPathsWithAnotherMethodAre405WithAllow() async throws {
        try await TestService().test { client in
            for route in KnownRoute.all {
                let path = "/" + route.template.map { $0 ?? "x" }.joined(separator: "/")
                for method in [HTTPRequest.Method.get, .head, .put, .delete, .post, .patch, .options] {
                    let response = try await client.execute(uri: path, method: method)
                    if route.methods.contains(method) {
                        #expect(response.status != .methodNotAllowed, "\(method) \(path)")
                    } else {
                        #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                        #expect(response.headers[.allow] == route.allowHeader)
                        if method != .head {
                            expectError(response, .methodNotAllowed, .methodNotAllowed)
                        }
                    }
                }
            }
        }
    }

    @Test func armRequestsForAnotherServiceAre404() async throws {
        try await TestService().test { client in
            let other = DialectClient.armCollection(service: "someone-else") + "/c1?api-version=2024-05-01"
            let response = try await Self.arm.send(client, .get, other)
            expectError(response, .notFound, .resourceNotFound, detail: "service-not-found")
            // ARM names are case-insensitive.
            let upper =
                DialectClient.armCollection(service: TestService.instance.uppercased()) + "?api-version=2024-05-01"
            #expect(try await Self.arm.send(client, .get, upper).status == .ok)
        }
    }

    @Test func aPinnedSubscriptionIsEnforced() async throws {
        let service = try TestService { $0.subscriptionId = "pinned" }
        try await service.test { client in
            let response = try await Self.arm.send(client, .get, Self.arm.collection())
            expectError(response, .notFound, .resourceNotFound)
        }
    }

    @Test func keyVaultReferencesAreStoredWithUnknownFacts() async throws {
        let d = Self.arm
        try await TestService().test { client in
            let body = """
                {"properties": {"keyVault": {"secretIdentifier": "https://vault.vault.azure.net/secrets/api",
                 "identityClientId": "11111111-2222-3333-4444-555555555555"}}}
                """
            let created = try await d.send(client, .put, d.entity("kv"), body: body)
            #expect(created.status == .created)
            let resource = try decode(ARMCertificateResource.self, created)
            #expect(resource.properties.keyVault?.secretIdentifier == "https://vault.vault.azure.net/secrets/api")
            #expect(resource.properties.thumbprint.isEmpty)
            let conflicting = """
                {"properties": {"data": "AAAA", "keyVault": {"secretIdentifier": "https://v/secrets/x"}}}
                """
            expectError(
                try await d.send(client, .put, d.entity("kv2"), body: conflicting), .badRequest, .validationError,
                detail: "body-conflicting-properties")
        }
    }

    @Test func policyReferencesMakeTheInUseRuleReal() async throws {
        let d = Self.legacy
        try await TestService().test { client in
            let etag = try #require(try await d.put(client, "c1").headers[.eTag])
            let reference = "/admin/policy-references/apis%2Fecho-api/c1"
            #expect(try await d.send(client, .put, reference).status == .created)
            #expect(try await d.send(client, .put, reference).status == .ok)
            let listed = try await d.send(client, .get, "/admin/policy-references?certificateId=c1")
            #expect(String(buffer: listed.body).contains("\"scope\":\"apis/echo-api\""))
            let refused = try await d.send(client, .delete, d.entity("c1"), headers: [.ifMatch: etag])
            expectError(refused, .badRequest, .certificateInUse, detail: "certificate-in-use")
            #expect(
                errorMessage(refused) == "Certificate cannot be deleted since it is being used by one or more policies."
            )
            // The ARM dialect obeys the same rule.
            let armRefused = try await Self.arm.send(client, .delete, Self.arm.entity("c1"), headers: [.ifMatch: "*"])
            expectError(armRefused, .badRequest, .certificateInUse)
            #expect(try await d.send(client, .delete, reference).status == .noContent)
            expectError(try await d.send(client, .delete, reference), .notFound, .resourceNotFound)
            #expect(try await d.send(client, .delete, d.entity("c1"), headers: [.ifMatch: etag]).status == .noContent)
        }
    }

    @Test func policyReferencesNeedAnExistingCertificateAndTheOperatorsSignature() async throws {
        let d = Self.legacy
        try await TestService().test { client in
            expectError(
                try await d.send(client, .put, "/admin/policy-references/global/absent"), .notFound, .resourceNotFound)
            let bearer = Self.arm.authorization
            expectError(
                try await d.send(client, .put, "/admin/policy-references/global/absent", authorization: .some(bearer)),
                .unauthorized, .unauthorized)
        }
    }

    @Test func healthAndMetricsNeedNoCredentials() async throws {
        let d = Self.legacy
        try await TestService().test { client in
            _ = try await d.put(client, "c1")
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(String(buffer: health.body).contains("\"status\":\"ok\""))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: metrics.body)
            #expect(
                text.contains("certdrop_http_requests_total{method=\"PUT\",route=\"/certificates/{certificateId}\""))
            #expect(text.contains("certdrop_http_request_duration_seconds_bucket"))
            #expect(text.contains("certdrop_http_requests_in_flight_max"))
        }
    }

    @Test func statsReportTheConcurrencyAndCanBeReset() async throws {
        let d = Self.legacy
        try await TestService().test { client in
            _ = try await d.send(client, .get, d.collection())
            _ = try await d.send(client, .get, d.collection())
            let stats = try decode(ServiceMetrics.Concurrency.self, try await d.send(client, .get, "/admin/stats"))
            #expect(stats.requests == 2)
            #expect(stats.maxInFlight >= 1)
            #expect(stats.inFlight == 0)
            #expect(try await d.send(client, .delete, "/admin/stats").status == .noContent)
            let reset = try decode(ServiceMetrics.Concurrency.self, try await d.send(client, .get, "/admin/stats"))
            #expect(reset.requests == 0 && reset.maxInFlight == 0)
        }
    }
}
