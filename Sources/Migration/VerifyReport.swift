import CertificateAPI
import CertificateClient
import DropPipeline
import Foundation

/// How an id that should be in the target is found there. Stable words, listed in the README.
public enum VerifyState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Present with the right certificate.
    case ok
    /// Not in the target.
    case missing
    /// Present with another certificate (another thumbprint, or not the expected Key Vault reference, or that
    /// reference with another thumbprint than the source's).
    case different
    /// `--from`/`--to`: expired in the source, so not expected without `--include-expired`; not a failure.
    case expired
}

/// An id that should be in the target, and what it should hold there.
public struct VerifyExpectation: Sendable, Hashable {
    /// The id.
    public var id: String
    /// The thumbprint it should have, or `nil` when any will do (a Key Vault reference whose facts are unknown).
    public var thumbprint: String?
    /// The Key Vault secret it should refer to, when the source's certificate is a reference and the target is ARM.
    public var keyVault: KeyVaultReference?
    /// Where the expectation comes from: the manifest line's source, or the source instance's entity path.
    public var origin: String

    /// Makes an expectation.
    public init(id: String, thumbprint: String?, keyVault: KeyVaultReference? = nil, origin: String) {
        self.id = id
        self.thumbprint = thumbprint?.uppercased()
        self.keyVault = keyVault
        self.origin = origin
    }
}

/// One id of a verification.
public struct VerifyRow: Sendable, Hashable, Encodable {
    public var id: String
    public var state: VerifyState
    /// The thumbprint expected, if one is.
    public var expectedThumbprint: String?
    /// The thumbprint the target holds, if any.
    public var actualThumbprint: String?
    /// Where the expectation comes from.
    public var origin: String

    private enum Keys: String, CodingKey { case id, state, expectedThumbprint, actualThumbprint, origin }

    /// Every key is written, `null` when unknown.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(id, forKey: .id)
        try container.encode(state, forKey: .state)
        try container.encode(expectedThumbprint, forKey: .expectedThumbprint)
        try container.encode(actualThumbprint, forKey: .actualThumbprint)
        try container.encode(origin, forKey: .origin)
    }
}

/// `certdrop verify`: every id that should be in the target is there with the right certificate.
///
/// What should be there comes from a manifest (``expectations(manifestPath:)``: every id a run uploaded or tried to
/// upload) or from the source instance (``expectations(source:targetDialect:includeExpired:now:)``: every id it
/// holds). The target is listed once and compared in memory.
public struct VerifyReport: Sendable, Hashable {
    /// One row per expected id (and per expired certificate passed over), ordered by id.
    public let rows: [VerifyRow]

    /// Checks `expectations` against the target's listing; `passedOver` rows (expired) are kept as they are.
    public init(expectations: [VerifyExpectation], target: [RemoteCertificate], passedOver: [VerifyRow] = []) {
        var held: [String: RemoteCertificate] = [:]
        for certificate in target { held[certificate.id.lowercased()] = certificate }
        let checked = expectations.map { expectation -> VerifyRow in
            let current = held[expectation.id.lowercased()]
            var row = VerifyRow(
                id: expectation.id, state: .ok, expectedThumbprint: expectation.thumbprint,
                actualThumbprint: current?.thumbprint, origin: expectation.origin)
            if let current {
                if let reference = expectation.keyVault {
                    // By the secret and, where both services show them, by the certificate's facts.
                    if !KeyVaultUploader.holds(current, reference, thumbprint: expectation.thumbprint) {
                        row.state = .different
                    }
                } else if let thumbprint = expectation.thumbprint, current.thumbprint != thumbprint {
                    row.state = .different
                }
            } else {
                row.state = .missing
            }
            return row
        }
        rows = (checked + passedOver).sorted { $0.id.lowercased() < $1.id.lowercased() }
    }

    /// Rows per state.
    public var counts: [VerifyState: Int] {
        rows.reduce(into: [:]) { $0[$1.state, default: 0] += 1 }
    }

    /// Whether every expected id is there with the right certificate.
    public var isComplete: Bool { !rows.contains { $0.state == .missing || $0.state == .different } }

    /// 0 when complete, 1 otherwise.
    public var exitStatus: Int32 { isComplete ? 0 : 1 }

    /// `complete: 12 ids checked, 12 ok` or `incomplete: 12 ids checked: 10 ok, 1 missing, 1 different`.
    public var summaryText: String {
        let counts = self.counts
        let parts = VerifyState.allCases.compactMap { state in counts[state].map { "\($0) \(state.rawValue)" } }
        return (isComplete ? "complete" : "incomplete") + ": \(rows.count) ids checked: "
            + (parts.isEmpty ? "nothing expected" : parts.joined(separator: ", "))
    }

    /// The report as a table (`all`: the `ok` rows too) or as JSON (`{"summary": …, "complete": …, "rows": […]}`).
    public func render(json: Bool, all: Bool) -> String {
        let shown = all ? rows : rows.filter { $0.state != .ok }
        if json {
            let summary = Dictionary(uniqueKeysWithValues: VerifyState.allCases.map { ($0.rawValue, counts[$0] ?? 0) })
            return "{\n  \"complete\": \(isComplete),\n  \"summary\": " + JSONText.line(summary) + ",\n  \"rows\": [\n"
                + shown.map { "    " + JSONText.line($0) }.joined(separator: ",\n")
                + (shown.isEmpty ? "" : "\n") + "  ]\n}\n"
        }
        let table = TextTable(.init(width: 11, .spill), .init(width: 30, .spill), .init(width: 42, .spill), .rest)
        var text = shown.isEmpty ? "" : table.line("STATE", "ID", "EXPECTED", "FOUND")
        for row in shown {
            text += table.line(
                row.state.rawValue, DisplayText.escaped(row.id), DisplayText.escaped(row.expectedThumbprint ?? "-"),
                DisplayText.escaped(row.actualThumbprint ?? "-"))
        }
        return text + (text.isEmpty ? "" : "\n") + summaryText + "\n"
    }

    /// What a manifest says should be in its target: per id, the thumbprint of its last line that put it there
    /// (`created`, `updated`, `unchanged`), else of its last line that tried to (`conflict`, `failed`). Lines that
    /// never reached the upload (`invalid`, `skipped`, `unmatched`, `missing-pfx`) name certificates the run did not
    /// move, and why; they are the run's report, not expectations.
    public static func expectations(manifestPath: String) throws(PipelineError) -> [VerifyExpectation] {
        var done: [String: ManifestEntry] = [:]
        var tried: [String: ManifestEntry] = [:]
        // Streamed, with the manifest reader's rules: a CSV manifest is refused, a line cut short passed over.
        try ManifestWriter.entries(path: manifestPath) { entry in
            guard let id = entry.id?.lowercased() else { return }
            switch entry.action {
            case .created, .updated, .unchanged: done[id] = entry
            case .conflict, .failed: tried[id] = entry
            default: break
            }
        }
        return tried.merging(done) { _, success in success }.values
            .map { VerifyExpectation(id: $0.id ?? "", thumbprint: $0.thumbprint, origin: $0.source) }
            .sorted { $0.id.lowercased() < $1.id.lowercased() }
    }

    /// What the source instance says should be in the target: every id it holds, with its thumbprint (and its Key
    /// Vault secret, when the target can hold a reference). Expired certificates are passed over unless
    /// `includeExpired`, as `migrate` passes them over without `--allow expired`.
    public static func expectations(
        source: [RemoteCertificate], targetDialect: Dialect, includeExpired: Bool = false, now: Date = Date()
    ) -> (expected: [VerifyExpectation], passedOver: [VerifyRow]) {
        var expected: [VerifyExpectation] = []
        var passedOver: [VerifyRow] = []
        for certificate in source {
            let reference = targetDialect == .arm ? certificate.keyVault : nil
            if !includeExpired, reference == nil, certificate.thumbprint != nil,
                certificate.record.expirationDate < now
            {
                passedOver.append(
                    VerifyRow(
                        id: certificate.id, state: .expired, expectedThumbprint: certificate.thumbprint,
                        actualThumbprint: nil, origin: certificate.path))
                continue
            }
            expected.append(
                VerifyExpectation(
                    id: certificate.id, thumbprint: certificate.thumbprint, keyVault: reference,
                    origin: certificate.path))
        }
        return (expected, passedOver)
    }
}
