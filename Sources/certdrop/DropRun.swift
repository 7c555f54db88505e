import DropPipeline
import Foundation

/// The pieces every drop-reading command shares, assembled from its options.
struct DropRun {
    let validation: DropValidation

    init(paths: [String], passwords: PasswordOptions, checks: CheckOptions, archives: ArchiveOptions) throws {
        let book = try passwords.book()
        let unpacker = try archives.unpacker(passwords: book)
        let reader = DropReader(
            paths: paths, unpacker: unpacker, maxFileBytes: archives.maxEntryBytes,
            followSymlinks: archives.followSymlinks)
        try reader.checkPaths()
        validation = DropValidation(reader: reader, inspector: Inspector(policy: try checks.policy(), passwords: book))
    }
}
