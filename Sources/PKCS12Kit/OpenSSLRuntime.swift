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

    /// Loads the providers and registers the fast PBES2 key derivation; cheap after the first call.
    public static func ensureLoaded() {
        _ = providers
        _ = PBES2KeyDerivation.isRegistered
    }

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
