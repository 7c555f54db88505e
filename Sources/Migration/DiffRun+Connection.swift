import CertificateClient
import DropPipeline
import Foundation

extension DiffRun {
    /// Connects to both instances (the source first; `target` is made once the source is open), compares them, and
    /// closes both connections whether the run succeeds or fails.
    public static func run(
        source: ServiceConnection.Request, target: @autoclosure () throws -> ServiceConnection.Request
    ) async throws -> DiffReport {
        try await ServiceConnection.with(source, then: try target()) { source, target in
            try await DiffRun(source: source.client, target: target.client).run()
        }
    }
}
