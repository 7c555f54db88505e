import Foundation

/// What happened to an item in `import` (and `migrate`). Stable words, listed in the README.
public enum ImportAction: String, Sendable, Hashable, Codable, CaseIterable {
    case created, updated, unchanged, conflict, invalid, failed, skipped
    /// `migrate`: the source instance holds the certificate, the drop has no PFX for it.
    case missingPFX = "missing-pfx"
    /// `migrate`: a drop item whose certificate the source instance does not hold (not uploaded).
    case unmatched

    /// Whether the item needs no more work: a resumed run passes over it.
    public var isSettled: Bool { self == .created || self == .updated || self == .unchanged || self == .skipped }

    /// Whether the item counts against the run's success (exit status 1).
    public var isFailure: Bool { self == .conflict || self == .invalid || self == .failed || self == .missingPFX }
}

/// One line of the manifest: what happened to one item. Never a password, key or token.
public struct ManifestEntry: Sendable, Hashable, Codable {
    /// A stable code and message for why an item did not end well.
    public struct Failure: Sendable, Hashable, Codable {
        public var code: String
        public var message: String
    }

    public var source: String
    public var id: String?
    public var thumbprint: String?
    public var subject: String?
    public var expirationDate: String?
    public var action: ImportAction
    public var status: Int?
    public var etag: String?
    public var attempts: Int
    public var error: Failure?
    public var durationMs: Int

    /// Makes an entry.
    public init(
        source: String, id: String?, thumbprint: String?, subject: String?, expirationDate: String?,
        action: ImportAction, status: Int? = nil, etag: String? = nil, attempts: Int = 0, error: Failure? = nil,
        durationMs: Int = 0
    ) {
        self.source = source
        self.id = id
        self.thumbprint = thumbprint
        self.subject = subject
        self.expirationDate = expirationDate
        self.action = action
        self.status = status
        self.etag = etag
        self.attempts = attempts
        self.error = error
        self.durationMs = durationMs
    }

    private enum Keys: String, CodingKey {
        case source, id, thumbprint, subject, expirationDate, action, status, etag, attempts, error, durationMs
    }

    /// Every key is written, `null` when unknown, so that every line has the same columns.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(source, forKey: .source)
        try container.encode(id, forKey: .id)
        try container.encode(thumbprint, forKey: .thumbprint)
        try container.encode(subject, forKey: .subject)
        try container.encode(expirationDate, forKey: .expirationDate)
        try container.encode(action, forKey: .action)
        try container.encode(status, forKey: .status)
        try container.encode(etag, forKey: .etag)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(error, forKey: .error)
        try container.encode(durationMs, forKey: .durationMs)
    }
}

/// Counts over an import, by action.
public struct ImportSummary: Sendable, Hashable, Codable {
    /// Items per action.
    public var actions: [ImportAction: Int] = [:]
    /// Items passed over because an earlier run settled them (`--resume`).
    public var resumed = 0

    /// An empty summary.
    public init() {}

    /// All items this run wrote a line for.
    public var total: Int { actions.values.reduce(0, +) }

    /// 0 when every valid item ended created, updated, unchanged (or skipped); 1 otherwise.
    public var exitStatus: Int32 { actions.contains { $0.key.isFailure && $0.value > 0 } ? 1 : 0 }

    /// `12 items: 8 created, 1 unchanged, …`.
    public var text: String {
        let parts = ImportAction.allCases.compactMap { action in actions[action].map { "\($0) \(action.rawValue)" } }
        var line = "\(total) items: " + (parts.isEmpty ? "nothing to do" : parts.joined(separator: ", "))
        if resumed > 0 { line += " (\(resumed) settled earlier, passed over)" }
        return line
    }

    private enum Keys: String, CodingKey { case total, actions, resumed }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(total, forKey: .total)
        try container.encode(
            Dictionary(uniqueKeysWithValues: ImportAction.allCases.map { ($0.rawValue, actions[$0] ?? 0) }),
            forKey: .actions)
        try container.encode(resumed, forKey: .resumed)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let counts = try container.decode([String: Int].self, forKey: .actions)
        for (key, value) in counts {
            if let action = ImportAction(rawValue: key) { actions[action] = value }
        }
        resumed = try container.decodeIfPresent(Int.self, forKey: .resumed) ?? 0
    }
}

/// The manifest's formats.
public enum ManifestFormat: String, Sendable, CaseIterable {
    case jsonl, csv
}

/// Appends manifest lines as results arrive, one `write` per line, so that a crash loses at most the items in
/// flight. Thread-safe.
///
/// `@unchecked Sendable`: the file handle is used under `lock` only.
public final class ManifestWriter: @unchecked Sendable {
    /// The manifest's path.
    public let path: String
    private let format: ManifestFormat
    private let handle: FileHandle
    private let lock = NSLock()

    /// Opens `path` for appending (creating it and its folder, mode 0600). A new CSV file gets its header.
    public init(path: String, format: ManifestFormat = .jsonl) throws(PipelineError) {
        let manager = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let isNew = !manager.fileExists(atPath: path)
        if isNew, !manager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) {
            throw PipelineError(.output, "cannot create the manifest \(path)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw PipelineError(.output, "cannot write the manifest \(path)")
        }
        _ = try? handle.seekToEnd()
        self.path = path
        self.format = format
        self.handle = handle
        if isNew, format == .csv { append(Self.csvHeader) }
    }

    deinit { try? handle.close() }

    /// Appends one item's line.
    public func write(_ entry: ManifestEntry) {
        switch format {
        case .jsonl: append(JSONText.line(entry) + "\n")
        case .csv: append(Self.csvRow(entry))
        }
    }

    /// Appends the summary line (JSON Lines only: a CSV manifest is rows alone).
    public func finish(_ summary: ImportSummary) {
        if format == .jsonl { append(JSONText.line(["summary": summary]) + "\n") }
    }

    private func append(_ text: String) {
        lock.withLock { try? handle.write(contentsOf: Data(text.utf8)) }
    }

    static let csvHeader =
        "source,id,thumbprint,subject,expirationDate,action,status,etag,attempts,errorCode,errorMessage,durationMs\n"

    static func csvRow(_ entry: ManifestEntry) -> String {
        [
            entry.source, entry.id ?? "", entry.thumbprint ?? "", entry.subject ?? "", entry.expirationDate ?? "",
            entry.action.rawValue, entry.status.map(String.init) ?? "", entry.etag ?? "", String(entry.attempts),
            entry.error?.code ?? "", entry.error?.message ?? "", String(entry.durationMs),
        ].map(CSVFormat.quote).joined(separator: ",") + "\n"
    }

    /// The sources an earlier manifest settled (`created`, `updated`, `unchanged`, `skipped`), for `--resume`.
    /// Lines that are not entries (the summary, a line cut short by a crash) are passed over.
    public static func settledSources(path: String) throws(PipelineError) -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(.input, "cannot read the manifest \(path)")
        }
        var settled: Set<String> = []
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let entry = try? decoder.decode(ManifestEntry.self, from: Data(line)) else { continue }
            if entry.action.isSettled {
                settled.insert(entry.source)
            } else {
                settled.remove(entry.source)
            }
        }
        return settled
    }
}
