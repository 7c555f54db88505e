/// What `certdrop --version` prints: the version and the git commit the binary was built from.
///
/// A developer build knows no commit and says so. `scripts/release.sh` writes `ReleaseStamp.generated.swift`
/// (gitignored) beside this file and builds with `-D CERTDROP_RELEASE_STAMP`, so only a release binary names a
/// commit, and only the one its tree was at when it was built.
enum BuildInfo {
    /// The version of this source tree.
    static let version = "0.1.0"

    #if CERTDROP_RELEASE_STAMP
        /// The commit the release was built from, with `-dirty` when the tree had uncommitted changes.
        static let commit: String? = ReleaseStamp.commit + (ReleaseStamp.dirty ? "-dirty" : "")
    #else
        /// A developer build does not know its commit.
        static let commit: String? = nil
    #endif

    /// The line `--version` prints: `0.1.0 (commit 1c5929f…)` or `0.1.0 (commit unknown)`.
    static var versionLine: String {
        "\(version) (commit \(commit ?? "unknown"))"
    }
}
