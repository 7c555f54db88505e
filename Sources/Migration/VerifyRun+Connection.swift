import CertificateClient
import DropPipeline
import Foundation

extension VerifyRun {
    /// What should be in the instance checked, before anything is connected.
    public enum Expectation: Sendable {
        /// Every id a manifest of migrate or import names.
        case manifest(path: String)
        /// Everything a source instance holds (`--from`), connected after the target with the target's retry
        /// policy and concurrency, and `caFile` unless the endpoint names its own.
        case source(ServiceEndpoint, caFile: String?, includeExpired: Bool)
    }

    /// Connects to `target`, then to the source when the expectation is one, runs, and closes every connection
    /// whether the run succeeds or fails.
    public static func run(_ expectation: Expectation, target: ServiceConnection.Request, now: Date = Date())
        async throws -> VerifyReport
    {
        try await ServiceConnection.with(target) { checked in
            switch expectation {
            case .manifest(let path):
                return try await VerifyRun(
                    expected: .manifest(path: path), target: checked.client, targetLabel: checked.label, now: now
                ).run()
            case .source(let endpoint, let caFile, let includeExpired):
                let request = try endpoint.request(
                    role: "--from", concurrency: target.concurrency, caFile: caFile, retry: target.retry)
                return try await ServiceConnection.with(request) { source in
                    try await VerifyRun(
                        expected: .source(source.client, includeExpired: includeExpired), target: checked.client,
                        targetLabel: checked.label, now: now
                    ).run()
                }
            }
        }
    }
}
