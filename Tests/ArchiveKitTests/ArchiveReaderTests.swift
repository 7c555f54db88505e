import ArchiveKit
import Foundation
import Testing

@Suite("ArchiveReader: formats and nesting")
struct ArchiveReaderTests {
    /// How a test drop (`certs/api.pfx`, `readme.txt`, the `certs/` directory) is packed.
    enum Packing: String, CaseIterable, CustomTestStringConvertible {
        case zip, zipStored, zipPython, ustar, pax, gnutar, v7, tarDotSlash, tarGz, tarBz2, tarXz, sevenZip

        var testDescription: String { rawValue }

        /// Packs `certs` and `readme.txt` of the fixture directory into `drop`.
        func pack(_ fixtures: borrowing Fixtures) throws -> [UInt8] {
            let inputs = ["certs", "readme.txt"]
            switch self {
            case .zip:
                try fixtures.run("zip", ["-qr", "drop", "certs", "readme.txt"])
                return try fixtures.read("drop.zip")
            case .zipStored:
                try fixtures.run("zip", ["-qr0", "drop", "certs", "readme.txt"])
                return try fixtures.read("drop.zip")
            case .zipPython:
                try fixtures.python(
                    """
                    import zipfile
                    with zipfile.ZipFile('drop.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                        z.write('certs')
                        z.write('certs/api.pfx')
                        z.write('readme.txt')
                    """)
                return try fixtures.read("drop.zip")
            case .ustar, .pax, .gnutar, .v7:
                return try fixtures.run("bsdtar", ["--format", rawValue, "-cf", "-"] + inputs)
            case .tarDotSlash:
                try fixtures.run("mkdir", ["-p", "tree/certs"])
                try fixtures.run("cp", ["certs/api.pfx", "tree/certs/"])
                try fixtures.run("cp", ["readme.txt", "tree/"])
                return try fixtures.run("bsdtar", ["-cf", "-", "-C", "tree", "./certs", "./readme.txt"])
            case .tarGz:
                return try fixtures.run("bsdtar", ["-czf", "-"] + inputs)
            case .tarBz2:
                return try fixtures.run("bsdtar", ["-cjf", "-"] + inputs)
            case .tarXz:
                return try fixtures.run("bsdtar", ["-cJf", "-"] + inputs)
            case .sevenZip:
                return try fixtures.run("bsdtar", ["--format", "7zip", "-cf", "-"] + inputs)
            }
        }
    }

    @Test("Every format yields its files, in order, named with !", arguments: Packing.allCases)
    func formats(packing: Packing) throws {
        let fixtures = try Fixtures()
        try fixtures.write("certs/api.pfx", Sample.pfx)
        try fixtures.write("readme.txt", Sample.text)
        let drop = try packing.pack(fixtures)

        let entries = collect(drop, named: "drop.bin")

        #expect(summary(entries) == ["drop.bin!certs/api.pfx ok", "drop.bin!readme.txt ok"])
        #expect(entries.first?.bytes == Sample.pfx)
        #expect(entries.first?.containers == ["drop.bin"])
        #expect(entries.first?.path == "certs/api.pfx")
        #expect(entries.first?.size == Sample.pfx.count)
        #expect(entries.last?.bytes == Sample.text)
    }

    enum Compression: String, CaseIterable, CustomTestStringConvertible {
        case gz, bz2, xz
        var testDescription: String { rawValue }
        var module: String {
            switch self {
            case .gz: "gzip"
            case .bz2: "bz2"
            case .xz: "lzma"
            }
        }
    }

    @Test(
        "One compressed file that is not a tar is one entry, named without the suffix", arguments: Compression.allCases)
    func singleCompressedFile(compression: Compression) throws {
        let fixtures = try Fixtures()
        try fixtures.write("x.pfx", Sample.pfx)
        try fixtures.python(
            """
            import \(compression.module) as m
            data = open('x.pfx', 'rb').read()
            open('x.pfx.\(compression.rawValue)', 'wb').write(m.compress(data))
            open('zeros.\(compression.rawValue)', 'wb').write(m.compress(bytes(10240)))
            """)
        let compressed = try fixtures.read("x.pfx.\(compression.rawValue)")

        let entries = collect(compressed, named: "x.pfx.\(compression.rawValue)")
        #expect(summary(entries) == ["x.pfx.\(compression.rawValue)!x.pfx ok"])
        #expect(entries.first?.bytes == Sample.pfx)
        #expect(entries.first?.containers == ["x.pfx.\(compression.rawValue)"])

        // Named after the container, whatever it is called; the case of the suffix does not matter.
        #expect(summary(collect(compressed, named: "blob")) == ["blob!blob ok"])
        #expect(
            summary(collect(compressed, named: "in/X.PFX.\(compression.rawValue.uppercased())")) == [
                "in/X.PFX.\(compression.rawValue.uppercased())!X.PFX ok"
            ])

        // Zeros inside a compressed stream are a file of zeros, not an empty tar.
        let zeros = collect(try fixtures.read("zeros.\(compression.rawValue)"), named: "z.bin.\(compression.rawValue)")
        #expect(summary(zeros) == ["z.bin.\(compression.rawValue)!z.bin ok"])
        #expect(zeros.first?.bytes == [UInt8](repeating: 0, count: 10240))
    }

    @Test("A compressed tar by content, whatever its name")
    func compressedTarByContent() throws {
        let fixtures = try Fixtures()
        try fixtures.write("a.pem", Sample.text)
        let tgz = try fixtures.run("bsdtar", ["-czf", "-", "a.pem"])
        #expect(summary(collect(tgz, named: "drop.tgz")) == ["drop.tgz!a.pem ok"])
        #expect(summary(collect(tgz, named: "notes.txt")) == ["notes.txt!a.pem ok"])
    }

    @Test("Input that is not an archive is one entry with its bytes")
    func notAnArchive() {
        let text = Array("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8)
        let entries = collect(text, named: "drop.zip")
        #expect(summary(entries) == ["drop.zip ok"])
        #expect(entries.first?.bytes == text)
        #expect(entries.first?.containers == [])
        #expect(summary(collect([], named: "empty")) == ["empty ok"])
        #expect(collect([UInt8](repeating: 0, count: 4096), named: "zeros").first?.bytes?.count == 4096)
    }

    @Test("Nested archives are opened: tar.gz holding a zip holding a file")
    func nested() throws {
        let fixtures = try Fixtures()
        try fixtures.write("x.pfx", Sample.pfx)
        try fixtures.write("after.pem", Sample.text)
        try fixtures.run("zip", ["-q", "inner.zip", "x.pfx"])
        try fixtures.write(
            "x.pfx.gz",
            try fixtures.run(
                "python3", ["-c", "import gzip,sys; sys.stdout.buffer.write(gzip.compress(open('x.pfx','rb').read()))"])
        )
        let bundle = try fixtures.run("bsdtar", ["-czf", "-", "inner.zip", "x.pfx.gz", "after.pem"])

        let entries = collect(bundle, named: "bundle.tar.gz")

        #expect(
            summary(entries) == [
                "bundle.tar.gz!inner.zip!x.pfx ok", "bundle.tar.gz!x.pfx.gz!x.pfx ok", "bundle.tar.gz!after.pem ok",
            ])
        #expect(entries.first?.containers == ["bundle.tar.gz", "inner.zip"])
        #expect(entries.first?.path == "x.pfx")
        #expect(entries.first?.bytes == Sample.pfx)
        #expect(entries[1].bytes == Sample.pfx)
    }

    @Test("Five levels: the fifth is not opened by default")
    func depthLimit() throws {
        let fixtures = try Fixtures()
        try fixtures.write("x.pfx", Sample.pfx)
        var inner = "x.pfx"
        for level in (1...5).reversed() {
            try fixtures.run("zip", ["-q", "l\(level).zip", inner])
            inner = "l\(level).zip"
        }
        let top = try fixtures.read("l1.zip")

        let limited = collect(top, named: "l1.zip")
        #expect(summary(limited) == ["l1.zip!l2.zip!l3.zip!l4.zip!l5.zip nesting-limit"])
        #expect(limited.first?.containers == ["l1.zip", "l2.zip", "l3.zip", "l4.zip"])
        #expect(limited.first?.problem?.message.contains("beyond the limit of 4 levels") == true)

        let deeper = collect(top, named: "l1.zip", ArchiveReader(limits: ArchiveLimits(maxDepth: 5)))
        #expect(summary(deeper) == ["l1.zip!l2.zip!l3.zip!l4.zip!l5.zip!x.pfx ok"])
        #expect(deeper.first?.bytes == Sample.pfx)

        #expect(
            summary(collect(top, named: "l1.zip", ArchiveReader(limits: ArchiveLimits(maxDepth: 0)))) == [
                "l1.zip nesting-limit"
            ])
    }

    @Test("An empty zip yields nothing; an empty tar is zeros, so a plain file")
    func emptyArchives() throws {
        let fixtures = try Fixtures()
        try fixtures.python("import zipfile; zipfile.ZipFile('empty.zip', 'w').close()")
        #expect(collect(try fixtures.read("empty.zip"), named: "empty.zip").isEmpty)
        let emptyTar = [UInt8](repeating: 0, count: 10240)
        #expect(summary(collect(emptyTar, named: "empty.tar")) == ["empty.tar ok"])
    }

    @Test("Readers on many threads at once give the same answers")
    func concurrent() throws {
        let fixtures = try Fixtures()
        try fixtures.write("x.pfx", Sample.pfx)
        try fixtures.write("café.pem", Sample.text)
        try fixtures.run("zip", ["-q", "-P", "s3cret", "inner.zip", "x.pfx"])
        let bundle = try fixtures.run("bsdtar", ["-cJf", "-", "inner.zip", "café.pem"])
        let reader = ArchiveReader(passphrases: [Array("s3cret".utf8)])
        let expected = ["b.tar.xz!inner.zip!x.pfx ok", "b.tar.xz!café.pem ok"]

        final class Results: @unchecked Sendable {
            // Every access holds the lock.
            private let lock = NSLock()
            private var values: [[String]] = []
            func append(_ value: [String]) { lock.withLock { values.append(value) } }
            var all: [[String]] { lock.withLock { values } }
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            results.append(summary(collect(bundle, named: "b.tar.xz", reader)))
        }
        #expect(results.all.count == 32)
        #expect(results.all.allSatisfy { $0 == expected })
    }

    struct Stop: Error {}

    @Test("An error thrown by the body stops reading and is rethrown")
    func bodyThrows() throws {
        let fixtures = try Fixtures()
        try fixtures.write("a.pem", Sample.text)
        try fixtures.write("b.pem", Sample.text)
        let tar = try fixtures.run("bsdtar", ["-cf", "-", "a.pem", "b.pem"])
        var seen: [String] = []
        #expect(throws: Stop.self) {
            try ArchiveReader().forEachEntry(in: tar, named: "t.tar") { entry in
                seen.append(entry.name)
                throw Stop()
            }
        }
        #expect(seen == ["t.tar!a.pem"])
    }
}
