import CertificateClient
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

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

        /// Makes a failure.
        package init(code: String, message: String) {
            self.code = code
            self.message = message
        }

        /// A client's error as a manifest records it: its code's word and its message.
        package init(code: ClientError.Code, message: String) {
            self.init(code: code.rawValue, message: message)
        }
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
/// Nothing is lost silently: the first line that cannot be written whole (`ENOSPC`, `EIO`, `/dev/full`) is
/// recorded as ``failure`` and every later write is refused, so a run can stop at once; ``finish(_:)`` and
/// ``close()`` `fsync` the file and throw that failure. A run that ends without ``close()`` throwing has every
/// line on disk.
///
/// `@unchecked Sendable`: the file handle and `recorded` are used under `lock` only.
public final class ManifestWriter: @unchecked Sendable {
    /// The manifest's path.
    public let path: String
    private let format: ManifestFormat
    private let handle: FileHandle
    private let lock = NSLock()
    private var recorded: PipelineError?

    /// Opens `path` for appending (creating it and its folder, mode 0600). A new CSV file gets its header.
    ///
    /// An existing file that already holds lines keeps its format: appending another format to it is refused
    /// (a CSV manifest resumed with `jsonl`, or the other way round), so one file never mixes them.
    public init(path: String, format: ManifestFormat = .jsonl) throws(PipelineError) {
        let manager = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let isNew = FileKind.following(path) == nil
        if !isNew, let existing = try Self.detectFormat(path: path), existing != format {
            throw PipelineError(
                .usage,
                "the manifest \(path) holds \(existing.rawValue) lines; it cannot take \(format.rawValue) ones "
                    + "(give --manifest-format \(existing.rawValue), or another --manifest)")
        }
        // Opened in place (never created by a rename), so that a device stays a device.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw PipelineError(.output, "cannot write the manifest \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        self.path = path
        self.format = format
        self.handle = handle
        if isNew, format == .csv { append(Self.csvHeader) }
        if !isNew, Self.endsInsideALine(path) { append("\n") }  // a line a crash cut short stays alone
        if let failure { throw failure }
    }

    /// Whether a regular file's last byte is not a newline (a crash cut its last line short).
    private static func endsInsideALine(_ path: String) -> Bool {
        guard case .success(let file) = BoundedFile.open(path, followLinks: true) else { return false }
        var info = stat()
        guard fstat(file.descriptor, &info) == 0, info.st_size > 0 else { return false }
        var last: UInt8 = 0
        return pread(file.descriptor, &last, 1, off_t(info.st_size - 1)) == 1 && last != 0x0A
    }

    /// The first write that failed, if one has: the manifest is missing lines from then on.
    public var failure: PipelineError? { lock.withLock { recorded } }

    /// Appends one item's line; `false` when it could not be written (see ``failure``).
    @discardableResult
    public func write(_ entry: ManifestEntry) -> Bool {
        switch format {
        case .jsonl: append(JSONText.line(entry) + "\n")
        case .csv: append(Self.csvRow(entry))
        }
    }

    /// Appends the summary line (JSON Lines only: a CSV manifest is rows alone), then flushes the file to disk.
    /// - Throws: the first write failure of this manifest, or the `fsync` one.
    public func finish(_ summary: ImportSummary) throws(PipelineError) {
        if format == .jsonl { append(JSONText.line(["summary": summary]) + "\n") }
        try close()
    }

    /// Flushes the file to disk (`fsync`; a device that cannot sync, as `/dev/null`, is fine) and throws the
    /// first write failure, if any.
    public func close() throws(PipelineError) {
        lock.lock()
        defer { lock.unlock() }
        if let recorded { throw recorded }
        if fsync(handle.fileDescriptor) != 0, errno != EINVAL, errno != EROFS, errno != ENOTSUP {
            let failure = Self.failure(path, errno)
            recorded = failure
            throw failure
        }
    }

    @discardableResult
    private func append(_ text: String) -> Bool {
        lock.withLock {
            guard recorded == nil else { return false }
            if let error = writeAll(Array(text.utf8)[...], to: handle.fileDescriptor) {
                recorded = Self.failure(path, error)
                return false
            }
            return true
        }
    }

    private static func failure(_ path: String, _ error: Int32) -> PipelineError {
        PipelineError(
            .output, "cannot write the manifest \(path): \(String(cString: strerror(error))); the run stopped")
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

    /// The most bytes one manifest line may hold when it is read back (1 MiB); a longer one is refused.
    public static let maxLineBytes = 1 << 20

    /// The format of an existing manifest by its first bytes (`{` JSON Lines, the CSV header), `nil` when empty.
    /// - Throws: ``PipelineError`` when it cannot be read or is neither.
    public static func detectFormat(path: String) throws(PipelineError) -> ManifestFormat? {
        let head: [UInt8]
        switch BoundedFile.open(path, followLinks: true) {
        case .success(let file):
            guard case .success(let bytes) = file.read(upTo: csvHeader.utf8.count) else {
                throw PipelineError(.input, "cannot read the manifest \(path)")
            }
            head = bytes
        case .failure(.notRegular):
            return nil  // `/dev/null`, `/dev/full`: nothing to keep the format of.
        case .failure(let failure):
            throw PipelineError(.input, "cannot read the manifest \(path): \(failure.message)")
        }
        let text = String(decoding: head, as: UTF8.self).drop { $0 == " " || $0 == "\n" || $0 == "\r" }
        if text.isEmpty { return nil }
        if text.hasPrefix("{") { return .jsonl }
        if csvHeader.hasPrefix(text) || text.hasPrefix("source,") { return .csv }
        throw PipelineError(.input, "the manifest \(path) is neither JSON Lines nor CSV")
    }

    /// Every entry of a JSON Lines manifest, in order, streamed from disk.
    ///
    /// Lines that are not entries are passed over: the summary line, and a line a crash cut short (the writer
    /// that appends to such a file first ends the cut line, so the next line stays whole). A CSV manifest is
    /// refused: its quoted fields may span lines and its spreadsheet-safe quoting does not give back the source
    /// names exactly, so it cannot be resumed (as with `migrate`).
    public static func entries(path: String, _ body: (ManifestEntry) -> Void) throws(PipelineError) {
        guard let format = try detectFormat(path: path) else { return }
        guard format == .jsonl else {
            throw PipelineError(
                .usage,
                "the manifest \(path) is CSV: --resume and verify read jsonl manifests only (write one with "
                    + "--manifest-format jsonl)")
        }
        let file: BoundedFile
        switch BoundedFile.open(path, followLinks: true) {
        case .success(let opened): file = opened
        case .failure(let failure): throw PipelineError(.input, "cannot read the manifest \(path): \(failure.message)")
        }
        var pending: [UInt8] = []
        let decoder = JSONDecoder()
        func handle(_ line: ArraySlice<UInt8>) {
            guard !line.isEmpty, let entry = try? decoder.decode(ManifestEntry.self, from: Data(line)) else { return }
            body(entry)
        }
        var lineNumber = 0
        while true {
            guard case .success(let chunk) = file.read(upTo: 1 << 16) else {
                throw PipelineError(.input, "cannot read the manifest \(path)")
            }
            if chunk.isEmpty { break }
            pending += chunk
            // One pass over the chunk, then one removal: linear in the bytes however short the lines.
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                lineNumber += 1
                handle(pending[start..<newline])
                start = newline + 1
            }
            pending.removeSubrange(..<start)
            guard pending.count <= maxLineBytes else {
                throw PipelineError(
                    .input, "the manifest \(path) has a line over \(maxLineBytes) bytes (line \(lineNumber + 1))")
            }
        }
        // A last line without its newline: a crash mid-write. Kept when it parses, passed over when not.
        handle(pending[...])
    }

    /// The sources an earlier manifest settled (`created`, `updated`, `unchanged`, `skipped`), for `--resume`.
    /// See ``entries(path:_:)`` for the lines passed over.
    public static func settledSources(path: String) throws(PipelineError) -> Set<String> {
        var settled: Set<String> = []
        try entries(path: path) { entry in
            if entry.action.isSettled {
                settled.insert(entry.source)
            } else {
                settled.remove(entry.source)
            }
        }
        return settled
    }
}
