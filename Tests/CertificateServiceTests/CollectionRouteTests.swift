import CertDropTestSupport
import CertificateAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CertificateService

/// The contract's list row in both dialects: order, total count, `$top`/`$skip`/`nextLink`, `$filter`.
@Suite struct CollectionRouteTests {
    /// Five certificates from three files, stored straight into the repository.
    static func seed(_ service: TestService) async throws {
        let files = ["rsa-default.pfx", "ec-p256.pfx", "utf8-subject.pfx", "ec-p384.pfx", "self-signed.pfx"]
        let validator = UploadValidator(options: .init(), pool: PKCS12WorkPool())
        for (index, file) in files.enumerated() {
            let content = try await validator.content(
                of: .pkcs12(data: Data(Fixtures.bytes(file)), password: Fixtures.password(file)))
            _ = try await service.repository.put(id: "cert-\(5 - index)", content: content, condition: .unconditional)
        }
    }

    @Test(arguments: DialectClient.both)
    func anEmptyStoreListsNothing(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let response = try await d.send(client, .get, d.collection())
            #expect(response.status == .ok)
            let page = try d.page(response)
            #expect(page.ids.isEmpty && page.count == 0 && page.nextLink == nil)
            // nextLink is written as null, as the reference's sample shows.
            #expect(String(buffer: response.body).contains("\"nextLink\":null"))
        }
    }

    @Test(arguments: DialectClient.both)
    func listsAreOrderedByIdAndPagedWithNextLink(_ d: DialectClient) async throws {
        let service = try TestService()
        try await Self.seed(service)
        try await service.test { client in
            let first = try d.page(try await d.send(client, .get, d.collection("&$top=2")))
            #expect(first.ids == ["cert-1", "cert-2"])
            #expect(first.count == 5)
            let link = try #require(first.nextLink)
            #expect(link.hasPrefix("http://localhost" + d.collectionPath + "?api-version=" + d.apiVersion))
            #expect(link.hasSuffix("&$top=2&$skip=2"))
            let second = try d.page(try await d.send(client, .get, Self.relative(link)))
            #expect(second.ids == ["cert-3", "cert-4"])
            let third = try d.page(try await d.send(client, .get, Self.relative(try #require(second.nextLink))))
            #expect(third.ids == ["cert-5"])
            #expect(third.nextLink == nil)
            #expect(third.count == 5)
        }
    }

    @Test(arguments: DialectClient.both)
    func theFilterRunsInTheStoreAndCountsAllMatches(_ d: DialectClient) async throws {
        let service = try TestService()
        try await Self.seed(service)
        let rsa = try await UploadValidator(options: .init(), pool: PKCS12WorkPool()).content(
            of: .pkcs12(data: Data(Fixtures.bytes("rsa-default.pfx")), password: "rsa-default-pw"))
        let field = d.dialect.identifierFieldName
        let cases: [(String, [String])] = [
            ("thumbprint eq '\(rsa.thumbprint.lowercased())'", ["cert-5"]),
            ("startswith(subject, 'CN=ec-')", ["cert-2", "cert-4"]),
            ("\(field) ge 'cert-4'", ["cert-4", "cert-5"]),
            ("substringof('Zürich', subject)", ["cert-3"]),
            ("expirationDate gt 2000-01-01 and not (\(field) eq 'cert-1')", ["cert-2", "cert-3", "cert-4", "cert-5"]),
        ]
        try await service.test { client in
            for (filter, expected) in cases {
                let query = "&$filter=" + CollectionQuery.percentEncode(filter) + "&$top=1"
                let page = try d.page(try await d.send(client, .get, d.collection(query)))
                #expect(page.ids == Array(expected.prefix(1)), "\(filter)")
                #expect(page.count == expected.count, "\(filter)")
                if expected.count > 1 {
                    #expect(page.nextLink?.contains("$filter=" + CollectionQuery.percentEncode(filter)) == true)
                }
            }
        }
    }

    @Test(arguments: DialectClient.both)
    func plusInTheQueryIsASpaceAsInForms(_ d: DialectClient) async throws {
        let service = try TestService()
        try await Self.seed(service)
        try await service.test { client in
            let response = try await d.send(
                client, .get,
                d.collection("&%24filter=subject+eq+%27cn%3Dec-p256.certdrop.test%2C+o%3Dcertdrop+test%27"))
            #expect(response.status == .ok)
            #expect(try d.page(response).ids == ["cert-4"])
        }
    }

    @Test(arguments: DialectClient.both)
    func theOtherDialectsIdentifierFieldIsAnUnknownField(_ d: DialectClient) async throws {
        let wrong = d.dialect == .legacy ? "name" : "id"
        try await TestService().test { client in
            let response = try await d.send(client, .get, d.collection("&$filter=\(wrong)%20eq%20'x'"))
            expectError(response, .badRequest, .validationError, detail: "filter-unknown-field")
            #expect(errorMessage(response).contains("position 1"))
        }
    }

    @Test(arguments: DialectClient.both)
    func unknownQueryParametersAreIgnored(_ d: DialectClient) async throws {
        try await TestService().test { client in
            let response = try await d.send(client, .get, d.collection("&isKeyVaultRefreshFailed=false&x"))
            #expect(response.status == .ok)
        }
    }

    /// The path and query of an absolute link, for the router test client.
    static func relative(_ link: String) throws -> String {
        let url = try #require(URLComponents(string: link))
        return url.percentEncodedPath + "?" + (url.percentEncodedQuery ?? "")
    }
}
