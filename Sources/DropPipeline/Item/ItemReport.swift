import Foundation
import PKCS12Kit

/// What the pipeline knows of one item after the check stage.
public struct ItemReport: Sendable {
    /// The source name (`drop.zip!certs/a.pfx`).
    public var source: String
    /// The outcome.
    public var verdict: Verdict
    /// Everything found, in a stable order.
    public var problems: [Problem]
    /// The certificate id it would be uploaded under, `nil` when none can be made.
    public var id: String?
    /// The leaf's facts, `nil` when unreadable.
    public var certificate: CertificateFacts?
    /// The other certificates in the file.
    public var chain: [ChainCertificate]
    /// The leaf's path as OpenSSL built and verified it, `nil` when the file could not be opened or has no leaf.
    public var path: CertificatePath?
    /// The PKCS#12 facts, `nil` when the file could not be opened.
    public var pkcs12: PKCS12Facts?
    /// Archive facts when the item came out of an archive.
    public var archive: ArchiveFacts?
    /// What the content was recognised as.
    public var kind: ContentKind?

    /// Makes a report and derives its verdict (`ignored` when `ignored` is set and nothing worse than information
    /// was found).
    public init(
        source: String, problems: [Problem], id: String? = nil, certificate: CertificateFacts? = nil,
        chain: [ChainCertificate] = [], pkcs12: PKCS12Facts? = nil, archive: ArchiveFacts? = nil,
        kind: ContentKind? = nil, ignored: Bool = false
    ) {
        self.source = source
        self.problems = problems
        self.id = id
        self.certificate = certificate
        self.chain = chain
        self.pkcs12 = pkcs12
        self.archive = archive
        self.kind = kind
        self.verdict = ignored && !problems.contains { $0.severity > .info } ? .ignored : Verdict(problems: problems)
    }

    /// Adds a problem and updates the verdict.
    public mutating func add(_ problem: Problem) {
        problems.append(problem)
        if verdict != .ignored || problem.severity != .info {
            verdict = Verdict(problems: problems)
        }
    }
}
