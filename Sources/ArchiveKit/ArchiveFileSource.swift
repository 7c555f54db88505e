#if canImport(Glibc)
    import Glibc
#endif

/// A top-level archive file that libarchive reads through callbacks, block by block, so that it is never held
/// in memory whole. Every byte handed to libarchive is counted: one pass over the file (each reader opened on it
/// starts again from the start) takes at most `limit` bytes, and asking for more fails the read, which the
/// reader then reports (``isOverLimit``). Seeks (a zip's central directory, a tar's skipped data) read nothing.
///
/// The descriptor stays the caller's; the buffer is owned and freed in `deinit`. Not `Sendable`: used by one
/// reader at a time, on one thread.
final class ArchiveFileSource {
    static let blockSize = 64 << 10

    let descriptor: Int32
    /// The most bytes one pass may read.
    let limit: Int
    /// Bytes read in the current pass.
    private(set) var consumed = 0
    /// Set once a pass asked for more than `limit` bytes; it stays set.
    private(set) var isOverLimit = false
    private let buffer: UnsafeMutableRawPointer

    init(descriptor: Int32, limit: Int) {
        self.descriptor = descriptor
        self.limit = max(0, limit)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.blockSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Starts a new pass from the start of the file.
    func rewind() -> Bool {
        consumed = 0
        return lseek(descriptor, 0, SEEK_SET) == 0
    }

    /// libarchive's read callback: the next block, 0 at the end, -1 on an error or past the limit.
    func read(into block: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        while true {
            let want = min(Self.blockSize, limit - consumed + 1)
            let count = Glibc.read(descriptor, buffer, want)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return -1 }
            guard consumed + count <= limit else {
                isOverLimit = true
                return -1
            }
            consumed += count
            block.pointee = UnsafeRawPointer(buffer)
            return count
        }
    }

    /// libarchive's seek callback: `lseek`, or -1.
    func seek(_ offset: Int64, _ whence: Int32) -> Int64 {
        Int64(lseek(descriptor, off_t(offset), whence))
    }

    /// The first `count` bytes of the file (fewer when it is shorter), without moving the offset.
    func head(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(descriptor, base + filled, count - filled, off_t(filled))
            }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { return nil }
            if got == 0 { break }
            filled += got
        }
        return Array(bytes.prefix(filled))
    }
}
