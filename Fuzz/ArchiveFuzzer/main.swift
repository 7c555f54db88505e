// libFuzzer target for the archive walk of ArchiveKit over libarchive (built by scripts/fuzz.sh, not by
// `swift build`).
//
// For any bytes: the walk never crashes and keeps its caps, counted in bytes it really read: no entry's content
// is over maxEntryBytes, the sum is under maxTotalBytes, no more entries than maxEntries, nesting at most
// maxDepth; every name is a label without NUL.
import ArchiveKit
import Foundation

private let limits = ArchiveLimits(
    maxEntryBytes: 64 << 10, maxTotalBytes: 256 << 10, maxEntries: 64, maxDepth: 3)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArchive(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var entries = 0
    var total = 0
    ArchiveReader(limits: limits, passphrases: [Array("fuzz-pw".utf8)]).forEachEntry(in: bytes, named: "input") {
        entry in
        entries += 1
        precondition(entries <= limits.maxEntries + 1, "more entries than the cap")
        precondition(entry.containers.count <= limits.maxDepth + 1, "nested deeper than the cap")
        precondition(!entry.path.contains("\0"), "a NUL in a name")
        if case .success(let content) = entry.content {
            precondition(content.count <= limits.maxEntryBytes, "an entry over the cap")
            total += content.count
            precondition(total <= limits.maxTotalBytes + bytes.count, "more bytes than the cap")
        }
    }
    return 0
}
