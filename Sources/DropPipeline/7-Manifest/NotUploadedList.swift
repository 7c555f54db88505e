import Foundation
import Synchronization

/// Sees each line a run's manifest took, with the report of the drop item it came from (`nil` for a line that
/// `migrate` writes for a certificate of the source instance). Called from several threads.
public typealias ImportLineObserver = @Sendable (ManifestEntry, ItemReport?) -> Void

/// The items of an `import` or `migrate` run that were not uploaded, each with its source and reason, printed at
/// the end of the run so that "2 invalid" comes with the names.
///
/// Keeps the first ``limit`` lines in source order and counts the rest, so that memory stays bounded however large
/// the drop; the manifest has every line.
public final class NotUploadedList: Sendable {
    /// The most lines kept for the printed list.
    public let limit: Int
    private struct State {
        var entries: [ManifestEntry] = []
        var more = 0
    }
    private let state = Mutex(State())

    /// Makes an empty list that keeps at most `limit` lines.
    public init(limit: Int = 1000) {
        self.limit = max(0, limit)
    }

    /// Whether a line's item ended outside the target: every action but `created`, `updated` and `unchanged`.
    public static func isNotUploaded(_ action: ImportAction) -> Bool {
        ![.created, .updated, .unchanged].contains(action)
    }

    /// Takes one line; keeps it when its item was not uploaded.
    public func record(_ entry: ManifestEntry) {
        guard Self.isNotUploaded(entry.action) else { return }
        state.withLock { state in
            if state.entries.count < limit { state.entries.append(entry) } else { state.more += 1 }
        }
    }

    /// The lines kept, ordered by source then id (uploads end in any order).
    public var entries: [ManifestEntry] {
        state.withLock { $0.entries }.sorted { ($0.source, $0.id ?? "") < ($1.source, $1.id ?? "") }
    }

    /// Lines not uploaded beyond ``limit``.
    public var more: Int { state.withLock { $0.more } }

    /// `not uploaded (2):` (a dry run: `would not upload (2):`) and a row per line (action, id, source, then the
    /// reason), or `""` when every item went up. Lines listed in `except` (already printed in another list) are left
    /// out.
    public func text(except: Set<ManifestEntry> = [], manifest: String? = nil, dryRun: Bool = false) -> String {
        let shown = entries.filter { !except.contains($0) }
        guard !shown.isEmpty || more > 0 else { return "" }
        var text =
            "\n" + (dryRun ? "would not upload" : "not uploaded") + " (\(shown.count + more)):\n"
            + Self.header
        for entry in shown { text += Self.row(entry) }
        if more > 0 {
            text += "… and \(more) more" + (manifest.map { " (every line is in \(DisplayText.escaped($0)))" } ?? "")
            text += "\n"
        }
        return text
    }

    /// The header of the rows, as `migrate`'s report has it.
    package static let header = DisplayText.pad("ACTION", 12) + DisplayText.pad("ID", 30) + "SOURCE\n"

    /// A row as `migrate`'s report has it, with the reason once (an `invalid` line's message starts with its code).
    static func row(_ entry: ManifestEntry) -> String {
        var text =
            DisplayText.pad(entry.action.rawValue, 12) + DisplayText.pad(DisplayText.escaped(entry.id ?? "-"), 30)
            + DisplayText.escaped(entry.source) + "\n"
        if let error = entry.error {
            let reason = error.message.hasPrefix(error.code + ": ") ? error.message : error.code + ": " + error.message
            text += String(repeating: " ", count: 42) + DisplayText.escaped(reason) + "\n"
        }
        return text
    }
}
