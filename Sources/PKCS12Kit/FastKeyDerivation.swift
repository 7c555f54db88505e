internal import CFastKDF
import Synchronization

/// The switch and the probe of the fast key derivations (``FastPBKDF2``, ``PBES2KeyDerivation``, ``PKCS12MAC``).
///
/// Both are task-local, not global: a test turns the fast path off, or counts its uses, for the work it runs itself
/// (the OpenSSL callbacks run synchronously on the caller's thread, so they see the caller's binding), while other
/// work in the process, tests running in parallel or a service opening files at the same time, is untouched.
enum FastKeyDerivation {
    /// Whether the fast derivations are used; with `false` every derivation goes through OpenSSL's own functions.
    @TaskLocal static var isEnabled = true

    /// Counts the derivations the fast path performed, when bound.
    @TaskLocal static var probe: Probe?

    /// Counters of fast-path work, for tests.
    final class Probe: Sendable {
        /// PBES2 keys derived by ``PBES2KeyDerivation``.
        let pbes2Keys = Atomic<Int>(0)
        /// MACs checked by ``PKCS12MAC``.
        let macs = Atomic<Int>(0)

        init() {}
    }

    /// Whether this build of OpenSSL exports the block functions the fast path needs (it does unless built
    /// without its deprecated 3.0 API).
    static var isAvailable: Bool { cd_fast_kdf_available() == 1 }
}
