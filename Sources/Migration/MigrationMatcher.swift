import CertificateAPI
import CertificateClient
import DropPipeline
import Foundation
import Synchronization

/// Matches drop items to the source instance's certificates by thumbprint, routes them through ``ImportRun``
/// (``routing(upload:observe:)``), and says what becomes of the source's certificates no item covered
/// (``leftover(_:target:)``).
///
/// An item whose certificate the source holds goes under the source's ids (all of them, when the source holds the
/// same certificate under several); an item the source does not hold is `unmatched`, or goes under its template's
/// id with `includeUnmatched`. A certificate is covered by the first item that holds it with its private key.
public final class MigrationMatcher: Sendable {
    /// The source's certificates, ordered by id.
    public let source: [RemoteCertificate]
    /// The target's dialect: its id rule, and whether it can hold a Key Vault reference (ARM only).
    public let targetDialect: Dialect
    /// Upload items the source does not hold, under their template's id.
    public let includeUnmatched: Bool
    /// Migrate certificates that have expired (`--allow expired`).
    public let allowExpired: Bool
    /// The time expiry is judged at.
    public let now: Date

    private let byThumbprint: [String: [RemoteCertificate]]
    private let sourceIDs: Set<String>
    private let covered = Mutex<Set<String>>([])

    /// Makes a matcher over the source's listing.
    public init(
        source: [RemoteCertificate], targetDialect: Dialect, includeUnmatched: Bool = false,
        allowExpired: Bool = false, now: Date = Date()
    ) {
        self.source = source.sorted { $0.id.lowercased() < $1.id.lowercased() }
        self.targetDialect = targetDialect
        self.includeUnmatched = includeUnmatched
        self.allowExpired = allowExpired
        self.now = now
        var index: [String: [RemoteCertificate]] = [:]
        for certificate in self.source {
            if let thumbprint = certificate.thumbprint { index[thumbprint, default: []].append(certificate) }
        }
        byThumbprint = index
        sourceIDs = Set(source.map { $0.id.lowercased() })
    }

    /// Whether a certificate is recreated in the target as a Key Vault reference, with no PFX.
    public func isReference(_ certificate: RemoteCertificate) -> Bool {
        certificate.keyVault != nil && targetDialect == .arm
    }

    /// Why the target's dialect cannot take the certificate's id, or `nil` when it can.
    public func idProblem(_ certificate: RemoteCertificate) -> String? {
        do {
            try CertificateIdentifier.validate(certificate.id, dialect: targetDialect)
            return nil
        } catch {
            return error.message
        }
    }

    /// Whether a certificate has expired (and is therefore not migrated without `--allow expired`). A certificate
    /// whose facts the source does not show (an unresolved Key Vault reference) has not.
    public func hasExpired(_ certificate: RemoteCertificate) -> Bool {
        certificate.thumbprint != nil && certificate.record.expirationDate < now
    }

    private func isUploadable(_ certificate: RemoteCertificate) -> Bool {
        !isReference(certificate) && idProblem(certificate) == nil
    }

    private func matches(_ report: ItemReport) -> [RemoteCertificate]? {
        guard report.verdict != .ignored, let thumbprint = report.certificate?.thumbprint.uppercased() else {
            return nil
        }
        return byThumbprint[thumbprint] ?? []
    }

    /// The routing of `migrate` (or of its dry run, with `upload`).
    public func routing(
        upload: (@Sendable (String, UploadMaterial) async -> Uploader.Outcome)? = nil,
        observe: (@Sendable (ManifestEntry) -> Void)? = nil
    ) -> ImportRouting {
        ImportRouting(
            assignIDs: { [self] report in assignIDs(&report) }, filter: { [self] report in filter(report) },
            upload: upload, observe: observe)
    }

    /// The ids an item goes under, in source order: the source's ids for its certificate.
    func assignIDs(_ report: inout ItemReport) -> [String] {
        guard let matches = matches(report) else {
            // Nothing readable to match: an `invalid` (or `skipped`) line, with the template's id only when
            // unmatched items are imported too.
            if !includeUnmatched { report.id = nil }
            return report.id.map { [$0] } ?? []
        }
        guard !matches.isEmpty else {
            guard includeUnmatched, let id = report.id else {
                report.id = nil
                return []
            }
            if sourceIDs.contains(id.lowercased()) {
                report.add(Problem(.duplicateID, "the id \"\(id)\" is another certificate's in the source instance"))
            }
            return [id]
        }
        // The template's id is not used: what the inspector said of it does not apply.
        if report.problems.contains(where: { $0.code == .invalidID }) {
            report.problems.removeAll { $0.code == .invalidID }
            report.verdict = Verdict(problems: report.problems)
        }
        let uploadable = matches.filter(isUploadable)
        // A certificate without its key takes no id: the PFX that holds the key may come later.
        report.id = report.pkcs12?.hasPrivateKey == true ? (uploadable.first ?? matches[0]).id : nil
        guard report.id != nil, !uploadable.isEmpty else { return [] }
        let fresh = covered.withLock { covered in uploadable.filter { covered.insert($0.id.lowercased()).inserted } }
        // Another item already holds this certificate with its key: this one is a duplicate (the checks say so).
        if fresh.isEmpty { report.id = nil }
        return fresh.map(\.id)
    }

    /// Holds back the items `migrate` must not upload, after the checks and `--allow`.
    func filter(_ report: ItemReport) -> ImportRouting.Held? {
        guard let matches = matches(report) else { return nil }
        guard !matches.isEmpty else {
            return includeUnmatched
                ? nil
                : ImportRouting.Held(
                    .unmatched, code: "unmatched",
                    message: "the source instance holds no certificate with this thumbprint "
                        + "(--include-unmatched uploads it under its own id)")
        }
        let names = Self.names(matches)
        guard report.pkcs12?.hasPrivateKey == true else {
            return ImportRouting.Held(
                .skipped, code: "no-private-key",
                message: "the certificate of the source's \(names) without its private key; a PFX is needed")
        }
        if matches.allSatisfy(isReference) {
            return ImportRouting.Held(
                .skipped, code: "key-vault",
                message: "the source's \(names) comes from Key Vault and is recreated as a reference")
        }
        if !matches.contains(where: isUploadable), let problem = matches.lazy.compactMap(idProblem).first {
            return ImportRouting.Held(
                .skipped, code: "invalid-id",
                message: "the source's id \(names) cannot be used in the target's dialect: \(problem)")
        }
        let errors = report.problems.filter { $0.severity == .error }
        if report.id != nil, !errors.isEmpty, errors.allSatisfy({ $0.code == .expired }) {
            return ImportRouting.Held(
                .skipped, code: "expired",
                message: "expired in the source instance too; --allow expired migrates it")
        }
        return nil
    }

    /// The source's certificates that no item covered, ordered by id.
    public var uncovered: [RemoteCertificate] {
        let covered = self.covered.withLock { $0 }
        return source.filter { !covered.contains($0.id.lowercased()) }
    }

    /// What becomes of a certificate no item covered, given what the target holds under its id.
    public enum Leftover: Sendable, Hashable {
        /// Recreate it in the target as a Key Vault reference.
        case reference(KeyVaultReference)
        /// A line without an upload.
        case line(ImportAction, ManifestEntry.Failure?)
    }

    /// What becomes of `certificate`, which no item covered; `target` is what the target holds under its id.
    public func leftover(_ certificate: RemoteCertificate, target: RemoteCertificate?) -> Leftover {
        if isReference(certificate), let reference = certificate.keyVault, idProblem(certificate) == nil {
            return .reference(reference)
        }
        if let problem = idProblem(certificate) {
            return .line(
                .invalid,
                .init(code: "invalid-id", message: "the id cannot be used in the target's dialect: \(problem)"))
        }
        if let thumbprint = certificate.thumbprint, target?.thumbprint == thumbprint {
            // The target already holds it: no PFX is needed.
            return .line(.unchanged, nil)
        }
        if !allowExpired, hasExpired(certificate) {
            return .line(
                .skipped,
                .init(
                    code: "expired",
                    message: "expired on \(ISO8601.string(certificate.record.expirationDate)) in the source "
                        + "instance; --allow expired migrates it (with its PFX)"))
        }
        var message: String
        if let reference = certificate.keyVault {
            message =
                "it comes from Key Vault (\(reference.secretIdentifier)) and the legacy dialect cannot hold a "
                + "reference: add its PFX to the drop"
        } else if let thumbprint = certificate.thumbprint {
            message = "no item of the drop holds thumbprint \(thumbprint) with its private key"
        } else {
            message =
                "the source shows no thumbprint (a Key Vault reference? read the source in the arm dialect)"
        }
        if let held = target?.thumbprint {
            message += "; the target holds another certificate under this id (\(held))"
        }
        return .line(.missingPFX, .init(code: "missing-pfx", message: message))
    }

    /// The line of a source certificate that no item covered.
    public static func entry(
        _ certificate: RemoteCertificate, outcome: Uploader.Outcome, durationMs: Int = 0
    ) -> ManifestEntry {
        let known = certificate.thumbprint != nil
        return ManifestEntry(
            source: certificate.path, id: certificate.id, thumbprint: certificate.thumbprint,
            subject: certificate.record.subject.isEmpty ? nil : certificate.record.subject,
            expirationDate: known ? ISO8601.string(certificate.record.expirationDate) : nil,
            action: outcome.action, status: outcome.status, etag: outcome.etag, attempts: outcome.attempts,
            error: outcome.error, durationMs: durationMs)
    }

    private static func names(_ matches: [RemoteCertificate]) -> String {
        matches.map { "\"\($0.id)\"" }.joined(separator: ", ")
    }
}
