/// One item that reading an archive produced: a file with its bytes, or a problem that says why it has none.
///
/// Nested archives are not items of their own: their entries are. An archive appears as an entry only when it
/// could not be read (completely), and then it carries the problem.
public struct ArchiveEntry: Sendable, Hashable {
    /// The full label, the chain of containers and the path joined with `!`: `bundle.tar.gz!inner.zip!x.pfx`.
    /// A label only: it is never used to reach the file system.
    public let name: String
    /// The containers from the top-level archive down to the one holding this entry:
    /// `["bundle.tar.gz", "inner.zip"]`. Empty when the entry is the top-level input itself.
    public let containers: [String]
    /// The entry's path inside its innermost container (`x.pfx`), or the top-level name.
    public let path: String
    /// For a readable entry, the number of bytes read; for a problem, the size the archive declared (untrusted,
    /// 0 when unknown) or, for an archive, its size.
    public let size: Int
    /// The bytes, or why they could not be read.
    public let content: Result<[UInt8], ArchiveProblem>

    /// Creates an entry; `name` is derived from `containers` and `path`.
    public init(containers: [String], path: String, size: Int, content: Result<[UInt8], ArchiveProblem>) {
        self.name = (containers + [path]).joined(separator: "!")
        self.containers = containers
        self.path = path
        self.size = size
        self.content = content
    }

    /// The bytes, or nil for a problem entry.
    public var bytes: [UInt8]? {
        if case .success(let bytes) = content { return bytes }
        return nil
    }

    /// The problem, or nil for a readable entry.
    public var problem: ArchiveProblem? {
        if case .failure(let problem) = content { return problem }
        return nil
    }
}
