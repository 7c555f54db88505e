import CertificateClient
import DropPipeline
import Foundation

/// `certdrop diff`: both instances listed whole, at the same time, and compared by id and thumbprint.
///
/// The run borrows its clients; whoever made them shuts them down.
public struct DiffRun: Sendable {
    /// The instance certificates come from.
    public let source: CertificateServiceClient
    /// The instance they go to.
    public let target: CertificateServiceClient

    /// Makes a run over two clients.
    public init(source: CertificateServiceClient, target: CertificateServiceClient) {
        self.source = source
        self.target = target
    }

    /// Lists both sides and compares them; an instance that cannot be listed is an `input` error that names it.
    public func run() async throws(PipelineError) -> DiffReport {
        async let sourceListing = Self.listing(source, "the source")
        async let targetListing = Self.listing(target, "the target")
        let (from, to) = await (sourceListing, targetListing)
        return DiffReport(source: try from.get(), target: try to.get())
    }

    /// The whole listing of one side, or the error that says which side failed and why.
    static func listing(_ client: CertificateServiceClient, _ name: String) async -> Result<
        [RemoteCertificate], PipelineError
    > {
        do {
            return .success(try await client.inventory())
        } catch {
            return .failure(PipelineError(.input, "cannot list \(name) (\(client.target.baseURL)): \(error.message)"))
        }
    }
}
