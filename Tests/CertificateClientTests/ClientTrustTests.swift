import CertDropTestSupport
import CertificateAPI
import Foundation
import Testing

@testable import CertificateClient

/// A credential that never changes and cannot be renewed.
struct FixedCredential: CredentialProvider {
    let header: String
    init(_ header: String = "Bearer secret-token") { self.header = header }
    func authorization() async throws -> String { header }
}

/// A credential that gives the next of its headers after each renewal.
actor RenewingCredential: CredentialProvider {
    private let headers: [String]
    private var index = 0
    private(set) var renewals = 0

    init(_ headers: [String]) { self.headers = headers }

    func authorization() async throws -> String { headers[min(index, headers.count - 1)] }

    func renew(rejected header: String) async -> Bool {
        renewals += 1
        index += 1
        return true
    }
}

func makeClient(
    _ target: ServiceTarget, credential: any CredentialProvider = FixedCredential(), timeout: TimeInterval = 10,
    limits: ClientLimits = ClientLimits()
) throws -> CertificateServiceClient {
    try CertificateServiceClient(
        target: target, credentials: credential, concurrency: 2,
        retry: RetryPolicy(maxAttempts: 1, requestTimeout: timeout), limits: limits)
}

/// The list, or why there is none.
func listing(_ client: CertificateServiceClient) async -> Result<[CertificateRecord], ClientError> {
    do {
        return .success(try await client.list())
    } catch {
        return .failure(error)
    }
}

/// The value of a query parameter of a request target.
func queryValue(_ name: String, in target: String) -> String? {
    URLComponents(string: "http://x" + target)?.queryItems?.first { $0.name == name }?.value
}

/// A legacy page of `count` certificates named after `page`, with a `nextLink`.
func legacyPage(_ page: Int, next: String?) -> StubReply {
    let entity = CertificateEntity(
        CertificateRecord(
            certificateId: "c\(page)", subject: "CN=c\(page)", thumbprint: String(repeating: "A", count: 40),
            expirationDate: Date(timeIntervalSince1970: 2_000_000_000)))
    return .json(200, encoding: CertificateEntityCollection(value: [entity], count: 1, nextLink: next))
}

@Suite struct NextLinkTrustTests {
    let legacy = ServiceTarget.legacy(baseURL: "https://svc.example.test/api")
    let page = "https://svc.example.test/api/certificates?api-version=2014-02-14&$top=2"

    @Test(arguments: [
        ("https://svc.example.test/api/certificates?$skip=2", "https://svc.example.test/api/certificates?$skip=2"),
        ("HTTPS://SVC.example.test:443/api/certificates?$skip=2", nil),
        ("/api/certificates?$skip=2", "https://svc.example.test/api/certificates?$skip=2"),
        ("?$skip=2", "https://svc.example.test/api/certificates?$skip=2"),
        ("certificates?$skip=2", "https://svc.example.test/api/certificates?$skip=2"),
        ("/api", "https://svc.example.test/api"),
        ("/api/./certificates", nil),
    ])
    func linksThatStayWithTheServiceAreFollowed(link: String, expected: String?) throws {
        let resolved = try legacy.trustedNextLink(link, from: page)
        if let expected { #expect(resolved == expected) }
    }

    @Test(arguments: [
        ("http://svc.example.test/api/certificates?$skip=2", "downgrade https to http"),
        ("https://evil.example.test/api/certificates?$skip=2", "evil.example.test"),
        ("//evil.example.test/api/certificates", "evil.example.test"),
        ("https://svc.example.test:8443/api/certificates", "8443"),
        ("https://svc.example.test.evil.example/api/certificates", "not to the service"),
        ("https://user@svc.example.test/api/certificates", "user name"),
        ("ftp://svc.example.test/api/certificates", "not an http"),
        ("/admin/keys", "leaves the service's path /api"),
        ("/apix/certificates", "leaves the service's path"),
        ("/", "leaves the service's path"),
        ("/api/../admin", "leaves the service's path"),
        ("/api/%2E%2E/admin", "leaves the service's path"),
    ])
    func linksElsewhereAreRefused(link: String, message: String) {
        #expect {
            _ = try legacy.trustedNextLink(link, from: page)
        } throws: { error in
            guard let error = error as? ClientError else { return false }
            return error.code == .untrustedNextLink && error.message.contains(message)
        }
    }

    let arm = ServiceTarget.arm(
        baseURL: "https://management.azure.com",
        scope: ARMServiceScope(subscriptionId: "S", resourceGroupName: "RG", serviceName: "gw"))
    let armPage =
        "https://management.azure.com/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/gw"
        + "/certificates?api-version=2024-05-01&$top=2"

    @Test(arguments: [
        "/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/gw/certificates?$skiptoken=x",
        "https://management.azure.com/subscriptions/S/resourcegroups/RG/providers/microsoft.apimanagement/service/gw"
            + "/certificates?$skiptoken=x",
        "?$skiptoken=x",
    ])
    func armLinksUnderTheResourcePathAreFollowed(link: String) throws {
        _ = try arm.trustedNextLink(link, from: armPage)
    }

    @Test(arguments: [
        "/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/other/certificates",
        "/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/gw2/certificates",
        "/subscriptions/S/resourceGroups/RG",
        "/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/gw/../other/certificates",
        "https://management.azure.com.evil.example/subscriptions/S/resourceGroups/RG/providers/"
            + "Microsoft.ApiManagement/service/gw/certificates",
    ])
    func armLinksOutsideTheResourcePathAreRefused(link: String) {
        #expect(throws: ClientError.self) { _ = try arm.trustedNextLink(link, from: armPage) }
        do {
            _ = try arm.trustedNextLink(link, from: armPage)
        } catch {
            #expect(error.code == .untrustedNextLink)
        }
    }
}

@Suite struct ListPagingTests {
    @Test(arguments: ["foreign-port", "foreign-name"])
    func aForeignNextLinkIsRefusedAndGetsNothing(kind: String) async throws {
        let foreign = try StubHTTPServer { _ in legacyPage(9, next: nil) }
        defer { foreign.stop() }
        let service = try StubHTTPServer { request in
            let port = request.header("host")?.split(separator: ":").last.map(String.init) ?? ""
            let link =
                kind == "foreign-port"
                ? foreign.baseURL + "/certificates?$skip=1" : "http://localhost:\(port)/certificates?$skip=1"
            return legacyPage(1, next: link)
        }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        await #expect {
            _ = try await client.list()
        } throws: { error in
            (error as? ClientError)?.code == .untrustedNextLink
        }
        await client.shutdown()
        #expect(foreign.count == 0)
        #expect(service.count == 1)
        #expect(service.requests.first?.header("authorization") == "Bearer secret-token")
    }

    @Test func sameOriginLinksAbsoluteAndRelativeAreFollowed() async throws {
        let service = try StubHTTPServer { request in
            let host = request.header("host") ?? ""
            switch queryValue("$skip", in: request.target) {
            case nil: return legacyPage(0, next: "http://\(host)/certificates?$skip=1")
            case "1": return legacyPage(1, next: "?$skip=2")
            case "2": return legacyPage(2, next: "/certificates?$skip=3")
            default: return legacyPage(3, next: nil)
            }
        }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        let records = await listing(client)
        await client.shutdown()
        #expect((try? records.get())?.map(\.certificateId) == ["c0", "c1", "c2", "c3"])
        #expect(service.count == 4)
    }

    @Test func aLinkSeenBeforeIsALoop() async throws {
        let service = try StubHTTPServer { request in
            queryValue("$skip", in: request.target) == nil
                ? legacyPage(0, next: "?$skip=1") : legacyPage(1, next: "/certificates?$skip=1")
        }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        await #expect {
            _ = try await client.list()
        } throws: { error in
            (error as? ClientError)?.code == .nextLinkLoop
        }
        await client.shutdown()
        #expect(service.count == 2)
    }

    /// A service with `served` pages, read with a cap of 3.
    @Test(arguments: [2, 3, 4, 1000])
    func thePageCapEndsEndlessPaging(served: Int) async throws {
        let service = try StubHTTPServer { request in
            let skip = Int(queryValue("$skip", in: request.target) ?? "0") ?? 0
            return legacyPage(skip, next: skip + 1 < served ? "?$skip=\(skip + 1)" : nil)
        }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL), limits: ClientLimits(maxPages: 3))
        do {
            let records = try await client.list()
            #expect(served <= 3)
            #expect(records.count == served)
        } catch {
            #expect(served > 3)
            #expect(error.code == .tooManyPages)
        }
        await client.shutdown()
        #expect(service.count == min(served, 3))
    }

    @Test func thePageCapHasADocumentedDefault() {
        #expect(ClientLimits().maxPages == 10_000)
        #expect(ClientLimits().maxRedirects == 5)
        #expect(ClientLimits(maxPages: 0).maxPages == 1)
    }
}

@Suite struct RedirectTests {
    @Test(arguments: ["PUT", "DELETE"], [301, 302, 303, 307, 308])
    func aWriteIsNeverRedirected(method: String, status: Int) async throws {
        let foreign = try StubHTTPServer { _ in .json(201, "{}") }
        defer { foreign.stop() }
        let service = try StubHTTPServer { _ in
            .respond(status: status, headers: [("Location", foreign.baseURL + "/certificates/x")])
        }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        let exchange = await client.send(
            method == "PUT" ? .PUT : .DELETE, client.target.entityURL("x"), body: Array("{\"password\":\"pw\"}".utf8))
        await client.shutdown()
        guard case .failure(let error) = exchange.result else {
            Issue.record("a redirected \(method) succeeded")
            return
        }
        #expect(error.code == .redirectRefused)
        #expect(error.message.contains("\(status)") && error.message.contains("not sent again"))
        #expect(foreign.count == 0)
        #expect(service.count == 1)
    }

    @Test(arguments: [true, false])
    func aWriteIsNotRedirectedEvenToTheSameService(withLocation: Bool) async throws {
        let service = try StubHTTPServer { request in
            request.target.hasPrefix("/moved")
                ? .json(201, "{}") : .respond(status: 307, headers: withLocation ? [("Location", "/moved")] : [])
        }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        let exchange = await client.send(.PUT, client.target.entityURL("x"), body: Array("{}".utf8))
        await client.shutdown()
        guard case .failure(let error) = exchange.result else {
            Issue.record("a redirected PUT succeeded")
            return
        }
        #expect(error.code == .redirectRefused)
        #expect(service.count == 1)
    }

    @Test func aReadFollowsARedirectOnTheSameService() async throws {
        let service = try StubHTTPServer { request in
            request.target.hasPrefix("/moved")
                ? .json(200, "{}") : .respond(status: 302, headers: [("Location", "/moved?x=1")])
        }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        let exchange = await client.send(.GET, client.target.entityURL("x"))
        await client.shutdown()
        #expect((try? exchange.result.get())?.status == 200)
        #expect(service.count == 2)
        #expect(service.requests.last?.header("authorization") == "Bearer secret-token")
    }

    @Test(arguments: ["foreign", "https"])
    func aReadIsNotRedirectedElsewhere(kind: String) async throws {
        let foreign = try StubHTTPServer { _ in .json(200, "{}") }
        defer { foreign.stop() }
        let service = try StubHTTPServer { request in
            let host = request.header("host") ?? ""
            let location = kind == "foreign" ? foreign.baseURL + "/x" : "https://\(host)/x"
            return .respond(status: 302, headers: [("Location", location)])
        }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        let exchange = await client.send(.GET, client.target.entityURL("x"))
        await client.shutdown()
        guard case .failure(let error) = exchange.result else {
            Issue.record("a redirect elsewhere was followed")
            return
        }
        #expect(error.code == .untrustedRedirect)
        #expect(foreign.count == 0)
        #expect(service.count == 1)
    }

    /// `hops` redirects in a row, with a cap of 2.
    @Test(arguments: [1, 2, 3])
    func redirectsAreCapped(hops: Int) async throws {
        let service = try StubHTTPServer { request in
            let step = Int(queryValue("step", in: request.target) ?? "0") ?? 0
            return step < hops
                ? .respond(status: 302, headers: [("Location", "/r?step=\(step + 1)")]) : .json(200, "{}")
        }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL), limits: ClientLimits(maxRedirects: 2))
        let exchange = await client.send(.GET, service.baseURL + "/r?step=0")
        await client.shutdown()
        switch exchange.result {
        case .success(let result):
            #expect(hops <= 2)
            #expect(result.status == 200)
            #expect(service.count == hops + 1)
        case .failure(let error):
            #expect(hops > 2)
            #expect(error.code == .tooManyRedirects)
            #expect(service.count == 3)
        }
    }

    @Test func aRedirectCircleIsALoop() async throws {
        let service = try StubHTTPServer { request in
            .respond(status: 302, headers: [("Location", request.target.hasPrefix("/a") ? "/b" : "/a")])
        }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        let exchange = await client.send(.GET, service.baseURL + "/a")
        await client.shutdown()
        guard case .failure(let error) = exchange.result else {
            Issue.record("a redirect circle ended")
            return
        }
        #expect(error.code == .redirectLoop)
        #expect(service.count == 2)
    }
}

@Suite struct WholeResponseDeadlineTests {
    @Test func aDrippingBodyTimesOut() async throws {
        // The head comes at once, then a byte every 0.2 s for 20 s: the library's read timeout never fires.
        let service = try StubHTTPServer { _ in .drip(status: 200, length: 100, interval: 0.2) }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL), timeout: 1)
        let exchange = await client.send(.GET, client.target.entityURL("x"))
        await #expect {
            _ = try await client.list()
        } throws: { error in
            (error as? ClientError)?.code == .timeout
        }
        await client.shutdown()
        guard case .failure(let error) = exchange.result else {
            Issue.record("a dripping body was read to the end")
            return
        }
        #expect(error.code == .timeout)
    }

    @Test func aPromptBodyIsRead() async throws {
        let service = try StubHTTPServer { _ in .json(200, "{\"value\":[],\"count\":0}") }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL), timeout: 5)
        let records = await listing(client)
        await client.shutdown()
        #expect((try? records.get())?.isEmpty == true)
    }
}

@Suite struct RenewalTests {
    @Test func aRefusedTokenIsRenewedOnce() async throws {
        let service = try StubHTTPServer { request in
            request.header("authorization") == "Bearer two" ? .json(200, "{}") : .json(401, "{}")
        }
        defer { service.stop() }
        let credential = RenewingCredential(["Bearer one", "Bearer two", "Bearer three"])
        let client = try makeClient(.legacy(baseURL: service.baseURL), credential: credential)
        let exchange = await client.send(.GET, client.target.entityURL("x"))
        await client.shutdown()
        #expect((try? exchange.result.get())?.status == 200)
        #expect(service.requests.map { $0.header("authorization") } == ["Bearer one", "Bearer two"])
        #expect(await credential.renewals == 1)
    }

    @Test func aSecond401IsFinal() async throws {
        let service = try StubHTTPServer { _ in .json(401, "{}") }
        defer { service.stop() }
        let credential = RenewingCredential(["Bearer one", "Bearer two", "Bearer three"])
        let client = try makeClient(.legacy(baseURL: service.baseURL), credential: credential)
        let exchange = await client.send(.GET, client.target.entityURL("x"))
        await client.shutdown()
        #expect((try? exchange.result.get())?.status == 401)
        #expect(service.count == 2)
        #expect(await credential.renewals == 1)
    }

    @Test func aCredentialThatCannotBeRenewedIsNotRetried() async throws {
        let service = try StubHTTPServer { _ in .json(401, "{}") }
        defer { service.stop() }
        let client = try makeClient(.legacy(baseURL: service.baseURL))
        let exchange = await client.send(.GET, client.target.entityURL("x"))
        await client.shutdown()
        #expect((try? exchange.result.get())?.status == 401)
        #expect(service.count == 1)
    }

    @Test func aTokenCommandIsRunAgainAfterA401() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("renew-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let counter = folder.appendingPathComponent("n").path
        let command = "n=$(cat '\(counter)' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '\(counter)'; echo tok-$n"
        let service = try StubHTTPServer { request in
            request.header("authorization") == "Bearer tok-2" ? .json(200, "{}") : .json(401, "{}")
        }
        defer { service.stop() }
        let credential = TokenCommandCredential(command: command)
        let client = try makeClient(.legacy(baseURL: service.baseURL), credential: credential)
        let first = await client.send(.GET, client.target.entityURL("x"))
        let second = await client.send(.GET, client.target.entityURL("x"))
        await client.shutdown()
        #expect((try? first.result.get())?.status == 200)
        #expect((try? second.result.get())?.status == 200)
        #expect(await credential.runs == 2)
        #expect(service.count == 3)
    }
}
