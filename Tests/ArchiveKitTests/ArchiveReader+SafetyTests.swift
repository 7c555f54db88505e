import ArchiveKit
import Testing

@Suite("ArchiveReader: names and entry types")
struct ArchiveReaderSafetyTests {
    /// A tar with every kind of name and entry a hostile drop could hold, written by python's tarfile.
    static let hostileTar = """
        import io, tarfile
        def add(t, name, data=b'data', **fields):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            for key, value in fields.items():
                setattr(info, key, value)
            t.addfile(info, io.BytesIO(data) if info.size else None)
        with tarfile.open('hostile.tar', 'w', format=tarfile.GNU_FORMAT) as t:
            add(t, 'ok.pem')
            add(t, '../evil')
            add(t, '/etc/x')
            add(t, 'a/../../b')
            add(t, '..\\\\x')
            add(t, 'C:\\\\x')
            add(t, 'c:x')
            add(t, '\\\\\\\\server\\\\share')
            add(t, 'a/../b')
            add(t, 'certs/', type=tarfile.DIRTYPE, size=0)
            add(t, '../outside/', type=tarfile.DIRTYPE, size=0)
            add(t, 'link.pem', type=tarfile.SYMTYPE, linkname='/etc/passwd', size=0)
            add(t, 'hard.pem', type=tarfile.LNKTYPE, linkname='ok.pem', size=0)
            add(t, 'pipe', type=tarfile.FIFOTYPE, size=0)
            add(t, 'null', type=tarfile.CHRTYPE, devmajor=1, devminor=3, size=0)
            add(t, 'disk', type=tarfile.BLKTYPE, devmajor=8, devminor=0, size=0)
            add(t, 'last.pem')
        """

    @Test("Unsafe names and non-regular entries are reported, not read; directories are skipped")
    func hostileTar() throws {
        let fixtures = try Fixtures()
        try fixtures.python(Self.hostileTar)

        let entries = collect(try fixtures.read("hostile.tar"), named: "h.tar")

        #expect(
            summary(entries) == [
                "h.tar!ok.pem ok",
                "h.tar!../evil unsafe-path",
                "h.tar!/etc/x unsafe-path",
                "h.tar!a/../../b unsafe-path",
                "h.tar!..\\x unsafe-path",
                "h.tar!C:\\x unsafe-path",
                "h.tar!c:x unsafe-path",
                "h.tar!\\\\server\\share unsafe-path",
                "h.tar!a/../b ok",
                "h.tar!link.pem unsafe-entry",
                "h.tar!hard.pem unsafe-entry",
                "h.tar!pipe unsafe-entry",
                "h.tar!null unsafe-entry",
                "h.tar!disk unsafe-entry",
                "h.tar!last.pem ok",
            ])
        let messages = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0.problem?.message ?? "") })
        #expect(messages["../evil"] == "the name climbs out of the archive with '..'; not read")
        #expect(messages["/etc/x"] == "the name is absolute; not read")
        #expect(messages["C:\\x"] == "the name starts with a drive letter; not read")
        #expect(messages["link.pem"] == "a symbolic link to '/etc/passwd', not a regular file; not read")
        #expect(messages["hard.pem"] == "a hard link to 'ok.pem', not a regular file; not read")
        #expect(messages["pipe"] == "a FIFO, not a regular file; not read")
        #expect(messages["null"] == "a character device, not a regular file; not read")
        #expect(entries.last?.bytes == Array("data".utf8))
    }

    @Test("The same in pax, compressed: the costly skip path")
    func hostileTarXz() throws {
        let fixtures = try Fixtures()
        try fixtures.python(Self.hostileTar.replacingOccurrences(of: "GNU_FORMAT", with: "PAX_FORMAT"))
        try fixtures.run("xz", ["-k", "hostile.tar"])
        let codes = collect(try fixtures.read("hostile.tar.xz"), named: "h.tar.xz").map { $0.problem?.code }
        #expect(
            codes == [nil] + Array(repeating: .unsafePath, count: 7) + [nil] + Array(repeating: .unsafeEntry, count: 5)
                + [nil])
    }

    @Test("A hard link to a file on disk (file type 0 with a link target) is unsafe-entry")
    func diskHardLink() throws {
        let fixtures = try Fixtures()
        try fixtures.write("a.pem", Sample.text)
        try fixtures.run("ln", ["a.pem", "b.pem"])
        try fixtures.run("ln", ["-s", "a.pem", "c.pem"])
        for format in ["pax", "gnutar", "ustar"] {
            let tar = try fixtures.run("bsdtar", ["--format", format, "-cf", "-", "a.pem", "b.pem", "c.pem"])
            #expect(
                summary(collect(tar, named: "l.tar")) == [
                    "l.tar!a.pem ok", "l.tar!b.pem unsafe-entry", "l.tar!c.pem unsafe-entry",
                ], "\(format)")
        }
        let zip = try fixtures.run("bsdtar", ["--format", "zip", "-cf", "-", "a.pem", "c.pem"])
        #expect(summary(collect(zip, named: "l.zip")) == ["l.zip!a.pem ok", "l.zip!c.pem unsafe-entry"])
    }

    @Test("Zip: traversal names, backslashes and a symbolic link")
    func hostileZip() throws {
        let fixtures = try Fixtures()
        try fixtures.python(
            """
            import zipfile
            with zipfile.ZipFile('hostile.zip', 'w') as z:
                z.writestr('ok.pem', b'data')
                z.writestr('../evil', b'data')
                z.writestr('/etc/x', b'data')
                z.writestr('a/../../b', b'data')
                z.writestr('..\\\\x', b'data')
                link = zipfile.ZipInfo('link.pem')
                link.create_system = 3
                link.external_attr = 0o120777 << 16
                z.writestr(link, b'/etc/passwd')
                z.writestr('last.pem', b'data')
            """)
        let entries = collect(try fixtures.read("hostile.zip"), named: "h.zip")
        #expect(
            summary(entries) == [
                "h.zip!ok.pem ok",
                "h.zip!../evil unsafe-path",
                "h.zip!/etc/x unsafe-path",
                "h.zip!a/../../b unsafe-path",
                // libarchive turns the backslash of a zip name into a slash.
                "h.zip!../x unsafe-path",
                "h.zip!link.pem unsafe-entry",
                "h.zip!last.pem ok",
            ])
    }

    @Test("Names that are not UTF-8 keep a stable, lossy label; UTF-8 names come back whole")
    func nonUTF8Names() throws {
        let fixtures = try Fixtures()
        try fixtures.python(
            """
            import io, tarfile
            def add(t, name):
                info = tarfile.TarInfo(name)
                info.size = 4
                t.addfile(info, io.BytesIO(b'data'))
            with tarfile.open('latin1.tar', 'w', format=tarfile.GNU_FORMAT, encoding='latin-1') as t:
                add(t, 'caf\\u00e9.pem')
            with tarfile.open('raw.tar', 'w', format=tarfile.GNU_FORMAT, encoding='utf-8', errors='surrogateescape') as t:
                add(t, b'bad\\xff\\xfe.pem'.decode('utf-8', 'surrogateescape'))
                add(t, b'..\\xff'.decode('utf-8', 'surrogateescape'))
                add(t, b'../\\xff'.decode('utf-8', 'surrogateescape'))
            with tarfile.open('utf8.tar', 'w', format=tarfile.PAX_FORMAT) as t:
                add(t, 'caf\\u00e9/\\u65e5\\u672c.pem')
            """)
        #expect(summary(collect(try fixtures.read("latin1.tar"), named: "l.tar")) == ["l.tar!caf\\xE9.pem ok"])
        #expect(
            summary(collect(try fixtures.read("raw.tar"), named: "r.tar")) == [
                "r.tar!bad\\xFF\\xFE.pem ok",
                // The rendering's backslash is not a separator: the raw name `..\xFF` is one harmless component.
                "r.tar!..\\xFF ok",
                "r.tar!../\\xFF unsafe-path",
            ])
        let utf8 = collect(try fixtures.read("utf8.tar"), named: "u.tar")
        #expect(summary(utf8) == ["u.tar!café/日本.pem ok"])

        try fixtures.write("café.pem", Sample.text)
        let sevenZip = try fixtures.run("bsdtar", ["--format", "7zip", "-cf", "-", "café.pem"])
        #expect(summary(collect(sevenZip, named: "u.7z")) == ["u.7z!café.pem ok"])
        try fixtures.run("zip", ["-q", "u.zip", "café.pem"])
        #expect(summary(collect(try fixtures.read("u.zip"), named: "u.zip")) == ["u.zip!café.pem ok"])
    }

    @Test("A zip name stored in a legacy code page is kept, lossily")
    func legacyZipName() throws {
        let fixtures = try Fixtures()
        try fixtures.python(
            """
            import struct, zlib
            # One stored entry whose name is the CP437/Latin-1 byte E9, without the UTF-8 flag (bit 11).
            name, data = b'caf\\xe9.pem', b'data'
            crc = zlib.crc32(data)
            local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0, crc, 4, 4, len(name), 0) + name + data
            central = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 0, 0, 0, crc, 4, 4, len(name),
                                  0, 0, 0, 0, 0, 0) + name
            end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(central), len(local), 0)
            open('legacy.zip', 'wb').write(local + central + end)
            """)
        let entries = collect(try fixtures.read("legacy.zip"), named: "l.zip")
        #expect(summary(entries) == ["l.zip!caf\\xE9.pem ok"])
        #expect(entries.first?.bytes == Array("data".utf8))
    }
}
