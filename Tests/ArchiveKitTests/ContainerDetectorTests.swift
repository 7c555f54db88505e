import ArchiveKit
import Testing

@Suite("ContainerDetector")
struct ContainerDetectorTests {
    /// Inputs that must never be taken for archives (libarchive's `format_all` would read some as mtree or as
    /// an empty tar).
    enum NotAnArchive: String, CaseIterable, CustomTestStringConvertible {
        case empty, zeros, passwordList, csv, mtreeLike, der, shortPK, bzhWithoutBlock, ustarTooEarly

        var testDescription: String { rawValue }

        var bytes: [UInt8] {
            switch self {
            case .empty: []
            case .zeros: [UInt8](repeating: 0, count: 10_240)
            case .passwordList: Array(String(repeating: "password1\npassword2\n", count: 100).utf8)
            case .csv: Array("name,password\napi.pfx,secret\n".utf8)
            case .mtreeLike: Array("#mtree\n./a type=file\n".utf8)
            case .der: Sample.pfx
            case .shortPK: Array("PK".utf8)
            case .bzhWithoutBlock: Array("BZh9 is a text".utf8)
            case .ustarTooEarly: Array(repeating: 0x20, count: 100) + Array("ustar".utf8)
            }
        }
    }

    @Test("Not an archive", arguments: NotAnArchive.allCases)
    func notAnArchive(input: NotAnArchive) {
        #expect(ContainerDetector.detect(input.bytes) == nil)
    }

    @Test("Magic bytes")
    func magic() {
        #expect(ContainerDetector.detect([0x50, 0x4B, 0x03, 0x04, 0, 0]) == .zip)
        #expect(ContainerDetector.detect([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)) == .zip)
        #expect(ContainerDetector.detect([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0, 4]) == .sevenZip)
        #expect(ContainerDetector.detect([0x1F, 0x8B, 0x08, 0]) == .gzip)
        #expect(ContainerDetector.detect(Array("BZh9".utf8) + [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]) == .bzip2)
        #expect(ContainerDetector.detect([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0, 4]) == .xz)
        var ustar = [UInt8](repeating: 0, count: 512)
        ustar.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        #expect(ContainerDetector.detect(ustar) == .tar)
    }

    @Test("v7 tar only with a checksum that verifies")
    func v7() throws {
        let fixtures = try Fixtures()
        try fixtures.write("a.pem", Sample.text)
        try fixtures.run("bsdtar", ["--format", "v7", "-cf", "v7.tar", "a.pem"])
        var header = try fixtures.read("v7.tar")
        #expect(Array(header[257..<262]) != Array("ustar".utf8))
        #expect(ContainerDetector.detect(header) == .tar)
        header[0] ^= 0x01
        #expect(ContainerDetector.detect(header) == nil)
    }

    @Test("Every format the tools write", arguments: ContainerFormat.allCases)
    func toolOutput(format: ContainerFormat) throws {
        let fixtures = try Fixtures()
        try fixtures.write("a.pem", Sample.text)
        let made: [UInt8]
        switch format {
        case .zip:
            try fixtures.run("zip", ["-q", "a.zip", "a.pem"])
            made = try fixtures.read("a.zip")
        case .tar, .sevenZip:
            let name = format == .tar ? "pax" : "7zip"
            made = try fixtures.run("bsdtar", ["--format", name, "-cf", "-", "a.pem"])
        case .gzip, .bzip2, .xz:
            made = try fixtures.run("bsdtar", ["--format", "ustar", "--\(format.rawValue)", "-cf", "-", "a.pem"])
        }
        #expect(ContainerDetector.detect(made) == format)
        // A prefix is enough: detection never needs more than one tar block.
        #expect(ContainerDetector.detect(made.prefix(ContainerDetector.prefixLength)) == format)
    }
}
