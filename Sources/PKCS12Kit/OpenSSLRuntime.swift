internal import COpenSSL

/// Process-wide OpenSSL set-up: the `default` and `legacy` providers, loaded once.
///
/// Loading any provider explicitly turns off the implicit `default` one, so both are loaded. RC2-40, the default
/// of Windows and older Java exports, is only in `legacy`.
public enum OpenSSLRuntime {
    /// Whether OpenSSL's `legacy` provider is loaded (RC2, RC4, DES and MD5-based PBE need it).
    public static var legacyProviderAvailable: Bool { providers.legacy }

    /// The OpenSSL version string of the library in use.
    public static var version: String {
        guard let text = OpenSSL_version(OPENSSL_VERSION) else { return "unknown" }
        return String(cString: text)
    }

    /// Loads the providers; cheap after the first call. PKCS12Kit calls it itself before any OpenSSL work.
    public static func ensureLoaded() {
        _ = providers
    }

    /// Makes OpenSSL derive PBES2 keys (PKCS#12 safes and key bags, encrypted PKCS#8 keys, PKCS#12 export) with
    /// PKCS12Kit's fast PBKDF2 instead of OpenSSL 3.0's own, about twice as slow; the keys are the same, byte for
    /// byte. Returns whether the fast derivation is in place (`false` when this OpenSSL lacks the SHA block
    /// functions it needs; then nothing changed).
    ///
    /// This is a process-wide change, which is why PKCS12Kit never makes it by itself: it adds an entry for
    /// `pbes2` to OpenSSL's table of PBE algorithms (`EVP_PBE_alg_add_type`), which every user of the same
    /// libcrypto in the process then goes through, also code that is not PKCS12Kit's. The entry hands anything it
    /// does not handle (scrypt, an MD5 PRF, unknown ciphers) to OpenSSL's `PKCS5_v2_PBE_keyivgen`, and OpenSSL calls
    /// it without the caller's `OSSL_LIB_CTX`: PBES2 through a non-default library context would fetch its cipher
    /// from the default one. Without the call, PBES2 keys come from OpenSSL's own function, with identical results.
    /// (The PKCS#12 MAC check is fast either way: it is a direct call, with no global state.)
    ///
    /// Idempotent: only the first call changes anything; concurrent calls are safe (they wait for the first).
    /// OpenSSL does not lock its PBE table, so call it early, before other threads decrypt or encrypt with
    /// OpenSSL (`certdrop` calls it first thing in `main`, `CertificateServer.init` before serving).
    @discardableResult
    public static func installFastKeyDerivation() -> Bool {
        ensureLoaded()
        return PBES2KeyDerivation.isRegistered
    }

    /// Whether ``installFastKeyDerivation()`` has put the fast PBES2 derivation in place in this process.
    public static var isFastKeyDerivationInstalled: Bool { PBES2KeyDerivation.isInstalled }

    private static let providers: (default: Bool, legacy: Bool) = {
        let defaultProvider = OSSL_PROVIDER_load(nil, "default")
        let legacyProvider = OSSL_PROVIDER_load(nil, "legacy")
        ERR_clear_error()
        return (defaultProvider != nil, legacyProvider != nil)
    }()
}

/// Reads and empties this thread's OpenSSL error queue.
///
/// The queue is per thread: call it on the thread that made the failing call, with no suspension point between.
enum OpenSSLErrorQueue {
    struct Entry: Hashable {
        let library: Int32
        let reason: Int32
        let text: String
    }

    static func clear() { ERR_clear_error() }

    static func drain() -> [Entry] {
        var entries: [Entry] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            let reasonText = ERR_reason_error_string(code).map { String(cString: $0) } ?? "error \(code)"
            entries.append(Entry(library: ERR_GET_LIB(code), reason: ERR_GET_REASON(code), text: reasonText))
        }
        return entries
    }

    /// The queue's reasons joined for a message, or `fallback` when it is empty.
    static func summary(_ entries: [Entry], fallback: String) -> String {
        let texts = entries.map(\.text).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return texts.isEmpty ? fallback : texts.joined(separator: "; ")
    }
}
