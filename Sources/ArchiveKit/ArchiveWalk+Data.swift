/// How reading (or skipping) one entry's data ended.
enum DataOutcome {
    case complete
    /// Stopped on request with at least the requested bytes.
    case paused
    /// More than `maxEntryBytes`.
    case tooLarge
    /// The top-level archive reached `maxTotalBytes`.
    case budget
    /// This entry's data is unusable; the next header may be read.
    case failed(String)
    /// Nothing more can be read from this archive.
    case fatal(String)
}

extension BlockStatus {
    /// The outcome of `archive_read_data_skip`, which answers like a last block.
    var dataOutcome: DataOutcome {
        switch self {
        case .block, .end: .complete
        case .failed(let message): .failed(message)
        case .fatal(let message): .fatal(message)
        }
    }
}

/// Reading data block by block, counting every byte against the limits as it arrives.
extension ArchiveWalk {
    /// libarchive formats always advance; this many empty blocks in a row means one does not.
    static let maxEmptyBlocks = 1000

    /// Appends the current entry's data to `content` until its end, a limit, damage, or (when asked) until
    /// `content` holds `pauseAt` bytes. Holes in sparse entries become zeros and count like data.
    func readData(_ handle: ArchiveReadHandle, into content: inout [UInt8], pauseAt: Int = .max) -> DataOutcome {
        var emptyBlocks = 0
        while content.count < pauseAt {
            switch handle.nextBlock() {
            case .end:
                return .complete
            case .failed(let message):
                return .failed(message)
            case .fatal(let message):
                return .fatal(message)
            case .block(let bytes, let offset):
                guard offset >= Int64(content.count) else {
                    return .failed("a data block at offset \(offset) overlaps the \(content.count) bytes read")
                }
                let gap64 = offset - Int64(content.count)
                guard gap64 <= Int64(limits.maxEntryBytes - content.count) else { return .tooLarge }
                let gap = Int(gap64)
                if gap == 0, bytes.isEmpty {
                    emptyBlocks += 1
                    if emptyBlocks > Self.maxEmptyBlocks { return .failed("libarchive returns no more data") }
                    continue
                }
                emptyBlocks = 0
                guard consume(gap + bytes.count) else { return .budget }
                guard gap + bytes.count <= limits.maxEntryBytes - content.count else { return .tooLarge }
                if gap > 0 {
                    content.append(contentsOf: repeatElement(0, count: gap))
                }
                content.append(contentsOf: bytes)
            }
        }
        return .paused
    }

    /// Reads the rest of the current entry's data without keeping it, counting it against the total limit:
    /// where skipping means decompressing, a skip costs as much as a read and is bounded the same way.
    func drain(_ handle: ArchiveReadHandle) -> DataOutcome {
        var emptyBlocks = 0
        while true {
            switch handle.nextBlock() {
            case .end:
                return .complete
            case .failed(let message):
                return .failed(message)
            case .fatal(let message):
                return .fatal(message)
            case .block(let bytes, _):
                if bytes.isEmpty {
                    emptyBlocks += 1
                    if emptyBlocks > Self.maxEmptyBlocks { return .failed("libarchive returns no more data") }
                    continue
                }
                emptyBlocks = 0
                guard consume(bytes.count) else { return .budget }
            }
        }
    }
}
