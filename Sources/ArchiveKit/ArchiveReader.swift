internal import CArchive

#if canImport(Glibc)
    import Glibc
#endif

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
    /// While it reads, the calling thread's `LC_CTYPE` is `C.UTF-8` unless it is UTF-8 already (libarchive needs it
    /// to return non-ASCII names; `body` runs under it too); the thread's locale is restored before it returns.
    /// Nothing changes for other threads: no `setlocale`.
    public func forEachEntry(
        in bytes: [UInt8],
        named name: String,
        _ body: (ArchiveEntry) throws -> Void
    ) rethrows {
        try UTF8CType.with { try readEntries(in: bytes, named: name, body) }
    }

    private func readEntries(in bytes: [UInt8], named name: String, _ body: (ArchiveEntry) throws -> Void) rethrows {
        if ContainerDetector.detect(bytes) == nil, bytes.count > limits.maxEntryBytes {
            let problem = ArchiveProblem(
                .tooLarge, "\(bytes.count) bytes, beyond the limit of \(limits.maxEntryBytes) bytes per entry")
            try body(ArchiveEntry(containers: [], path: name, size: bytes.count, content: .failure(problem)))
            return
        }
        try ArchiveWalk(limits: limits, passphrases: passphrases).visit(bytes, path: name, containers: [], body)
    }

    /// Calls `body` for each leaf entry of the archive file open for reading at `descriptor`, as
    /// ``forEachEntry(in:named:_:)`` does for bytes, but reading the file from disk as libarchive asks for it:
    /// the top-level archive is never held in memory whole (nested archives and entries are, within the limits).
    ///
    /// - The descriptor stays the caller's (it is not closed); it must be a regular file (anything else is one
    ///   `unsafe-entry` problem, and is not read). It is read from its start, whatever its offset, and seeked.
    /// - Every byte read from the file counts: one pass over it (zip may take two, a compressed stream two)
    ///   reads at most `maxTotalBytes`; asking for more ends the archive with `archive-too-large` (entries read
    ///   before are kept). Seeks, as in a zip's central directory or a tar's skipped data, read nothing.
    /// - A file that is not an archive (by content) is one leaf entry, read up to `maxEntryBytes`.
    /// - The calling thread's locale is switched and restored as for bytes.
    public func forEachEntry(
        inFileDescriptor descriptor: Int32,
        named name: String,
        _ body: (ArchiveEntry) throws -> Void
    ) rethrows {
        try UTF8CType.with { try readEntries(inFileDescriptor: descriptor, named: name, body) }
    }

    private func readEntries(
        inFileDescriptor descriptor: Int32, named name: String, _ body: (ArchiveEntry) throws -> Void
    ) rethrows {
        func problem(_ code: ArchiveProblem.Code, _ message: String, size: Int = 0) -> ArchiveEntry {
            ArchiveEntry(containers: [], path: name, size: size, content: .failure(ArchiveProblem(code, message)))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            try body(problem(.unsafeEntry, "not a regular file; not read"))
            return
        }
        let size = Int(info.st_size)
        let source = ArchiveFileSource(descriptor: descriptor, limit: limits.maxTotalBytes)
        guard let head = source.head(ContainerDetector.prefixLength) else {
            try body(problem(.corruptArchive, "the file cannot be read", size: size))
            return
        }
        guard let format = ContainerDetector.detect(head) else {
            // Not an archive: the one leaf, read with the per-entry cap counted in real bytes.
            let leaf = ArchiveFileSource(descriptor: descriptor, limit: limits.maxEntryBytes)
            guard leaf.rewind() else {
                try body(problem(.corruptArchive, "the file cannot be read", size: size))
                return
            }
            var bytes: [UInt8] = []
            var block: UnsafeRawPointer?
            while true {
                let count = leaf.read(into: &block)
                guard count > 0, let block else {
                    if leaf.isOverLimit {
                        try body(
                            problem(
                                .tooLarge,
                                "more than \(limits.maxEntryBytes) bytes, beyond the limit of \(limits.maxEntryBytes) "
                                    + "bytes per entry", size: size))
                        return
                    }
                    if count < 0 {
                        try body(problem(.corruptArchive, "the file cannot be read", size: size))
                        return
                    }
                    break
                }
                bytes.append(contentsOf: UnsafeRawBufferPointer(start: block, count: count))
            }
            try body(ArchiveEntry(containers: [], path: name, size: bytes.count, content: .success(bytes)))
            return
        }
        // What libarchive says when a read callback fails is no detail; the source knows it was the cap.
        let limit = limits.maxTotalBytes
        try ArchiveWalk(limits: limits, passphrases: passphrases).visit(
            file: source, format: format, path: name, size: size
        ) { entry in
            if source.isOverLimit, let found = entry.problem, found.code == .corruptArchive {
                try body(
                    ArchiveEntry(
                        containers: entry.containers, path: entry.path, size: entry.size,
                        content: .failure(
                            ArchiveProblem(
                                .archiveTooLarge,
                                "the archive file holds more than \(limit) bytes, the limit per top-level archive; "
                                    + "the rest of it was not read"))))
            } else {
                try body(entry)
            }
        }
    }
}
