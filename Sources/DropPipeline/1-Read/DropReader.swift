import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The unpack stage's seam: opens an archive and emits its entries as items.
public protocol Unpacker: Sendable {
    /// If `bytes` are an archive, emits one item per entry (names joined with `!`) and returns `true`;
    /// otherwise returns `false` and emits nothing.
    func unpack(_ bytes: [UInt8], source: String, relativeName: String, emit: (DropItem) -> Void) -> Bool

    /// Whether the first bytes of a file announce an archive.
    func isArchive(prefix: [UInt8]) -> Bool

    /// The most bytes read from disk for one top-level archive file (beyond them it is `archive-too-large`).
    var maxInputBytes: Int { get }

    /// Like ``unpack(_:source:relativeName:emit:)`` for an archive file open at `descriptor` (a regular file),
    /// streamed from disk rather than read whole. Returns `false` (reading nothing) when it cannot: the reader
    /// then reads the bytes and calls the other.
    func unpack(fileDescriptor: Int32, source: String, relativeName: String, emit: (DropItem) -> Void) -> Bool
}

extension Unpacker {
    /// No cap of its own: the reader's `maxFileBytes` does not apply to archives, so an unpacker should say.
    public var maxInputBytes: Int { .max }

    /// Streams nothing: the reader reads the bytes.
    public func unpack(fileDescriptor: Int32, source: String, relativeName: String, emit: (DropItem) -> Void) -> Bool {
        false
    }
}

/// The sources stage: walks folders and files in sorted order and emits each entry as a ``DropItem``, handing
/// archives to the unpack stage. Items stream: only one file's bytes are held here at a time.
///
/// Only regular files are read. What a folder holds is looked at with `lstat`: FIFOs, sockets and devices are
/// `unsafe-entry` items and are never opened; a symbolic link is an `unsafe-entry` item unless `followSymlinks`
/// is set, and even then it is followed only when its target (`realpath`) stays under the given path
/// (`unsafe-path` otherwise), and never into a folder above it or already read (loops). A path given to the
/// reader that is itself a link is followed, as `find -H` does: naming it is consent. Every read is capped by
/// the bytes actually read (one byte past the cap decides), never by the size `stat` reports.
public struct DropReader: Sendable {
    /// The paths as given.
    public let paths: [String]
    /// Opens archives; `nil` treats every file as a plain entry.
    public let unpacker: (any Unpacker)?
    /// Files larger than this that are not archives are `too-large` and not read.
    public let maxFileBytes: Int
    /// Whether symbolic links found inside a drop are followed (`--follow-symlinks`), within the given paths only.
    public let followSymlinks: Bool

    /// Makes a reader. Paths that do not exist are a usage error (see ``checkPaths()``).
    public init(paths: [String], unpacker: (any Unpacker)?, maxFileBytes: Int = 10 << 20, followSymlinks: Bool = false)
    {
        self.paths = paths
        self.unpacker = unpacker
        self.maxFileBytes = max(0, maxFileBytes)
        self.followSymlinks = followSymlinks
    }

    /// The message of a link that is not followed.
    public static let linkNotFollowed = "a symbolic link (not followed; --follow-symlinks reads links inside the drop)"

    /// Fails when a path does not exist, before any work starts.
    public func checkPaths() throws(PipelineError) {
        for path in paths where FileKind.following(path) == nil {
            throw PipelineError(.input, "no such file or folder: \(path)")
        }
    }

    /// Emits every item under `paths`, sorted by source name (entries inside an archive in archive order).
    /// `stop` is asked before each file is opened: once it says yes, nothing more is read.
    public func read(until stop: () -> Bool = { false }, emit: (DropItem) -> Void) {
        for path in paths.map(Self.normalise).sorted() {
            visit(top: path) { found in
                guard !stop() else { return }
                switch found {
                case .file(let openPath, let source, let relativeName):
                    readFile(path: openPath, source: source, relativeName: relativeName, emit: emit)
                case .problem(let source, let relativeName, let problem):
                    emit(DropItem(source: source, relativeName: relativeName, content: .failure(problem)))
                }
            }
        }
    }

    /// The number of items under `paths` (archives count as one), by their names alone: no file is opened. For
    /// an ETA; an archive's entries make the real count larger.
    public func countFiles() -> Int {
        var count = 0
        for path in paths.map(Self.normalise) {
            visit(top: path) { _ in count += 1 }
        }
        return count
    }

    /// Emits every item as ``read(emit:)`` does, with certificates and keys found side by side paired.
    public func units(until stop: () -> Bool = { false }, emit: (DropUnit) -> Void) {
        var grouper = BundleGrouper()
        read(until: stop) { grouper.add($0, emit: emit) }
        grouper.flush(emit: emit)
    }

    /// What the walk finds: a regular file to read (at `openPath`, a path without links), or an item that is a
    /// problem without being opened.
    enum Found {
        case file(openPath: String, source: String, relativeName: String)
        case problem(source: String, relativeName: String, Problem)
    }

    /// A folder's identity, for loop detection.
    struct FolderID: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private func visit(top path: String, _ found: (Found) -> Void) {
        let name = (path as NSString).lastPathComponent
        guard let target = FileKind.following(path) else {
            found(.problem(source: path, relativeName: name, Problem(.unreadable, "the path cannot be looked at")))
            return
        }
        switch target.kind {
        case .directory:
            let root = BoundedFile.resolve(path) ?? path
            let id = FolderID(device: target.device, inode: target.inode)
            var visited: Set<FolderID> = [id]
            walk(directory: path, relative: "", root: root, ancestors: [id], visited: &visited, found)
        case .regular:
            found(.file(openPath: BoundedFile.resolve(path) ?? path, source: path, relativeName: name))
        default:
            found(.problem(source: path, relativeName: name, Self.notRegular(target.kind)))
        }
    }

    static func notRegular(_ kind: FileKind) -> Problem {
        Problem(.unsafeEntry, "\(kind.phrase), not a regular file; not read")
    }

    private enum Entry {
        /// A folder, reached through a link or not (a real folder is read even when a link read it first).
        case folder(FolderID, viaLink: Bool)
        case file(openPath: String)
        case problem(Problem)
    }

    private func walk(
        directory: String, relative: String, root: String, ancestors: Set<FolderID>, visited: inout Set<FolderID>,
        _ found: (Found) -> Void
    ) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            found(
                .problem(
                    source: directory, relativeName: relative, Problem(.unreadable, "the folder cannot be listed")))
            return
        }
        // Sort as full names sort: a folder "a" sorts as "a/", after "a.pfx".
        var entries: [(key: String, name: String, entry: Entry)] = []
        for name in names {
            let path = Self.join(directory, name)
            let entry = classify(path, root: root)
            if case .folder = entry {
                entries.append((name + "/", name, entry))
            } else {
                entries.append((name, name, entry))
            }
        }
        for (_, name, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let path = Self.join(directory, name)
            let relativeName = relative.isEmpty ? name : relative + "/" + name
            switch entry {
            case .folder(let id, let viaLink):
                if ancestors.contains(id) {
                    found(
                        .problem(
                            source: path, relativeName: relativeName,
                            Problem(.unsafeEntry, "a symbolic link to a folder above it (a loop); not followed")))
                } else if !visited.insert(id).inserted, viaLink {
                    found(
                        .problem(
                            source: path, relativeName: relativeName,
                            Problem(.unsafeEntry, "a symbolic link to a folder already read; not read again")))
                } else {
                    walk(
                        directory: path, relative: relativeName, root: root, ancestors: ancestors.union([id]),
                        visited: &visited, found)
                }
            case .file(let openPath):
                found(.file(openPath: openPath, source: path, relativeName: relativeName))
            case .problem(let problem):
                found(.problem(source: path, relativeName: relativeName, problem))
            }
        }
    }

    /// What `path` is, by `lstat`; a link is resolved only when links are followed, and only within `root`.
    private func classify(_ path: String, root: String) -> Entry {
        guard let info = FileKind.of(path) else {
            return .problem(Problem(.unreadable, "the entry cannot be looked at (it may have vanished)"))
        }
        switch info.kind {
        case .directory:
            return .folder(FolderID(device: info.device, inode: info.inode), viaLink: false)
        case .regular:
            return .file(openPath: path)
        case .symbolicLink:
            guard followSymlinks else { return .problem(Problem(.unsafeEntry, Self.linkNotFollowed)) }
            let (resolved, error) = BoundedFile.resolveReportingError(path)
            guard let resolved else {
                return error == ELOOP
                    ? .problem(Problem(.unsafeEntry, "a symbolic link loop; not followed"))
                    : .problem(Problem(.unreadable, "a symbolic link to nothing (its target does not exist)"))
            }
            guard BoundedFile.isInside(resolved, root: root) else {
                return .problem(
                    Problem(.unsafePath, "a symbolic link that leads outside the drop (\(root)); not followed"))
            }
            guard let target = FileKind.of(resolved) else {
                return .problem(Problem(.unreadable, "a symbolic link whose target cannot be looked at"))
            }
            switch target.kind {
            case .directory: return .folder(FolderID(device: target.device, inode: target.inode), viaLink: true)
            case .regular: return .file(openPath: resolved)
            default:
                return .problem(Problem(.unsafeEntry, "a symbolic link to \(target.kind.phrase); not read"))
            }
        default:
            return .problem(Self.notRegular(info.kind))
        }
    }

    private func readFile(path: String, source: String, relativeName: String, emit: (DropItem) -> Void) {
        func fail(_ problem: Problem) {
            emit(DropItem(source: source, relativeName: relativeName, content: .failure(problem), filePath: source))
        }
        let file: BoundedFile
        switch BoundedFile.open(path) {
        case .success(let opened): file = opened
        case .failure(.notRegular(let kind)): return fail(Self.notRegular(kind))
        case .failure(let failure): return fail(Problem(.unreadable, "the file cannot be opened: \(failure.message)"))
        }
        guard case .success(let prefix) = file.read(upTo: 512) else {
            return fail(Problem(.unreadable, "the file cannot be read"))
        }
        let isArchive = unpacker?.isArchive(prefix: prefix) ?? false
        if isArchive, let unpacker,
            unpacker.unpack(fileDescriptor: file.descriptor, source: source, relativeName: relativeName, emit: emit)
        {
            return
        }
        let limit = isArchive ? (unpacker?.maxInputBytes ?? maxFileBytes) : maxFileBytes
        let rest: Result<[UInt8], BoundedFile.Failure> =
            prefix.count > limit ? .failure(.tooLarge(limit: limit)) : file.readRest(limit: limit - prefix.count)
        let bytes: [UInt8]
        switch rest {
        case .success(let more):
            bytes = prefix + more
        case .failure(.tooLarge):
            return fail(
                isArchive
                    ? Problem(
                        .archiveTooLarge,
                        "the archive file is more than \(limit) bytes (--max-archive-bytes); not opened")
                    : Problem(.tooLarge, "the file is more than \(limit) bytes, the limit (--max-entry-bytes)"))
        case .failure:
            return fail(Problem(.unreadable, "the file cannot be read"))
        }
        if isArchive, let unpacker, unpacker.unpack(bytes, source: source, relativeName: relativeName, emit: emit) {
            return
        }
        // Sidecar passwords are looked for beside the name as found (a followed link's, not its target's).
        emit(DropItem(source: source, relativeName: relativeName, content: .success(bytes), filePath: source))
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
