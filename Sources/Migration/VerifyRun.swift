import CertificateClient
import DropPipeline
import Foundation

/// `certdrop verify`: every id that should be in the target is there with the right certificate.
///
/// What should be there comes from a manifest (every id a migrate or import run put there or tried to) or from the
/// source instance's listing (expired certificates passed over unless `includeExpired`, as migrate passes them
/// over). The run borrows its clients; whoever made them shuts them down.
public struct VerifyRun: Sendable {
    /// Where the expected ids come from.
    public enum Expected: Sendable {
        /// A jsonl manifest of migrate or import.
        case manifest(path: String)
        /// The source instance, listed whole.
        case source(CertificateServiceClient, includeExpired: Bool)
    }

    /// Where the expected ids come from.
    public let expected: Expected
    /// The instance checked.
    public let target: CertificateServiceClient
    /// How messages name the target (`the embedded service (…)` or its URL).
    public let targetLabel: String
    /// The time expiry is judged at.
    public let now: Date

    /// Makes a run; `targetLabel` defaults to the target's URL.
    public init(expected: Expected, target: CertificateServiceClient, targetLabel: String? = nil, now: Date = Date()) {
        self.expected = expected
        self.target = target
        self.targetLabel = targetLabel ?? target.target.baseURL
        self.now = now
    }

    /// Reads what is expected, lists the target, and compares.
    public func run() async throws(PipelineError) -> VerifyReport {
        let expectations: [VerifyExpectation]
        var passedOver: [VerifyRow] = []
        switch expected {
        case .manifest(let path):
            expectations = try VerifyReport.expectations(manifestPath: path)
        case .source(let source, let includeExpired):
            let listing: [RemoteCertificate]
            do {
                listing = try await source.inventory()
            } catch {
                throw PipelineError(.input, "cannot list the source (\(source.target.baseURL)): \(error.message)")
            }
            (expectations, passedOver) = VerifyReport.expectations(
                source: listing, targetDialect: target.target.dialect, includeExpired: includeExpired, now: now)
        }
        let held: [RemoteCertificate]
        do {
            held = try await target.inventory()
        } catch {
            throw PipelineError(.input, "cannot list \(targetLabel): \(error.message)")
        }
        return VerifyReport(expectations: expectations, target: held, passedOver: passedOver)
    }
}
