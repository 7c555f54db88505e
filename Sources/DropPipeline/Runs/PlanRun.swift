import CertificateAPI
import CertificateClient
import Foundation

/// What `import` would do to an item.
public enum PlanAction: String, Sendable, Hashable, Codable, CaseIterable {
    case create, update, unchanged, conflict, invalid, skip
}

/// One line of a plan.
public struct PlanEntry: Sendable, Hashable, Encodable {
    public var source: String
    public var id: String?
    public var action: PlanAction
    public var thumbprint: String?
    /// The thumbprint the target holds under the id now, if any.
    public var currentThumbprint: String?
    public var problems: [Problem]

    private enum Keys: String, CodingKey { case source, id, action, thumbprint, currentThumbprint, problems }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(source, forKey: .source)
        try container.encode(id, forKey: .id)
        try container.encode(action, forKey: .action)
        try container.encode(thumbprint, forKey: .thumbprint)
        try container.encode(currentThumbprint, forKey: .currentThumbprint)
        try container.encode(problems, forKey: .problems)
    }
}

/// `certdrop plan`: the import pipeline with no writes. It lists the target once (following `nextLink`) and
/// says per item what `import` would do.
public struct PlanRun: Sendable {
    public let validation: DropValidation
    public let options: ImportOptions

    /// Makes a plan run.
    public init(validation: DropValidation, options: ImportOptions) {
        self.validation = validation
        self.options = options
    }

    /// Lists `client`'s target, then decides each item in source order.
    public func run(client: CertificateServiceClient, sink: (PlanEntry) -> Void) async throws(ClientError)
        -> [PlanAction: Int]
    {
        try await run(client: client, each: { entry, _ in sink(entry) })
    }

    /// Like ``run(client:sink:)``, handing each entry over with the report of its item (for an HTML report).
    public func run(client: CertificateServiceClient, each sink: (PlanEntry, ItemReport) -> Void)
        async throws(ClientError) -> [PlanAction: Int]
    {
        let current = try await client.list()
        // Ids compare without case, as the service compares them.
        var byID: [String: String] = [:]
        for record in current { byID[record.certificateId.lowercased()] = record.thumbprint.uppercased() }
        let index = byID
        var counts: [PlanAction: Int] = [:]
        validation.run { report in
            let allowed = ImportRun.allowing(options.allow, report)
            let entry = Self.decide(allowed, current: index, onExisting: options.onExisting)
            counts[entry.action, default: 0] += 1
            sink(entry, allowed)
        }
        return counts
    }

    static func decide(_ report: ItemReport, current: [String: String], onExisting: OnExisting) -> PlanEntry {
        let thumbprint = report.certificate?.thumbprint
        var entry = PlanEntry(
            source: report.source, id: report.id, action: .invalid, thumbprint: thumbprint, currentThumbprint: nil,
            problems: report.problems)
        guard report.verdict != .ignored else {
            entry.action = .skip
            return entry
        }
        guard report.verdict != .error, let id = report.id, report.pkcs12?.hasPrivateKey == true else { return entry }
        entry.currentThumbprint = current[id.lowercased()]
        switch entry.currentThumbprint {
        case nil: entry.action = .create
        case thumbprint?.uppercased(): entry.action = .unchanged
        default:
            switch onExisting {
            case .update: entry.action = .update
            case .skip: entry.action = .skip
            case .fail: entry.action = .conflict
            }
        }
        return entry
    }
}
