import Testing

@testable import ArchiveKit

@Suite("EntryName")
struct EntryNameTests {
    @Test(
        "Unsafe names",
        arguments: [
            ("", "the entry has an empty name"),
            ("/etc/x", "the name is absolute"),
            ("\\x", "the name is absolute"),
            ("\\\\server\\share\\x", "the name is absolute"),
            ("C:\\x", "the name starts with a drive letter"),
            ("c:x", "the name starts with a drive letter"),
            ("..", "the name climbs out of the archive with '..'"),
            ("../evil", "the name climbs out of the archive with '..'"),
            ("..\\x", "the name climbs out of the archive with '..'"),
            ("a/../../b", "the name climbs out of the archive with '..'"),
            ("a\\..\\..\\b", "the name climbs out of the archive with '..'"),
            ("./../x", "the name climbs out of the archive with '..'"),
        ])
    func unsafe(name: String, reason: String) {
        #expect(EntryName.unsafeReason(Array(name.utf8)) == reason)
    }

    @Test("Safe names", arguments: ["a", "a/b", "a/../b", "./a", "a//b", "...", "..a", "a..", "1:x", "é/x.pfx"])
    func safe(name: String) {
        #expect(EntryName.unsafeReason(Array(name.utf8)) == nil)
    }

    @Test("Lossy rendering is stable and marks each invalid byte")
    func render() {
        #expect(EntryName.render(Array("café".utf8)) == "café")
        #expect(EntryName.render([0x63, 0x61, 0x66, 0xE9]) == "caf\\xE9")
        #expect(EntryName.render([0xFF, 0xFE, 0x41]) == "\\xFF\\xFEA")
        // A truncated sequence, an overlong encoding, an encoded surrogate.
        #expect(EntryName.render([0x41, 0xE2, 0x82]) == "A\\xE2\\x82")
        #expect(EntryName.render([0xC0, 0xAF]) == "\\xC0\\xAF")
        #expect(EntryName.render([0xED, 0xA0, 0x80, 0x41]) == "\\xED\\xA0\\x80A")
        #expect(EntryName.render(wide: [0x63, 0xE9, 0xD800, 0x110000]) == "cé\\u{D800}\\u{110000}")
    }

    @Test("Leading ./ is dropped from labels")
    func currentDirectory() {
        #expect(EntryName.trimmingCurrentDirectory(Array("./a/b".utf8)) == Array("a/b".utf8))
        #expect(EntryName.trimmingCurrentDirectory(Array("././a".utf8)) == Array("a".utf8))
        #expect(EntryName.trimmingCurrentDirectory(Array("./".utf8)) == Array("./".utf8))
        #expect(EntryName.trimmingCurrentDirectory(Array("../a".utf8)) == Array("../a".utf8))
    }

    @Test(
        "The one file of a compressed stream",
        arguments: [
            ("x.pfx.gz", "x.pfx"), ("X.PFX.GZ", "X.PFX"), ("x.pfx.bz2", "x.pfx"), ("x.pfx.xz", "x.pfx"),
            ("dir/x.pfx.gz", "x.pfx"), ("dir\\x.pfx.gz", "x.pfx"), ("x.tgz", "x.tar"), ("x.txz", "x.tar"),
            ("x.tbz2", "x.tar"), ("blob", "blob"), (".gz", ".gz"), ("x.gz.zip", "x.gz.zip"),
            ("日本.pfx.gz", "日本.pfx"),
        ])
    func decompressedName(container: String, name: String) {
        #expect(EntryName.decompressedName(of: container) == name)
    }
}
