import DropPipeline
import Foundation

/// The pieces every drop-reading command shares, assembled from its options.
struct DropRun {
    let validation: DropValidation

    init(
        paths: [String], passwords: PasswordOptions, checks: CheckOptions, archives: ArchiveOptions,
        policy: ValidationPolicy? = nil
    ) throws {
        let book = try passwords.book()
        let unpacker = try archives.unpacker(passwords: book)
        let reader = DropReader(
            paths: paths, unpacker: unpacker, maxFileBytes: archives.maxEntryBytes,
            followSymlinks: archives.followSymlinks)
        try reader.checkPaths()
        validation = DropValidation(
            reader: reader, inspector: Inspector(policy: try policy ?? checks.policy(), passwords: book))
    }
}

/// A flag one thread sets and another reads: a run's reader stops once its output has failed.
///
/// `@unchecked Sendable`: `value` is used under `lock` only.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}
