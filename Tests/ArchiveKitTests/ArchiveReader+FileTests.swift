import ArchiveKit
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The entries of the file `path` in `fixtures`, read from disk through a descriptor.
private func collectFile(_ fixtures: borrowing Fixtures, _ path: String, _ reader: ArchiveReader = ArchiveReader())
    -> [ArchiveEntry]
{
    let descriptor = open(fixtures.directory.appendingPathComponent(path).path, O_RDONLY)
    #expect(descriptor >= 0)
    defer { close(descriptor) }
    var entries: [ArchiveEntry] = []
    reader.forEachEntry(inFileDescriptor: descriptor, named: path) { entries.append($0) }
    return entries
}

@Suite("ArchiveReader: files read from disk")
struct ArchiveReaderFileTests {
    /// Reading from a descriptor gives what reading the same bytes in memory gives, for every format.
    @Test func sameEntriesAsInMemory() throws {
        let fixtures = try Fixtures()
        try fixtures.write("a.pfx", Sample.pfx)
        try fixtures.write("readme.txt", Sample.text)
        try fixtures.python(
            """
            import zipfile, tarfile, gzip, shutil
            with zipfile.ZipFile('inner.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                z.write('a.pfx'); z.write('readme.txt')
            for mode, name in [('w', 'd.tar'), ('w:gz', 'd.tar.gz'), ('w:bz2', 'd.tar.bz2'), ('w:xz', 'd.tar.xz')]:
                with tarfile.open(name, mode) as t:
                    t.add('a.pfx'); t.add('inner.zip')
            with zipfile.ZipFile('d.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                z.write('a.pfx'); z.write('inner.zip'); z.write('readme.txt')
            with open('a.pfx', 'rb') as f, gzip.open('a.pfx.gz', 'wb') as g:
                shutil.copyfileobj(f, g)
            data = open('d.zip', 'rb').read()
            open('truncated.zip', 'wb').write(data[: len(data) - 30])
            """)
        for name in ["d.tar", "d.tar.gz", "d.tar.bz2", "d.tar.xz", "d.zip", "a.pfx.gz", "truncated.zip", "a.pfx"] {
            let fromDisk = collectFile(fixtures, name)
            let inMemory = collect(try fixtures.read(name), named: name)
            #expect(summary(fromDisk) == summary(inMemory), "\(name)")
            #expect(fromDisk.map(\.bytes) == inMemory.map(\.bytes), "\(name)")
            #expect(!fromDisk.isEmpty)
        }
        #expect(summary(collectFile(fixtures, "d.tar.gz")).contains("d.tar.gz!inner.zip!readme.txt ok"))
    }

    /// The bytes read from the file count, not only the bytes it expands to: a gzip of noise is larger than
    /// its content, so a cap between the two lets the content through in memory and stops the file on disk.
    @Test func theFileItselfIsCappedByTheBytesRead() throws {
        let fixtures = try Fixtures()
        let content = Sample.noise(200_000)
        try fixtures.write("x.pfx", content)
        try fixtures.python(
            """
            import gzip, shutil
            with open('x.pfx', 'rb') as f, gzip.open('x.pfx.gz', 'wb') as g:
                shutil.copyfileobj(f, g)
            """)
        let size = try fixtures.read("x.pfx.gz").count
        #expect(size > content.count + 1)
        func reader(_ total: Int) -> ArchiveReader {
            ArchiveReader(limits: ArchiveLimits(maxEntryBytes: 1 << 20, maxTotalBytes: total))
        }
        // Exactly the file's size: read whole.
        #expect(summary(collectFile(fixtures, "x.pfx.gz", reader(size))) == ["x.pfx.gz!x.pfx ok"])
        #expect(collectFile(fixtures, "x.pfx.gz", reader(size)).first?.bytes == content)
        // One byte less: the file is over the cap, although what it expands to is not.
        let over = collectFile(fixtures, "x.pfx.gz", reader(size - 1))
        #expect(summary(over) == ["x.pfx.gz archive-too-large"])
        #expect(over.first?.problem?.message.contains("more than \(size - 1) bytes") == true)
        #expect(
            summary(collect(try fixtures.read("x.pfx.gz"), named: "x.pfx.gz", reader(size - 1))) == [
                "x.pfx.gz!x.pfx ok"
            ])
    }

    @Test func aDescriptorThatIsNotARegularFileIsNotRead() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        var entries: [ArchiveEntry] = []
        ArchiveReader().forEachEntry(inFileDescriptor: ends[0], named: "pipe") { entries.append($0) }
        #expect(summary(entries) == ["pipe unsafe-entry"])
    }

    @Test func aPlainFileIsOneLeafCappedPerEntry() throws {
        let fixtures = try Fixtures()
        try fixtures.write("a.pfx", Sample.pfx)
        let small = ArchiveReader(limits: ArchiveLimits(maxEntryBytes: Sample.pfx.count - 1))
        #expect(summary(collectFile(fixtures, "a.pfx", small)) == ["a.pfx too-large"])
        let exact = ArchiveReader(limits: ArchiveLimits(maxEntryBytes: Sample.pfx.count))
        #expect(collectFile(fixtures, "a.pfx", exact).first?.bytes == Sample.pfx)
    }
}
