import ArchiveKit
import Foundation
import Testing

@Suite("ArchiveReader: limits", .serialized)
struct ArchiveReaderLimitsTests {
    /// A line of `/proc/self/status` (`VmHWM`, `VmRSS`), in bytes.
    static func statusBytes(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.filter(\.isNumber)).map { $0 * 1024 }
        }
        return nil
    }

    /// Resets the process's peak resident memory (VmHWM) to what it holds now, by writing `5` to
    /// `/proc/self/clear_refs` (Linux 4.0 and later), so that the next peak read is this test's, not the highest of
    /// every test that ran before it in this process. Returns the peak right after the reset.
    static func resetPeakResidentBytes() throws -> Int {
        try Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
        return try #require(statusBytes("VmHWM"))
    }

    @Test("A zip bomb costs a clear error, not memory")
    func zipBomb() throws {
        let fixtures = try Fixtures()
        try fixtures.python(
            """
            import zipfile
            with zipfile.ZipFile('bomb.zip', 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
                with z.open('zeros.bin', 'w', force_zip64=True) as f:
                    chunk = bytes(1 << 20)
                    for _ in range(200):
                        f.write(chunk)
                z.writestr('after.pem', b'data')
            """)
        let bomb = try fixtures.read("bomb.zip")
        #expect(bomb.count < 400_000)

        let peakBefore = try Self.resetPeakResidentBytes()
        // The reset worked: the peak is back near what the process holds now (other suites allocate meanwhile).
        #expect(peakBefore - (Self.statusBytes("VmRSS") ?? 0) < 64 << 20)
        // What makes it cheap is that reading stops at the cap (the message says so); time is measured by
        // scripts/bench-unpack.sh, not asserted here.
        let entries = collect(bomb, named: "bomb.zip")

        #expect(summary(entries) == ["bomb.zip!zeros.bin too-large", "bomb.zip!after.pem ok"])
        #expect(
            entries.first?.problem?.message
                == "the entry expands to more than 10485760 bytes, the limit per entry; reading stopped there")
        #expect(entries.first?.size == 200 << 20, "the declared size, for display only")
        // The entry expands to 200 MiB; reading stops at the 10 MiB cap, so the peak grows by far less.
        #expect(try #require(Self.statusBytes("VmHWM")) - peakBefore < 100 << 20)
    }

    @Test("A bomb in a tar.gz: too-large, and the skip that decompresses is bounded by the total")
    func tarGzBomb() throws {
        let fixtures = try Fixtures()
        try fixtures.python(
            """
            import io, tarfile
            with tarfile.open('bomb.tar.gz', 'w:gz') as t:
                info = tarfile.TarInfo('zeros.bin')
                info.size = 64 << 20
                t.addfile(info, io.BytesIO(bytes(info.size)))
                info = tarfile.TarInfo('after.pem')
                info.size = 4
                t.addfile(info, io.BytesIO(b'data'))
            """)
        let bomb = try fixtures.read("bomb.tar.gz")

        #expect(summary(collect(bomb, named: "b.tgz")) == ["b.tgz!zeros.bin too-large", "b.tgz!after.pem ok"])

        let small = ArchiveReader(limits: ArchiveLimits(maxTotalBytes: 20 << 20))
        let entries = collect(bomb, named: "b.tgz", small)
        #expect(summary(entries) == ["b.tgz!zeros.bin too-large", "b.tgz archive-too-large"])
        #expect(
            entries.last?.problem?.message
                == "the limit of 20971520 uncompressed bytes per top-level archive was reached while skipping "
                + "'zeros.bin'; the rest of this archive was not read")
    }

    @Test("A zip without its central directory: skipping decompresses, so skipped bytes count")
    func streamedZipBomb() throws {
        let fixtures = try Fixtures()
        try fixtures.python(
            """
            import io, zipfile
            class Unseekable(io.RawIOBase):
                def __init__(self):
                    self.data = bytearray()
                def writable(self):
                    return True
                def write(self, b):
                    self.data += b
                    return len(b)
            out = Unseekable()
            # Written to a stream, entries carry their sizes after the data (a data descriptor).
            with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
                with z.open('zeros.bin', 'w', force_zip64=True) as f:
                    for _ in range(64):
                        f.write(bytes(1 << 20))
                z.writestr('after.pem', b'data')
            data = bytes(out.data)
            # Cut inside the central directory: the seekable reader cannot use it, the streaming one stops there.
            open('streamed.zip', 'wb').write(data[:data.find(b'PK\\x01\\x02') + 30])
            """)
        let zip = try fixtures.read("streamed.zip")

        #expect(summary(collect(zip, named: "s.zip")) == ["s.zip!zeros.bin too-large", "s.zip!after.pem ok"])
        let small = ArchiveReader(limits: ArchiveLimits(maxTotalBytes: 20 << 20))
        #expect(
            summary(collect(zip, named: "s.zip", small)) == ["s.zip!zeros.bin too-large", "s.zip archive-too-large"])
    }

    /// Five 1 MiB files `a` to `e` that do not compress.
    static func fiveFiles(_ fixtures: borrowing Fixtures) throws {
        for (index, name) in ["a", "b", "c", "d", "e"].enumerated() {
            try fixtures.write(name, Sample.noise(1 << 20, seed: UInt64(index + 1)))
        }
    }

    @Test("Total bytes in a zip: later entries are named, each archive-too-large")
    func totalInZip() throws {
        let fixtures = try Fixtures()
        try Self.fiveFiles(fixtures)
        try fixtures.run("zip", ["-q0", "five.zip", "a", "b", "c", "d", "e"])
        let reader = ArchiveReader(limits: ArchiveLimits(maxTotalBytes: (5 << 20) / 2))
        let entries = collect(try fixtures.read("five.zip"), named: "five.zip", reader)
        #expect(
            summary(entries) == [
                "five.zip!a ok", "five.zip!b ok", "five.zip!c archive-too-large", "five.zip!d archive-too-large",
                "five.zip!e archive-too-large",
            ])
        #expect(
            entries[3].problem?.message
                == "the limit of 2621440 uncompressed bytes per top-level archive was reached before this entry "
                + "could be read")
    }

    @Test("Total bytes in a tar.gz: reading stops at the entry that passes the limit")
    func totalInCompressedTar() throws {
        let fixtures = try Fixtures()
        try Self.fiveFiles(fixtures)
        let tarGz = try fixtures.run("bsdtar", ["-czf", "-", "a", "b", "c", "d", "e"])
        let reader = ArchiveReader(limits: ArchiveLimits(maxTotalBytes: (5 << 20) / 2))
        let entries = collect(tarGz, named: "five.tar.gz", reader)
        #expect(summary(entries) == ["five.tar.gz!a ok", "five.tar.gz!b ok", "five.tar.gz!c archive-too-large"])
        #expect(entries.last?.problem?.message.hasSuffix("; the rest of this archive was not read") == true)
    }

    @Test("Total bytes count across nested archives")
    func totalAcrossNesting() throws {
        let fixtures = try Fixtures()
        try Self.fiveFiles(fixtures)
        try fixtures.run("zip", ["-q0", "inner.zip", "a", "b"])
        try fixtures.run("zip", ["-q0", "outer.zip", "inner.zip", "c"])
        // inner.zip (2 MiB and its headers) and its two entries (2 MiB) make a little over 4 MiB.
        let reader = ArchiveReader(limits: ArchiveLimits(maxTotalBytes: (4 << 20) + (64 << 10)))
        #expect(
            summary(collect(try fixtures.read("outer.zip"), named: "outer.zip", reader)) == [
                "outer.zip!inner.zip!a ok", "outer.zip!inner.zip!b ok", "outer.zip!c archive-too-large",
            ])
    }

    @Test("Too many entries: the archive is named and reading stops, nested archives included")
    func tooManyEntries() throws {
        let fixtures = try Fixtures()
        for index in 1...20 {
            try fixtures.write("f\(index)", Sample.text)
        }
        try fixtures.run("zip", ["-q", "many.zip"] + (1...20).map { "f\($0)" })
        let reader = ArchiveReader(limits: ArchiveLimits(maxEntries: 5))
        let entries = collect(try fixtures.read("many.zip"), named: "many.zip", reader)
        #expect(summary(entries) == (1...5).map { "many.zip!f\($0) ok" } + ["many.zip too-many-entries"])
        #expect(
            entries.last?.problem?.message
                == "more than 5 entries (nested archives included), the limit per top-level archive; "
                + "the rest was not read"
        )

        try fixtures.run("zip", ["-q", "one.zip", "f1", "f2", "f3", "f4"])
        try fixtures.run("zip", ["-q", "two.zip", "f5", "f6", "f7", "f8"])
        let outer = try fixtures.run("bsdtar", ["-cf", "-", "one.zip", "two.zip", "f9"])
        // Headers: one.zip, f1…f4, two.zip, f5: the seventh passes the limit of 6.
        #expect(
            summary(collect(outer, named: "o.tar", ArchiveReader(limits: ArchiveLimits(maxEntries: 6)))) == [
                "o.tar!one.zip!f1 ok", "o.tar!one.zip!f2 ok", "o.tar!one.zip!f3 ok", "o.tar!one.zip!f4 ok",
                "o.tar!two.zip too-many-entries",
            ])
    }

    @Test("The default entry limit: 100,000")
    func defaultEntryLimit() throws {
        let fixtures = try Fixtures()
        try fixtures.python(
            """
            import tarfile
            with tarfile.open('many.tar', 'w', format=tarfile.USTAR_FORMAT) as t:
                info = tarfile.TarInfo('e')
                for index in range(100001):
                    info.name = 'e%d' % index
                    t.addfile(info)
            """)
        var readable = 0
        var problems: [String] = []
        ArchiveReader().forEachEntry(in: try fixtures.read("many.tar"), named: "many.tar") { entry in
            if entry.bytes != nil {
                readable += 1
            } else {
                problems.append("\(entry.name) \(entry.problem?.code.rawValue ?? "")")
            }
        }
        #expect(readable == 100_000)
        #expect(problems == ["many.tar too-many-entries"])
    }

    @Test("Bytes per entry: a nested archive and a top-level input count as entries too")
    func entryBytes() throws {
        let fixtures = try Fixtures()
        try Self.fiveFiles(fixtures)
        try fixtures.run("zip", ["-q0", "inner.zip", "a", "b"])
        try fixtures.run("zip", ["-q0", "outer.zip", "inner.zip", "c"])
        let reader = ArchiveReader(limits: ArchiveLimits(maxEntryBytes: (3 << 20) / 2))
        #expect(
            summary(collect(try fixtures.read("outer.zip"), named: "outer.zip", reader)) == [
                "outer.zip!inner.zip too-large", "outer.zip!c ok",
            ])
        #expect(summary(collect(Sample.noise(2 << 20), named: "big.pem", reader)) == ["big.pem too-large"])
    }
}
