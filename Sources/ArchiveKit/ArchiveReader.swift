internal import CArchive

/// Reads archives in memory with libarchive, recursing into nested archives, within `ArchiveLimits`.
///
/// Entries stream out one at a time through a closure: memory holds the input, the entry being read and the
/// nested archives above it, never the list of entries. Nothing is extracted to disk; names are labels only.
public struct ArchiveReader: Sendable {
    /// The caps applied to each top-level input.
    public let limits: ArchiveLimits
    /// Candidate passwords for encrypted zip entries, each tried in turn. They stay the caller's: the reader
    /// hands libarchive wiped-after-use copies, and a passphrase never appears in a message.
    private let passphrases: [[UInt8]]

    /// Creates a reader. Passphrases that are empty or hold a NUL byte cannot reach libarchive and are ignored.
    public init(limits: ArchiveLimits = .default, passphrases: [[UInt8]] = []) {
        self.limits = limits
        self.passphrases = passphrases
    }

    /// Calls `body` for each leaf entry of `bytes`, depth-first in archive order, and for each problem.
    ///
    /// - `bytes` that are not an archive (by content) are one leaf entry named `name` (`too-large` beyond
    ///   `maxEntryBytes`).
    /// - A zip, tar or 7z yields its regular files, `name!path`; directories are skipped silently; links,
    ///   devices and FIFOs are `unsafe-entry`, absolute or climbing names `unsafe-path`, neither read.
    /// - A gzip, bzip2 or xz stream holds a tar, read as such, or one file named after the container minus its
    ///   compression suffix (`x.pfx.gz!x.pfx`).
    /// - An entry that is itself an archive is opened in turn (`bundle.tar.gz!inner.zip!x.pfx`) and is not
    ///   yielded, unless it is nested too deep (`nesting-limit`) or cannot be read completely (then it, or its
    ///   damaged entry, carries `corrupt-archive`; entries read before the damage are kept).
    ///
    /// Errors thrown by `body` stop the reading and are rethrown; the reader itself never throws.
    ///
    /// The first call in a process switches `LC_CTYPE` to `C.UTF-8` unless it is UTF-8 already (libarchive needs
    /// it to return non-ASCII names); it does so once, but `setlocale` is process-wide.
    public func forEachEntry(
        in bytes: [UInt8],
        named name: String,
        _ body: (ArchiveEntry) throws -> Void
    ) rethrows {
        _ = Self.utf8NamesReady
        if ContainerDetector.detect(bytes) == nil, bytes.count > limits.maxEntryBytes {
            let problem = ArchiveProblem(
                .tooLarge, "\(bytes.count) bytes, beyond the limit of \(limits.maxEntryBytes) bytes per entry")
            try body(ArchiveEntry(containers: [], path: name, size: bytes.count, content: .failure(problem)))
            return
        }
        try ArchiveWalk(limits: limits, passphrases: passphrases).visit(bytes, path: name, containers: [], body)
    }

    /// Switches `LC_CTYPE` to UTF-8 once per process, unless it already is: without it libarchive returns no
    /// name at all for non-ASCII entries. `static let` makes the one call thread-safe.
    private static let utf8NamesReady: Bool = cd_ensure_utf8_ctype() != 0
}
