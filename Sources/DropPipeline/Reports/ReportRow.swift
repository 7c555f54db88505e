import CertificateAPI
import Foundation
import PKCS12Kit

/// One row of an HTML report: an item of a drop (`validate`, `plan`, `import`, `migrate`) or a certificate a
/// service holds (`expiring`). Every string in it comes from a drop or a service and is escaped when written.
public struct ReportRow: Sendable, Hashable {
    /// How a row's status reads: it decides the row's colour and whether it counts as a problem.
    public enum Tone: String, Sendable, Hashable, CaseIterable {
        case error, warning, ok, ignored
    }

    /// The source name, or a service's path for a certificate.
    public var source: String
    /// The certificate id.
    public var id: String?
    /// The verdict (`validate`), the action (`plan`, `import`, `migrate`) or the state (`expiring`).
    public var status: String
    /// How the status reads.
    public var tone: Tone
    /// The problems found, with their codes.
    public var problems: [Problem]
    /// Why an upload did not happen or failed (`import`, `migrate`), when that is more than the problems say.
    public var reason: ManifestEntry.Failure?
    /// The leaf's subject.
    public var subject: String?
    /// The leaf's issuer.
    public var issuer: String?
    /// The leaf's notAfter.
    public var expires: Date?
    /// SHA-1 of the leaf, as the API shows it.
    public var thumbprint: String?
    /// `RSA 2048`, `EC 256 (P-256)`.
    public var key: String?
    /// How the file is protected: certificate and key encryption, the MAC and its iterations.
    public var protection: String?

    /// Whether the row goes first: it has a problem worse than information, or its status reads as one.
    public var needsAttention: Bool {
        tone == .error || tone == .warning || problems.contains { $0.severity > .info }
    }

    /// Makes a row.
    public init(
        source: String, id: String?, status: String, tone: Tone, problems: [Problem] = [],
        reason: ManifestEntry.Failure? = nil, subject: String? = nil, issuer: String? = nil, expires: Date? = nil,
        thumbprint: String? = nil, key: String? = nil, protection: String? = nil
    ) {
        self.source = source
        self.id = id
        self.status = status
        self.tone = tone
        self.problems = problems
        self.reason = reason
        self.subject = subject
        self.issuer = issuer
        self.expires = expires
        self.thumbprint = thumbprint
        self.key = key
        self.protection = protection
    }

    /// The row of a checked item: its verdict.
    public init(_ report: ItemReport) {
        let tone: Tone =
            switch report.verdict {
            case .error: .error
            case .warning: .warning
            case .ok: .ok
            case .ignored: .ignored
            }
        self.init(report, status: report.verdict.rawValue, tone: tone)
    }

    /// The row of an item with another status (a plan's action, an import's outcome).
    public init(_ report: ItemReport, status: String, tone: Tone, reason: ManifestEntry.Failure? = nil) {
        self.init(
            source: report.source, id: report.id, status: status, tone: tone, problems: report.problems,
            reason: reason, subject: report.certificate?.subject, issuer: report.certificate?.issuer,
            expires: report.certificate?.expirationDate, thumbprint: report.certificate?.thumbprint,
            key: report.certificate.map(Self.key), protection: report.pkcs12.map(Self.protection))
    }

    /// The row of what `plan` would do to an item.
    public init(plan entry: PlanEntry, report: ItemReport) {
        let tone: Tone =
            switch entry.action {
            case .invalid, .conflict: .error
            case .create, .update, .unchanged: report.verdict == .warning ? .warning : .ok
            case .skip: report.verdict == .ignored ? .ignored : .warning
            }
        self.init(report, status: entry.action.rawValue, tone: tone)
        id = entry.id ?? report.id
    }

    /// The row of a manifest line, with the report of its drop item when there is one (a line `migrate` writes for
    /// a certificate of the source has none).
    public init(line entry: ManifestEntry, report: ItemReport?) {
        let tone: Tone =
            if entry.action.isFailure {
                .error
            } else if entry.action == .skipped || entry.action == .unmatched {
                report?.verdict == .ignored ? .ignored : .warning
            } else {
                report?.verdict == .warning ? .warning : .ok
            }
        if let report {
            self.init(report, status: entry.action.rawValue, tone: tone, reason: entry.error)
            id = entry.id
        } else {
            self.init(
                source: entry.source, id: entry.id, status: entry.action.rawValue, tone: tone, reason: entry.error,
                subject: entry.subject, expires: entry.expirationDate.flatMap { try? Date($0, strategy: .iso8601) },
                thumbprint: entry.thumbprint)
        }
    }

    static func key(_ facts: CertificateFacts) -> String {
        "\(facts.keyAlgorithm) \(facts.keyBits)" + (facts.curve.map { " (\($0))" } ?? "")
    }

    static func protection(_ facts: PKCS12Facts) -> String {
        var parts: [String] = []
        parts.append("certificates: " + (facts.certEncryption ?? "none"))
        parts.append("key: " + (facts.keyEncryption ?? "none"))
        if let mac = facts.macAlgorithm {
            parts.append("MAC \(mac)" + (facts.macIterations.map { " × \($0)" } ?? ""))
        } else {
            parts.append("no MAC")
        }
        return parts.joined(separator: "; ")
    }
}
