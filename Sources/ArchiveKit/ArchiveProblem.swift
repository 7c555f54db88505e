/// Why an entry (or a whole archive) could not be read. The one error type of `ArchiveKit`.
///
/// Codes are stable and never change once shipped; messages are for people, never contain a passphrase, and
/// may change.
public struct ArchiveProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The entry's name is absolute (`/x`, `\x`, `C:\x`) or climbs out of the archive (`../x`, `a/../../b`).
        case unsafePath = "unsafe-path"
        /// The entry is not a regular file: a symbolic or hard link, a device, a FIFO, a socket.
        case unsafeEntry = "unsafe-entry"
        /// The entry expands beyond `ArchiveLimits.maxEntryBytes`.
        case tooLarge = "too-large"
        /// The top-level archive expanded beyond `ArchiveLimits.maxTotalBytes` before this entry was read.
        case archiveTooLarge = "archive-too-large"
        /// The top-level archive holds more than `ArchiveLimits.maxEntries` entries; the rest was not read.
        case tooManyEntries = "too-many-entries"
        /// The entry is encrypted and no passphrase given opens it.
        case encryptedEntry = "encrypted-entry"
        /// The archive (or this entry of it) is damaged, truncated, or in a form libarchive cannot read.
        case corruptArchive = "corrupt-archive"
        /// The entry is an archive nested deeper than `ArchiveLimits.maxDepth`; it was not opened.
        case nestingLimit = "nesting-limit"
    }

    /// The stable reason.
    public let code: Code
    /// A precise, human-readable explanation.
    public let message: String

    /// Creates a problem.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
