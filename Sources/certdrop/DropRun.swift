import DropPipeline
import Foundation

/// The pieces every drop-reading command shares, assembled from its options.
struct DropRun {
    let validation: DropValidation

    init(paths: [String], passwords: PasswordOptions, checks: CheckOptions) throws {
        let reader = DropReader(paths: paths, unpacker: nil)
        try reader.checkPaths()
        let inspector = Inspector(policy: try checks.policy(), passwords: try passwords.book())
        validation = DropValidation(reader: reader, inspector: inspector)
    }
}
