import CertificateAPI
import CertificateClient
import DropPipeline
import Foundation

/// How an id compares between two instances. Stable words, listed in the README.
public enum DiffState: String, Sendable, Hashable, Codable, CaseIterable {
    /// The same certificate under the id in both.
    case same
    /// Another certificate under the same id (another thumbprint, or another Key Vault secret).
    case different
    /// Only the source holds the id.
    case onlyInSource = "only-in-source"
    /// Only the target holds the id.
    case onlyInTarget = "only-in-target"
}

/// One id of a diff.
public struct DiffRow: Sendable, Hashable, Encodable {
    /// The id (as the source spells it, when both hold it).
    public var id: String
    /// How it compares.
    public var state: DiffState
    /// The source's thumbprint under the id, if any.
    public var sourceThumbprint: String?
    /// The target's thumbprint under the id, if any.
    public var targetThumbprint: String?
    /// The Key Vault secret the source's certificate comes from, if any.
    public var sourceKeyVault: String?
    /// The Key Vault secret the target's certificate comes from, if any.
    public var targetKeyVault: String?

    private enum Keys: String, CodingKey {
        case id, state, sourceThumbprint, targetThumbprint, sourceKeyVault, targetKeyVault
    }

    /// Every key is written, `null` when unknown.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(id, forKey: .id)
        try container.encode(state, forKey: .state)
        try container.encode(sourceThumbprint, forKey: .sourceThumbprint)
        try container.encode(targetThumbprint, forKey: .targetThumbprint)
        try container.encode(sourceKeyVault, forKey: .sourceKeyVault)
        try container.encode(targetKeyVault, forKey: .targetKeyVault)
    }
}

/// `certdrop diff`: two instances compared by id (without case, as the service compares ids) and thumbprint.
public struct DiffReport: Sendable, Hashable {
    /// Every id either instance holds, ordered by id.
    public let rows: [DiffRow]

    /// Compares two listings.
    public init(source: [RemoteCertificate], target: [RemoteCertificate]) {
        var byID: [String: (source: RemoteCertificate?, target: RemoteCertificate?)] = [:]
        for certificate in source { byID[certificate.id.lowercased(), default: (nil, nil)].source = certificate }
        for certificate in target { byID[certificate.id.lowercased(), default: (nil, nil)].target = certificate }
        rows = byID.sorted { $0.key < $1.key }.map { _, pair in
            let state: DiffState =
                switch (pair.source, pair.target) {
                case (let source?, let target?): Self.isSame(source, target) ? .same : .different
                case (.some, nil): .onlyInSource
                default: .onlyInTarget
                }
            return DiffRow(
                id: (pair.source ?? pair.target)?.id ?? "", state: state, sourceThumbprint: pair.source?.thumbprint,
                targetThumbprint: pair.target?.thumbprint, sourceKeyVault: pair.source?.keyVault?.secretIdentifier,
                targetKeyVault: pair.target?.keyVault?.secretIdentifier)
        }
    }

    /// Whether two certificates under one id are the same: the same thumbprint, and the same Key Vault secret when
    /// both come from Key Vault (whose thumbprint a service may not show).
    public static func isSame(_ source: RemoteCertificate, _ target: RemoteCertificate) -> Bool {
        if let sourceReference = source.keyVault, let targetReference = target.keyVault {
            return sourceReference.secretIdentifier == targetReference.secretIdentifier
                && source.thumbprint == target.thumbprint
        }
        guard let thumbprint = source.thumbprint else { return false }
        return thumbprint == target.thumbprint
    }

    /// Ids per state.
    public var counts: [DiffState: Int] {
        rows.reduce(into: [:]) { $0[$1.state, default: 0] += 1 }
    }

    /// 0 when both instances hold the same certificates under the same ids, 1 otherwise.
    public var exitStatus: Int32 { rows.allSatisfy { $0.state == .same } ? 0 : 1 }

    /// `12 ids: 9 same, 1 different, 2 only-in-source, 0 only-in-target`.
    public var summaryText: String {
        let counts = self.counts
        return "\(rows.count) ids: "
            + DiffState.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
    }

    /// The report as a table (`all`: the `same` rows too) or as JSON (`{"summary": …, "rows": […]}`).
    public func render(json: Bool, all: Bool) -> String {
        let shown = all ? rows : rows.filter { $0.state != .same }
        if json {
            let summary = Dictionary(uniqueKeysWithValues: DiffState.allCases.map { ($0.rawValue, counts[$0] ?? 0) })
            return "{\n  \"summary\": " + JSONText.line(summary) + ",\n  \"rows\": [\n"
                + shown.map { "    " + JSONText.line($0) }.joined(separator: ",\n")
                + (shown.isEmpty ? "" : "\n") + "  ]\n}\n"
        }
        let table = TextTable(.init(width: 15, .spill), .init(width: 30, .spill), .init(width: 42, .spill), .rest)
        var text = shown.isEmpty ? "" : table.line("STATE", "ID", "SOURCE", "TARGET")
        for row in shown {
            let source = DisplayText.escaped(row.sourceThumbprint ?? row.sourceKeyVault ?? "-")
            let target = DisplayText.escaped(row.targetThumbprint ?? row.targetKeyVault ?? "-")
            text += table.line(row.state.rawValue, DisplayText.escaped(row.id), source, target)
        }
        return text + (text.isEmpty ? "" : "\n") + summaryText + "\n"
    }
}
