#if canImport(Glibc)
    import Glibc
#endif

/// Runs work with a UTF-8 `LC_CTYPE` on the calling thread only, and puts the thread's locale back after.
///
/// Without a UTF-8 `LC_CTYPE`, libarchive returns no name at all for non-ASCII entries (it converts names with the
/// C library's multibyte functions and `nl_langinfo(nl_item(CODESET))`, which follow the thread's locale). Rather than
/// `setlocale`, which changes the whole process under every other thread, the reader switches its own thread with
/// `uselocale` to a locale whose `LC_CTYPE` is `C.UTF-8` (else `C.utf8`, else `en_US.UTF-8`) and whose other
/// categories are the thread's current ones, for the length of one read, and restores the previous locale
/// (whatever it was, also the global one) when the read returns or throws. A thread whose `LC_CTYPE` is UTF-8
/// already is left alone. With none of these locales installed, the thread keeps its own (names that are not
/// ASCII then come back from the wide-character form or as escaped bytes).
enum UTF8CType {
    /// `body`, with the calling thread's `LC_CTYPE` UTF-8 while it runs.
    static func with<R>(_ body: () throws -> R) rethrows -> R {
        guard !currentIsUTF8() else { return try body() }
        // The thread's locale (possibly LC_GLOBAL_LOCALE) as the base for the other categories.
        guard let current = uselocale(nil), let base = duplocale(current) else { return try body() }
        var made: locale_t? = nil
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] {
            made = newlocale(LC_CTYPE_MASK, name, base)
            if made != nil { break }
        }
        guard let made else {
            freelocale(base)  // newlocale frees its base only when it succeeds
            return try body()
        }
        let previous = uselocale(made)
        defer {
            uselocale(previous)
            freelocale(made)
        }
        return try body()
    }

    /// Whether the calling thread's `LC_CTYPE` is UTF-8.
    static func currentIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        return String(cString: codeset) == "UTF-8"
    }
}
