import Foundation

/// The unpack stage's seam: opens an archive and emits its entries as items.
public protocol Unpacker: Sendable {
    /// If `bytes` are an archive, emits one item per entry (names joined with `!`) and returns `true`;
    /// otherwise returns `false` and emits nothing.
    func unpack(_ bytes: [UInt8], source: String, relativeName: String, emit: (DropItem) -> Void) -> Bool

    /// Whether the first bytes of a file announce an archive.
    func isArchive(prefix: [UInt8]) -> Bool
}

/// The sources stage: walks folders and files in sorted order and emits each entry as a ``DropItem``, handing
/// archives to the unpack stage. Items stream: only one file's bytes are held here at a time.
public struct DropReader: Sendable {
    /// The paths as given.
    public let paths: [String]
    /// Opens archives; `nil` treats every file as a plain entry.
    public let unpacker: (any Unpacker)?
    /// Files larger than this that are not archives are `too-large` and not read.
    public let maxFileBytes: Int

    /// Makes a reader. Paths that do not exist are a usage error (see ``checkPaths()``).
    public init(paths: [String], unpacker: (any Unpacker)?, maxFileBytes: Int = 10 << 20) {
        self.paths = paths
        self.unpacker = unpacker
        self.maxFileBytes = maxFileBytes
    }

    /// Fails when a path does not exist, before any work starts.
    public func checkPaths() throws(PipelineError) {
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw PipelineError(.input, "no such file or folder: \(path)")
        }
    }

    /// Emits every item under `paths`, sorted by source name (entries inside an archive in archive order).
    public func read(emit: (DropItem) -> Void) {
        for path in paths.map(Self.normalise).sorted() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                walk(directory: path, relative: "", emit: emit)
            } else {
                readFile(path: path, source: path, relativeName: (path as NSString).lastPathComponent, emit: emit)
            }
        }
    }

    /// The number of files under `paths` (archives count as one), by their names alone: nothing is read. For an
    /// ETA; an archive's entries make the real count larger.
    public func countFiles() -> Int {
        var count = 0
        let manager = FileManager.default
        for path in paths.map(Self.normalise) {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            guard isDirectory.boolValue else {
                count += 1
                continue
            }
            guard let walker = manager.enumerator(atPath: path) else { continue }
            while let name = walker.nextObject() as? String {
                if walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular { count += 1 }
                _ = name
            }
        }
        return count
    }

    /// Emits every item as ``read(emit:)`` does, with certificates and keys found side by side paired.
    public func units(emit: (DropUnit) -> Void) {
        var grouper = BundleGrouper()
        read { grouper.add($0, emit: emit) }
        grouper.flush(emit: emit)
    }

    private func walk(directory: String, relative: String, emit: (DropItem) -> Void) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else {
            emit(
                DropItem(
                    source: directory, relativeName: relative,
                    content: .failure(Problem(.unreadable, "the folder cannot be listed"))))
            return
        }
        // Sort as full names sort: a folder "a" sorts as "a/", after "a.pfx".
        var entries: [(key: String, name: String, isDirectory: Bool)] = []
        for name in names {
            let path = Self.join(directory, name)
            guard let attributes = try? manager.attributesOfItem(atPath: path) else { continue }
            let type = attributes[.type] as? FileAttributeType
            if type == .typeDirectory {
                entries.append((name + "/", name, true))
            } else if type == .typeRegular || type == .typeSymbolicLink {
                entries.append((name, name, false))
            }
        }
        for entry in entries.sorted(by: { $0.key < $1.key }) {
            let path = Self.join(directory, entry.name)
            let relativeName = relative.isEmpty ? entry.name : relative + "/" + entry.name
            if entry.isDirectory {
                walk(directory: path, relative: relativeName, emit: emit)
            } else {
                var isDirectory: ObjCBool = false
                // A symbolic link is followed to a file only, never into a folder (no loops).
                guard manager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                    continue
                }
                readFile(path: path, source: path, relativeName: relativeName, emit: emit)
            }
        }
    }

    private func readFile(path: String, source: String, relativeName: String, emit: (DropItem) -> Void) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            emit(
                DropItem(
                    source: source, relativeName: relativeName,
                    content: .failure(Problem(.unreadable, "the file cannot be opened")), filePath: path))
            return
        }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        do {
            let prefix = [UInt8](try handle.read(upToCount: 512) ?? Data())
            let isArchive = unpacker?.isArchive(prefix: prefix) ?? false
            if !isArchive, size > maxFileBytes {
                emit(
                    DropItem(
                        source: source, relativeName: relativeName,
                        content: .failure(
                            Problem(.tooLarge, "the file is \(size) bytes, over the limit of \(maxFileBytes)")),
                        filePath: path))
                return
            }
            let bytes = prefix + [UInt8](try handle.readToEnd() ?? Data())
            if isArchive, let unpacker,
                unpacker.unpack(bytes, source: source, relativeName: relativeName, emit: emit)
            {
                return
            }
            emit(DropItem(source: source, relativeName: relativeName, content: .success(bytes), filePath: path))
        } catch {
            emit(
                DropItem(
                    source: source, relativeName: relativeName,
                    content: .failure(Problem(.unreadable, "the file cannot be read")), filePath: path))
        }
    }

    static func normalise(_ path: String) -> String {
        var path = path
        while path.hasPrefix("./") { path.removeFirst(2) }
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory == "." ? name : directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
