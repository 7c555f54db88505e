/// Caps on the work and memory that one top-level archive may cost.
///
/// Every cap is enforced while reading, by counting the bytes libarchive actually hands out; sizes that an
/// archive declares are never trusted. All counts cover the whole tree of one top-level archive: entries and
/// bytes of nested archives count towards the same totals as their parent's.
public struct ArchiveLimits: Sendable, Hashable {
    /// The most bytes one entry may expand to (problem `too-large` beyond it).
    public let maxEntryBytes: Int
    /// The most uncompressed bytes that reading one top-level archive may produce, nested archives and skipped
    /// data included (problem `archive-too-large` for what remains).
    public let maxTotalBytes: Int
    /// The most entry headers that one top-level archive may hold, nested archives and directories included
    /// (problem `too-many-entries`, then reading stops).
    public let maxEntries: Int
    /// The most archive levels opened, the top-level archive counting as one (problem `nesting-limit` for an
    /// archive below them).
    public let maxDepth: Int

    /// Creates limits; negative values count as zero.
    public init(
        maxEntryBytes: Int = 10 << 20,
        maxTotalBytes: Int = 1 << 30,
        maxEntries: Int = 100_000,
        maxDepth: Int = 4
    ) {
        self.maxEntryBytes = max(0, maxEntryBytes)
        self.maxTotalBytes = max(0, maxTotalBytes)
        self.maxEntries = max(0, maxEntries)
        self.maxDepth = max(0, maxDepth)
    }

    /// 10 MiB per entry, 1 GiB per top-level archive, 100,000 entries, 4 levels of archives.
    public static let `default` = ArchiveLimits()
}
