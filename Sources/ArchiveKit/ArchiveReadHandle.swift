internal import CArchive

#if canImport(Glibc)
    import Glibc
#endif

/// What libarchive is told to expect in a buffer. Formats are enabled one at a time, never with
/// `archive_read_support_format_all`, which reads plain text as mtree and zeros as an empty tar.
enum ReadFormat {
    /// zip read through its central directory: skipping an entry is a seek.
    case zipSeekable
    /// zip read from local headers only (no usable central directory, as in a truncated zip): skipping an entry
    /// whose length is stored after its data means decompressing it.
    case zipStreamable
    case tar, sevenZip, raw

    var displayName: String {
        switch self {
        case .zipSeekable, .zipStreamable: "zip"
        case .tar: "tar"
        case .sevenZip: "7z"
        case .raw: "compressed"
        }
    }
}

/// The facts of one entry header, copied out of libarchive's borrowed `archive_entry`.
struct EntryHeader {
    /// How the entry is stored. Only `regular` has data that is read.
    enum Kind: Equatable {
        case regular
        case directory
        case symbolicLink(target: String)
        case hardLink(target: String)
        case other(description: String)
    }

    /// The label: UTF-8, or the raw bytes rendered lossily.
    let name: String
    /// The bytes the safety check looks at.
    let rawName: [UInt8]
    let kind: Kind
    /// The size the archive claims; never trusted for anything but display.
    let declaredSize: Int?
    let isEncrypted: Bool
}

/// The answer to `archive_read_next_header`.
enum HeaderStatus {
    case entry(EntryHeader)
    /// `ARCHIVE_FAILED`: this entry is unusable, the next header may still be read.
    case failed(EntryHeader?, message: String)
    case end
    /// `ARCHIVE_FATAL` (or retries exhausted): no more calls on this archive.
    case fatal(message: String)
}

/// The answer to `archive_read_data_block`. A block's bytes are borrowed until the next call.
enum BlockStatus {
    case block(UnsafeRawBufferPointer, offset: Int64)
    case end
    /// `ARCHIVE_WARN` or `ARCHIVE_FAILED` (or retries exhausted): this entry's data is unusable; the next header
    /// may be read.
    case failed(message: String)
    case fatal(message: String)
}

/// Owns one libarchive reader (`struct archive*`), freed in `deinit`.
///
/// The reader borrows the memory buffer it is opened on: a handle must not outlive the
/// `withUnsafeBytes` scope whose buffer it reads, which is why handles only ever live in local variables of
/// `ArchiveWalk`. Not `Sendable`: libarchive readers are not thread-safe, and a handle never leaves its thread.
final class ArchiveReadHandle {
    /// `ARCHIVE_RETRY` is retried this many times before the operation counts as failed.
    static let maxRetries = 3

    private let pointer: OpaquePointer
    /// The file a reader opened with ``open(_:filter:)-(ArchiveFileSource,_)`` reads; kept alive with it, since
    /// libarchive holds it only as an unretained callback pointer.
    private var source: ArchiveFileSource?

    /// Takes ownership of a new reader; nil when libarchive cannot allocate one.
    init?() {
        guard let pointer = archive_read_new() else { return nil }
        self.pointer = pointer
    }

    deinit {
        archive_read_free(pointer)
    }

    /// libarchive's last error, never empty.
    var errorMessage: String {
        if let source, source.isOverLimit {
            return "the archive file holds more than \(source.limit) bytes, the limit per top-level archive"
        }
        guard let message = archive_error_string(pointer) else { return "no detail from libarchive" }
        let text = String(cString: message)
        return text.isEmpty ? "no detail from libarchive" : text
    }

    /// Enables exactly one format and, for a compressed stream, one decompression filter. Returns why not, or
    /// nil. A filter that this libarchive would run as an external program (`ARCHIVE_WARN`) is refused.
    func enable(_ format: ReadFormat, filter: ContainerFormat?) -> String? {
        let status: Int32
        switch format {
        case .zipSeekable: status = archive_read_support_format_zip_seekable(pointer)
        case .zipStreamable: status = archive_read_support_format_zip_streamable(pointer)
        case .tar: status = archive_read_support_format_tar(pointer)
        case .sevenZip: status = archive_read_support_format_7zip(pointer)
        case .raw: status = archive_read_support_format_raw(pointer)
        }
        guard status == ARCHIVE_OK else {
            return "this libarchive cannot read \(format.displayName) archives: \(errorMessage)"
        }
        guard let filter else { return nil }
        let filterStatus: Int32
        switch filter {
        case .gzip: filterStatus = archive_read_support_filter_gzip(pointer)
        case .bzip2: filterStatus = archive_read_support_filter_bzip2(pointer)
        case .xz: filterStatus = archive_read_support_filter_xz(pointer)
        case .zip, .tar, .sevenZip: return "\(filter.rawValue) is not a compression filter"
        }
        guard filterStatus == ARCHIVE_OK else {
            return "this libarchive cannot decompress \(filter.rawValue) in process: \(errorMessage)"
        }
        return nil
    }

    /// Hands each passphrase to libarchive through a NUL-terminated copy that is wiped right after (libarchive
    /// keeps its own copy and wipes it when the reader is freed). Passphrases that C cannot carry (empty, or
    /// holding a NUL byte) are left out. Returns how many were added.
    @discardableResult
    func addPassphrases(_ passphrases: [[UInt8]]) -> Int {
        var added = 0
        for passphrase in passphrases where !passphrase.isEmpty && !passphrase.contains(0) {
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: passphrase.count + 1)
            defer {
                cd_wipe(copy, passphrase.count + 1)
                copy.deallocate()
            }
            for (index, byte) in passphrase.enumerated() {
                copy[index] = CChar(bitPattern: byte)
            }
            copy[passphrase.count] = 0
            if archive_read_add_passphrase(pointer, copy) == ARCHIVE_OK {
                added += 1
            }
        }
        return added
    }

    /// Opens the reader on `buffer`, which must stay valid and unchanged until the handle is freed. Returns
    /// why it failed, or nil; after a failure no other call may be made (`archive_read_next_header` after a
    /// failed open crashes libarchive 3.6.2).
    ///
    /// When a filter was enabled, it must be the one in use: libarchive passes the data on undecoded when the
    /// filter's bidder declines it (a damaged gzip header), which would read the compressed bytes as the file.
    func open(_ buffer: UnsafeRawBufferPointer, filter: ContainerFormat?) -> String? {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return "the buffer is empty" }
        return opened(archive_read_open_memory(pointer, base, buffer.count), filter: filter)
    }

    /// Opens the reader on a file, read from its start through counting callbacks (see ``ArchiveFileSource``).
    /// Returns why it failed, or nil; the same rules as for a buffer apply after a failure.
    func open(_ source: ArchiveFileSource, filter: ContainerFormat?) -> String? {
        guard source.rewind() else { return "the file cannot be read from its start" }
        self.source = source
        archive_read_set_callback_data(pointer, Unmanaged.passUnretained(source).toOpaque())
        archive_read_set_read_callback(pointer) { _, data, buffer in
            guard let data, let buffer else { return -1 }
            return la_ssize_t(Unmanaged<ArchiveFileSource>.fromOpaque(data).takeUnretainedValue().read(into: buffer))
        }
        archive_read_set_seek_callback(pointer) { _, data, offset, whence in
            guard let data else { return -1 }
            return la_int64_t(
                Unmanaged<ArchiveFileSource>.fromOpaque(data).takeUnretainedValue().seek(Int64(offset), whence))
        }
        return opened(archive_read_open1(pointer), filter: filter)
    }

    private func opened(_ status: Int32, filter: ContainerFormat?) -> String? {
        // ARCHIVE_WARN: opened, with a remark; the data is usable.
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { return errorMessage }
        guard let filter else { return nil }
        let expected: Int32 =
            switch filter {
            case .gzip: ARCHIVE_FILTER_GZIP
            case .bzip2: ARCHIVE_FILTER_BZIP2
            case .xz: ARCHIVE_FILTER_XZ
            case .zip, .tar, .sevenZip: ARCHIVE_FILTER_NONE
            }
        return archive_filter_code(pointer, 0) == expected ? nil : "the \(filter.rawValue) header is not valid"
    }

    /// Reads the next header, retrying `ARCHIVE_RETRY` a bounded number of times.
    func nextHeader() -> HeaderStatus {
        for _ in 0...Self.maxRetries {
            var entry: OpaquePointer?
            let status = archive_read_next_header(pointer, &entry)
            switch status {
            case ARCHIVE_OK, ARCHIVE_WARN:
                guard let entry else { return .fatal(message: "libarchive returned no entry") }
                return .entry(Self.header(of: entry))
            case ARCHIVE_EOF:
                return .end
            case ARCHIVE_RETRY:
                continue
            case ARCHIVE_FAILED:
                return .failed(entry.map(Self.header(of:)), message: errorMessage)
            default:
                return .fatal(message: errorMessage)
            }
        }
        return .fatal(message: "still failing after \(Self.maxRetries) retries: \(errorMessage)")
    }

    /// Reads the next block of the current entry's data, retrying `ARCHIVE_RETRY` a bounded number of times.
    /// `ARCHIVE_WARN` fails the entry (see below); `ARCHIVE_FAILED` fails the entry; `ARCHIVE_FATAL` ends the
    /// archive.
    func nextBlock() -> BlockStatus {
        for _ in 0...Self.maxRetries {
            var block: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            let status = archive_read_data_block(pointer, &block, &size, &offset)
            switch status {
            case ARCHIVE_OK:
                guard size > 0, let block else {
                    return .block(UnsafeRawBufferPointer(start: nil, count: 0), offset: Int64(offset))
                }
                return .block(UnsafeRawBufferPointer(start: block, count: size), offset: Int64(offset))
            case ARCHIVE_EOF:
                return .end
            case ARCHIVE_RETRY:
                continue
            case ARCHIVE_WARN, ARCHIVE_FAILED:
                // A warning from a data read is not a remark on good data: libarchive 3.6.2's zip reader says
                // "ZIP bad CRC" and "ZIP uncompressed data is wrong size" this way. The entry fails; the next
                // header can still be read.
                return .failed(message: errorMessage)
            default:
                return .fatal(message: errorMessage)
            }
        }
        return .failed(message: "still failing after \(Self.maxRetries) retries: \(errorMessage)")
    }

    /// Lets libarchive skip the rest of the current entry: cheap only where it can seek (zip, plain tar).
    func skipData() -> BlockStatus {
        switch archive_read_data_skip(pointer) {
        case ARCHIVE_OK, ARCHIVE_WARN, ARCHIVE_EOF, ARCHIVE_RETRY: .end
        case ARCHIVE_FAILED: .failed(message: errorMessage)
        default: .fatal(message: errorMessage)
        }
    }

    private static func header(of entry: OpaquePointer) -> EntryHeader {
        let (name, rawName) = names(of: entry)
        let declaredSize: Int? =
            archive_entry_size_is_set(entry) != 0 && archive_entry_size(entry) >= 0
            ? Int(archive_entry_size(entry)) : nil
        return EntryHeader(
            name: name,
            rawName: rawName,
            kind: kind(of: entry),
            declaredSize: declaredSize,
            isEncrypted: archive_entry_is_encrypted(entry) != 0
        )
    }

    /// UTF-8 when libarchive can give it; otherwise the name's bytes as the archive stores them, rendered with
    /// `\xNN` for what is not UTF-8; otherwise the wide name. A name is never dropped.
    private static func names(of entry: OpaquePointer) -> (String, [UInt8]) {
        if let utf8 = archive_entry_pathname_utf8(entry) {
            let bytes = EntryName.trimmingCurrentDirectory(cStringBytes(utf8))
            return (EntryName.render(bytes), bytes)
        }
        if let native = archive_entry_pathname(entry) {
            let bytes = EntryName.trimmingCurrentDirectory(cStringBytes(native))
            return (EntryName.render(bytes), bytes)
        }
        if let wide = archive_entry_pathname_w(entry) {
            var values: [UInt32] = []
            var cursor = wide
            while cursor.pointee != 0 {
                values.append(UInt32(bitPattern: Int32(cursor.pointee)))
                cursor += 1
            }
            let name = EntryName.render(wide: values)
            return (name, EntryName.trimmingCurrentDirectory(Array(name.utf8)))
        }
        return ("", [])
    }

    private static func kind(of entry: OpaquePointer) -> EntryHeader.Kind {
        let hardLink = linkTarget(
            archive_entry_hardlink_utf8(entry), archive_entry_hardlink(entry), archive_entry_hardlink_w(entry))
        if let hardLink {
            return .hardLink(target: hardLink)
        }
        let type = UInt32(archive_entry_filetype(entry)) & cd_ae_ifmt()
        let symbolicLink = linkTarget(
            archive_entry_symlink_utf8(entry), archive_entry_symlink(entry), archive_entry_symlink_w(entry))
        if type == cd_ae_iflnk() || symbolicLink != nil {
            return .symbolicLink(target: symbolicLink ?? "")
        }
        switch type {
        case cd_ae_ifreg(): return .regular
        case cd_ae_ifdir(): return .directory
        case cd_ae_ifchr(): return .other(description: "character device")
        case cd_ae_ifblk(): return .other(description: "block device")
        case cd_ae_ififo(): return .other(description: "FIFO")
        case cd_ae_ifsock(): return .other(description: "socket")
        default: return .other(description: "entry of unknown type \(String(type, radix: 8))")
        }
    }

    /// A link target as a label; nil when the entry has none. Any of the three forms being set makes a link.
    private static func linkTarget(
        _ utf8: UnsafePointer<CChar>?,
        _ native: UnsafePointer<CChar>?,
        _ wide: UnsafePointer<wchar_t>?
    ) -> String? {
        if let pointer = utf8 ?? native {
            return EntryName.render(cStringBytes(pointer))
        }
        return wide == nil ? nil : "(a name that cannot be decoded)"
    }

    private static func cStringBytes(_ pointer: UnsafePointer<CChar>) -> [UInt8] {
        var bytes: [UInt8] = []
        var cursor = pointer
        while cursor.pointee != 0 {
            bytes.append(UInt8(bitPattern: cursor.pointee))
            cursor += 1
        }
        return bytes
    }
}
