/// One entry of a drop as it leaves the unpack stage: its name, its bytes (or why they could not be read), and
/// where it came from.
public struct DropItem: Sendable {
    /// The source name users see: a path, with `!` between an archive and its entries (`drop.zip!certs/a.pfx`).
    public var source: String
    /// The name relative to the argument it was found under (`drop.zip!certs/a.pfx` for `samples/drop.zip`), used
    /// to look up passwords.
    public var relativeName: String
    /// The bytes, or the unpack stage's problem.
    public var content: Result<[UInt8], Problem>
    /// The file on disk the bytes came from, when they did not come out of an archive (for sidecar passwords).
    public var filePath: String?
    /// Where an archive entry came from, `nil` for plain files.
    public var archive: ArchiveFacts?

    /// Makes an item.
    public init(
        source: String, relativeName: String, content: Result<[UInt8], Problem>, filePath: String? = nil,
        archive: ArchiveFacts? = nil
    ) {
        self.source = source
        self.relativeName = relativeName
        self.content = content
        self.filePath = filePath
        self.archive = archive
    }
}

/// The archive facts of an item inside one or more archives.
public struct ArchiveFacts: Sendable, Hashable, Codable {
    /// The chain of containers, outermost first, each by its full name (`["drop.tar.gz", "drop.tar.gz!inner.zip"]`).
    public var containers: [String]
    /// The entry's size in bytes as read (not as declared).
    public var entrySize: Int?

    /// Makes archive facts.
    public init(containers: [String], entrySize: Int?) {
        self.containers = containers
        self.entrySize = entrySize
    }
}
