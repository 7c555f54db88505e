import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What kind of thing a path names, told by `lstat`/`fstat` (never by its name).
public enum FileKind: Sendable, Hashable {
    case regular, directory, symbolicLink, fifo, socket, characterDevice, blockDevice, unknown

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        default: self = .unknown
        }
    }

    /// The kind as a message names it: `a FIFO`, `a character device`.
    public var phrase: String {
        switch self {
        case .regular: "a regular file"
        case .directory: "a folder"
        case .symbolicLink: "a symbolic link"
        case .fifo: "a FIFO"
        case .socket: "a socket"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .unknown: "not a regular file"
        }
    }

    /// The kind of `path` itself (a link is not followed), or `nil` when it cannot be looked at.
    static func of(_ path: String) -> (kind: FileKind, device: UInt64, inode: UInt64)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (FileKind(mode: info.st_mode), UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// The kind of what `path` leads to (links followed), or `nil` when it cannot be looked at.
    static func following(_ path: String) -> (kind: FileKind, device: UInt64, inode: UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (FileKind(mode: info.st_mode), UInt64(info.st_dev), UInt64(info.st_ino))
    }
}

/// A file opened for reading whose every read is counted: sizes that `stat` reports are never trusted, a read
/// takes at most the limit plus one byte, so a file that grows, or a device that never ends, costs no more.
///
/// It is opened with `O_NONBLOCK` (a FIFO with no writer cannot hang the open) and, unless links may be
/// followed, `O_NOFOLLOW`; then `fstat` on the open descriptor must say regular file (no race between a check
/// and the open). Owns its descriptor, closed in `deinit`.
package final class BoundedFile {
    /// Why a file was not read.
    package enum Failure: Error, Equatable {
        /// Nothing at the path.
        case missing
        /// Not a regular file (a link when links are not followed, a FIFO, a device, a socket, a folder).
        case notRegular(FileKind)
        /// More bytes than the limit.
        case tooLarge(limit: Int)
        /// The system refused (`strerror`'s words).
        case unreadable(String)

        /// A message naming the file's kind or the limit, for users.
        package var message: String {
            switch self {
            case .missing: "no such file"
            case .notRegular(let kind): "\(kind.phrase), not a regular file; not read"
            case .tooLarge(let limit): "more than \(limit) bytes, the limit"
            case .unreadable(let reason): "cannot be read (\(reason))"
            }
        }
    }

    let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { Glibc.close(descriptor) }

    /// Opens `path`. `followLinks` lets the last component be a symbolic link; `allowFIFO` accepts a FIFO (a
    /// password given as `--password-file <(...)`), read blocking once opened.
    static func open(_ path: String, followLinks: Bool = false, allowFIFO: Bool = false) -> Result<
        BoundedFile, Failure
    > {
        let flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW)
        let descriptor = Glibc.open(path, flags)
        guard descriptor >= 0 else {
            let error = errno
            switch error {
            case ENOENT: return .failure(.missing)
            case ELOOP: return .failure(.notRegular(followLinks ? .unknown : .symbolicLink))
            case ENXIO: return .failure(.notRegular(FileKind.of(path)?.kind ?? .unknown))
            default: return .failure(.unreadable(String(cString: strerror(error))))
            }
        }
        let file = BoundedFile(descriptor: descriptor)
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        let kind = FileKind(mode: info.st_mode)
        switch kind {
        case .regular:
            return .success(file)
        case .fifo where allowFIFO:
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
            return .success(file)
        default:
            return .failure(.notRegular(kind))
        }
    }

    /// Reads until `count` bytes or the end, whichever comes first.
    func read(upTo count: Int) -> Result<[UInt8], Failure> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(max(count, 0), 1 << 16))
        while bytes.count < count {
            let want = min(chunk.count, count - bytes.count)
            let got = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, want) }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(String(cString: strerror(errno))))
            }
            if got == 0 { break }
            bytes.append(contentsOf: chunk[0..<got])
        }
        return .success(bytes)
    }

    /// Reads the rest, at most `limit` bytes: `tooLarge` when there is more (decided by reading one byte past it).
    func readRest(limit: Int) -> Result<[UInt8], Failure> {
        switch read(upTo: limit == .max ? limit : limit + 1) {
        case .failure(let failure): .failure(failure)
        case .success(let bytes) where bytes.count > limit: .failure(.tooLarge(limit: limit))
        case .success(let bytes): .success(bytes)
        }
    }

    /// The whole of `path`, at most `limit` bytes.
    package static func read(_ path: String, limit: Int, followLinks: Bool = false, allowFIFO: Bool = false) -> Result<
        [UInt8], Failure
    > {
        switch open(path, followLinks: followLinks, allowFIFO: allowFIFO) {
        case .failure(let failure): .failure(failure)
        case .success(let file): file.readRest(limit: limit)
        }
    }

    /// `realpath(3)`: the path with every link, `.` and `..` resolved, or `nil`.
    static func resolve(_ path: String) -> String? {
        resolveReportingError(path).path
    }

    /// `realpath(3)`, with `errno` when it fails (`ELOOP` for a loop of links, `ENOENT` for a dangling one).
    static func resolveReportingError(_ path: String) -> (path: String?, error: Int32) {
        guard let resolved = realpath(path, nil) else { return (nil, errno) }
        defer { free(resolved) }
        return (String(cString: resolved), 0)
    }

    /// Whether `path` (resolved) is `root` (resolved) or lies under it.
    static func isInside(_ path: String, root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
}

/// Writes all of `bytes` to `descriptor`, retrying short writes and `EINTR`: `nil` when done, else the `errno` of
/// the failure (`EIO` for a write that took nothing).
func writeAll(_ bytes: ArraySlice<UInt8>, to descriptor: Int32) -> Int32? {
    var written = bytes.startIndex
    while written < bytes.endIndex {
        let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return count < 0 ? errno : EIO }
        written += count
    }
    return nil
}
