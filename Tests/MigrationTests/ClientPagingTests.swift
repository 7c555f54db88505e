import CertDropTestSupport
import CertificateAPI
import CertificateClient
import Foundation
import Testing

@testable import DropPipeline

/// The embedded service's own `nextLink`s pass the client's checks in both dialects.
@Suite struct ClientPagingTests {
    @Test(arguments: [Dialect.legacy, .arm])
    func theServicesOwnLinksAreFollowed(dialect: Dialect) async throws {
        let instance = try await Instance.start()
        let drop = Fixtures.drop(count: 1)
        for index in 0..<5 {
            try await instance.seed(
                "paged-\(index)", pfx: drop.appendingPathComponent("cert-00001.pfx").path, password: "drop-pw")
        }
        let client = try instance.client(dialect)
        let listed = await listing(client, page: 2)
        await client.shutdown()
        await instance.stop()
        #expect((try? listed.get())?.map(\.id).sorted() == (0..<5).map { "paged-\($0)" })
    }

    @Test func aTokenCommandInAProfileIsACommandCredential() throws {
        let endpoint = ServiceEndpoint(
            service: "https://management.azure.com/subscriptions/S/resourceGroups/RG/providers/"
                + "Microsoft.ApiManagement/service/gw",
            tokenCommand: "echo token")
        let target = try endpoint.target(role: "--to")
        #expect(try endpoint.credentials(for: target, role: "--to") is TokenCommandCredential)
    }

    private func listing(_ client: CertificateServiceClient, page: Int) async -> Result<
        [RemoteCertificate], ClientError
    > {
        do {
            return .success(try await client.inventory(page: page))
        } catch {
            return .failure(error)
        }
    }
}
