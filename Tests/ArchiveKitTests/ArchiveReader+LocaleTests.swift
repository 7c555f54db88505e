import Foundation
import Testing

@testable import ArchiveKit

#if canImport(Glibc)
    import Glibc
#endif

/// The reader makes `LC_CTYPE` UTF-8 for its own thread only, while it reads, and puts the thread's locale back.
@Suite struct ArchiveLocaleTests {
    /// Runs `body` on a new thread whose locale is plain "C" (ASCII), and returns what it returns.
    private static func onCThread<R: Sendable>(_ body: @escaping @Sendable () -> R) -> R? {
        let result = ResultBox<R>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let c = newlocale(LC_CTYPE_MASK, "C", nil)  // with no base: every category "C"
            let previous = uselocale(c)
            result.value = body()
            uselocale(previous)
            if let c { freelocale(c) }
            done.signal()
        }
        thread.start()
        done.wait()
        return result.value
    }

    private static func codeset() -> String { nl_langinfo(nl_item(CODESET)).map { String(cString: $0) } ?? "" }

    /// What a read on a "C" thread saw: the names, the codeset during and after the read, and whether the thread's
    /// locale object afterwards is the one it had before.
    struct Observed: Sendable {
        var names: [String] = []
        var before = ""
        var during = ""
        var after = ""
        var sameLocaleObject = false
    }

    private static func read(_ bytes: [UInt8], named name: String, throwing: Bool = false) -> Observed {
        readOnCThread(bytes, named: name, throwing: throwing) ?? Observed()
    }

    private static func readOnCThread(_ bytes: [UInt8], named name: String, throwing: Bool) -> Observed? {
        onCThread {
            var observed = Observed()
            observed.before = codeset()
            let locale = uselocale(nil)
            struct Stop: Error {}
            do {
                try ArchiveReader().forEachEntry(in: bytes, named: name) { entry in
                    observed.during = codeset()
                    observed.names.append(entry.name)
                    if throwing { throw Stop() }
                }
            } catch {}
            observed.after = codeset()
            observed.sameLocaleObject = uselocale(nil) == locale
            return observed
        }
    }

    @Test("UTF-8 names read whole on a thread whose locale is C; the thread's locale is restored after")
    func utf8NamesOnCThread() throws {
        let fixtures = try Fixtures()
        try fixtures.python(
            """
            import io, tarfile
            with tarfile.open('utf8.tar', 'w', format=tarfile.PAX_FORMAT) as t:
                info = tarfile.TarInfo('caf\\u00e9/\\u65e5\\u672c.pem')
                info.size = 4
                t.addfile(info, io.BytesIO(b'data'))
            """)
        try fixtures.write("café.pem", Sample.text)
        try fixtures.run("zip", ["-q", "u.zip", "café.pem"])
        let globalBefore = String(cString: setlocale(LC_CTYPE, nil))

        let tar = Self.read(try fixtures.read("utf8.tar"), named: "u.tar")
        #expect(tar.names == ["u.tar!café/日本.pem"])
        #expect(tar.before != "UTF-8" && tar.during == "UTF-8")
        #expect(tar.after == tar.before && tar.sameLocaleObject)

        let zip = Self.read(try fixtures.read("u.zip"), named: "u.zip")
        #expect(zip.names == ["u.zip!café.pem"])
        #expect(zip.after == zip.before && zip.sameLocaleObject)

        // The same when the body throws out of the read.
        let thrown = Self.read(try fixtures.read("u.zip"), named: "u.zip", throwing: true)
        #expect(thrown.names == ["u.zip!café.pem"] && thrown.after == thrown.before && thrown.sameLocaleObject)

        // No process-wide change: the global LC_CTYPE is what it was.
        #expect(String(cString: setlocale(LC_CTYPE, nil)) == globalBefore)
    }

    @Test("A thread whose LC_CTYPE is UTF-8 already is left as it is")
    func utf8ThreadUntouched() {
        let observed = Self.onCThread {
            guard let utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil) else { return (false, false) }
            let previous = uselocale(utf8)
            defer {
                uselocale(previous)
                freelocale(utf8)
            }
            var sameDuring = false
            ArchiveReader().forEachEntry(in: Array("not an archive".utf8), named: "x.pem") { _ in
                sameDuring = uselocale(nil) == utf8
            }
            return (sameDuring, uselocale(nil) == utf8)
        }
        #expect(observed?.0 == true && observed?.1 == true)
    }
}

private final class ResultBox<R>: @unchecked Sendable {
    var value: R?
}
