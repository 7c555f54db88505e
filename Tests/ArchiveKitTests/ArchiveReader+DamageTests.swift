import ArchiveKit
import Testing

@Suite("ArchiveReader: damage and encryption")
struct ArchiveReaderDamageTests {
    /// `a.pem` (100 bytes), `b.bin` (256 KiB that do not compress), `c.pem`, packed by `tool arguments`.
    static func threeFiles(_ fixtures: borrowing Fixtures) throws {
        try fixtures.write("a.pem", [UInt8](repeating: 0x61, count: 100))
        try fixtures.write("b.bin", Sample.noise(256 << 10))
        try fixtures.write("c.pem", [UInt8](repeating: 0x63, count: 100))
    }

    @Test("A truncated archive keeps the entries before the damage", arguments: ["tgz", "zip", "tar", "7z"])
    func truncated(kind: String) throws {
        let fixtures = try Fixtures()
        try Self.threeFiles(fixtures)
        let files = ["a.pem", "b.bin", "c.pem"]
        let whole: [UInt8] =
            switch kind {
            case "tgz": try fixtures.run("bsdtar", ["-czf", "-"] + files)
            case "tar": try fixtures.run("bsdtar", ["-cf", "-"] + files)
            case "7z": try fixtures.run("bsdtar", ["--format", "7zip", "-cf", "-"] + files)
            default: try fixtures.run("bsdtar", ["--format", "zip", "-cf", "-"] + files)
            }
        #expect(summary(collect(whole, named: "d")) == ["d!a.pem ok", "d!b.bin ok", "d!c.pem ok"])

        let entries = collect(Array(whole.prefix(whole.count / 2)), named: "d")
        if kind == "7z" {
            // 7z keeps its directory at the end: without it nothing can be read, and that is said.
            #expect(summary(entries) == ["d corrupt-archive"])
        } else {
            #expect(summary(entries) == ["d!a.pem ok", "d!b.bin corrupt-archive"])
            #expect(entries.first?.bytes == [UInt8](repeating: 0x61, count: 100))
            #expect(
                entries.last?.problem?.message.hasPrefix("the entry's data cannot be read, nor anything after it: ")
                    == true)
        }
    }

    @Test("A tar cut inside a header: the archive is named")
    func truncatedHeader() throws {
        let fixtures = try Fixtures()
        try Self.threeFiles(fixtures)
        let tar = try fixtures.run("bsdtar", ["--format", "ustar", "-cf", "-", "a.pem", "b.bin", "c.pem"])
        // a: header and one block; b: header and 512 blocks; then c's header.
        let cut = Array(tar.prefix(512 * (2 + 1 + 512) + 100))
        let entries = collect(cut, named: "d.tar")
        #expect(summary(entries) == ["d.tar!a.pem ok", "d.tar!b.bin ok", "d.tar corrupt-archive"])
        #expect(entries.last?.problem?.message.hasPrefix("the archive is damaged after 2 entries: ") == true)
    }

    /// Flips a byte in the middle of the first entry's data, after its local header, name and extra field.
    static func damageFirstEntry(_ zip: inout [UInt8]) {
        let dataStart = 30 + Int(zip[26]) + Int(zip[27]) << 8 + Int(zip[28]) + Int(zip[29]) << 8
        zip[dataStart + 20] ^= 0xFF
    }

    @Test("A bad CRC (libarchive's ARCHIVE_WARN) fails the entry alone; the next one is read")
    func badCRC() throws {
        let fixtures = try Fixtures()
        try fixtures.write("a.pem", Array(String(repeating: "certificate text ", count: 200).utf8))
        try fixtures.write("c.pem", Sample.text)
        try fixtures.run("zip", ["-q0", "d.zip", "a.pem", "c.pem"])
        var zip = try fixtures.read("d.zip")
        Self.damageFirstEntry(&zip)
        let entries = collect(zip, named: "d.zip")
        #expect(summary(entries) == ["d.zip!a.pem corrupt-archive", "d.zip!c.pem ok"])
        #expect(entries.first?.problem?.message.hasPrefix("the entry's data cannot be read: ZIP bad CRC") == true)
    }

    @Test("Deflate data that cannot be decompressed (ARCHIVE_FATAL) stops the archive, and says so")
    func badDeflate() throws {
        let fixtures = try Fixtures()
        try fixtures.write("a.pem", Array(String(repeating: "certificate text ", count: 200).utf8))
        try fixtures.write("c.pem", Sample.text)
        try fixtures.run("zip", ["-q", "d.zip", "a.pem", "c.pem"])
        var zip = try fixtures.read("d.zip")
        Self.damageFirstEntry(&zip)
        let entries = collect(zip, named: "d.zip")
        #expect(summary(entries) == ["d.zip!a.pem corrupt-archive"])
        #expect(
            entries.first?.problem?.message.hasPrefix("the entry's data cannot be read, nor anything after it: ")
                == true)
    }

    @Test(
        "Magic bytes and garbage: the archive is named, nothing crashes",
        arguments: [
            ("junk.zip", [0x50, 0x4B, 0x03, 0x04] as [UInt8]),
            ("junk.7z", [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]),
            ("junk.gz", [0x1F, 0x8B, 0x08]),
            ("junk.bz2", Array("BZh9".utf8) + [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]),
            ("junk.xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]),
            ("junk.tar", Sample.noise(257) + Array("ustar".utf8)),
        ])
    func garbage(name: String, magic: [UInt8]) {
        for length in [0, 10, 600, 70_000] {
            let entries = collect(magic + Sample.noise(length), named: name)
            #expect(entries.count == 1, "\(length)")
            #expect(entries.first?.problem?.code == .corruptArchive, "\(length): \(summary(entries))")
        }
    }

    @Test("A damaged archive nested in a good one")
    func nestedDamage() throws {
        let fixtures = try Fixtures()
        try Self.threeFiles(fixtures)
        let zip = try fixtures.run("bsdtar", ["--format", "zip", "-cf", "-", "a.pem", "b.bin"])
        try fixtures.write("broken.zip", Array(zip.prefix(zip.count / 2)))
        try fixtures.write("x.pfx.gz", Array(try fixtures.run("gzip", ["-c", "b.bin"]).prefix(1000)))
        let outer = try fixtures.run("bsdtar", ["-cf", "-", "broken.zip", "x.pfx.gz", "c.pem"])
        #expect(
            summary(collect(outer, named: "o.tar")) == [
                "o.tar!broken.zip!a.pem ok", "o.tar!broken.zip!b.bin corrupt-archive", "o.tar!x.pfx.gz corrupt-archive",
                "o.tar!c.pem ok",
            ])
    }

    @Test("Encrypted zip entries need a passphrase; a wrong one is never shown")
    func encryptedZip() throws {
        let fixtures = try Fixtures()
        try fixtures.write("secret.pfx", Sample.pfx)
        try fixtures.write("plain.pem", Sample.text)
        try fixtures.run("zip", ["-q", "-P", "s3cret", "enc.zip", "secret.pfx"])
        try fixtures.run("zip", ["-q", "enc.zip", "plain.pem"])
        let zip = try fixtures.read("enc.zip")

        let locked = collect(zip, named: "enc.zip")
        #expect(summary(locked) == ["enc.zip!secret.pfx encrypted-entry", "enc.zip!plain.pem ok"])
        #expect(locked.first?.problem?.message == "the entry is encrypted and no passphrase was given")

        let wrong = collect(zip, named: "enc.zip", ArchiveReader(passphrases: [Array("hunter2".utf8)]))
        #expect(summary(wrong) == ["enc.zip!secret.pfx encrypted-entry", "enc.zip!plain.pem ok"])
        let message = wrong.first?.problem?.message ?? ""
        #expect(message.hasPrefix("the entry is encrypted and none of the 1 passphrase(s) given opens it"))
        #expect(!message.contains("hunter2"))

        let candidates: [[UInt8]] = [Array("hunter2".utf8), [], [0x61, 0x00], Array("s3cret".utf8)]
        let open = collect(zip, named: "enc.zip", ArchiveReader(passphrases: candidates))
        #expect(summary(open) == ["enc.zip!secret.pfx ok", "enc.zip!plain.pem ok"])
        #expect(open.first?.bytes == Sample.pfx)
    }

    @Test("AES-encrypted zip (WinZip AES-256, as bsdtar writes it)")
    func aesZip() throws {
        let fixtures = try Fixtures()
        try fixtures.write("secret.pfx", Sample.pfx)
        try fixtures.run(
            "bsdtar",
            [
                "--format", "zip", "--options", "zip:encryption=aes256", "--passphrase", "s3cret", "-cf", "aes.zip",
                "secret.pfx",
            ])
        let zip = try fixtures.read("aes.zip")
        #expect(summary(collect(zip, named: "aes.zip")) == ["aes.zip!secret.pfx encrypted-entry"])
        let open = collect(zip, named: "aes.zip", ArchiveReader(passphrases: [Array("s3cret".utf8)]))
        #expect(summary(open) == ["aes.zip!secret.pfx ok"])
        #expect(open.first?.bytes == Sample.pfx)
    }
}
