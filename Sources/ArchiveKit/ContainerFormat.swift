/// A container format, recognised by its content (magic bytes), never by its name.
public enum ContainerFormat: String, Sendable, Hashable, CaseIterable {
    /// PKZIP (`PK\x03\x04`, or `PK\x05\x06` for an empty archive).
    case zip
    /// POSIX ustar, GNU or pax tar (`ustar` at offset 257), or v7 tar whose header checksum verifies.
    case tar
    /// 7-Zip (`7z\xBC\xAF\x27\x1C`).
    case sevenZip = "7z"
    /// gzip (`1F 8B 08`): a compressed tar, or one compressed file.
    case gzip
    /// bzip2 (`BZh1`…`BZh9` and a block or end-of-stream marker): a compressed tar, or one compressed file.
    case bzip2
    /// xz (`FD 37 7A 58 5A 00`): a compressed tar, or one compressed file.
    case xz
}

/// Recognises containers by their first bytes.
public enum ContainerDetector {
    /// The bytes needed to recognise any format (one tar header block).
    public static let prefixLength = 512

    /// The container format of `bytes`, or nil when they are not an archive: plain text, an empty or zero-filled
    /// buffer, a certificate, anything unrecognised.
    public static func detect(_ bytes: some Collection<UInt8>) -> ContainerFormat? {
        let head = Array(bytes.prefix(prefixLength))
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .zip
        }
        if head.starts(with: [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) {
            return .sevenZip
        }
        if head.starts(with: [0x1F, 0x8B, 0x08]) {
            return .gzip
        }
        if isBzip2(head) {
            return .bzip2
        }
        if head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) {
            return .xz
        }
        if isTar(head) {
            return .tar
        }
        return nil
    }

    /// True when `head` (at least the first 512 bytes) starts a tar archive.
    static func isTar(_ head: [UInt8]) -> Bool {
        guard head.count >= 512 else {
            // "ustar" at 257 still marks a (truncated) tar, which libarchive then reports as damaged.
            return head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
        }
        if Array(head[257..<262]) == Array("ustar".utf8) {
            return true
        }
        return isV7Header(head)
    }

    /// bzip2: `BZh`, a block size digit, then the 48-bit magic of a block (π) or of the end of stream (√π).
    private static func isBzip2(_ head: [UInt8]) -> Bool {
        guard head.count >= 10, head.starts(with: Array("BZh".utf8)), (0x31...0x39).contains(head[3]) else {
            return false
        }
        let marker = Array(head[4..<10])
        return marker == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] || marker == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]
    }

    /// A pre-POSIX tar header has no magic: accept it only with a name and a checksum field that matches the
    /// header (the sum of its 512 bytes with the checksum field read as spaces, unsigned or, for old producers,
    /// signed).
    private static func isV7Header(_ head: [UInt8]) -> Bool {
        guard head[0] != 0, let stored = octal(head[148..<156]) else {
            return false
        }
        var unsigned = 0
        var signed = 0
        for (index, byte) in head.prefix(512).enumerated() {
            let value = (148..<156).contains(index) ? 0x20 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        return stored == unsigned || stored == signed
    }

    /// An octal number field: optional leading spaces, 1 to 7 octal digits, then NUL or space padding.
    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var digits = 0
        var ended = false
        for byte in field {
            switch byte {
            case 0x30...0x37 where !ended:
                value = value * 8 + Int(byte - 0x30)
                digits += 1
            case 0x20 where digits == 0:
                continue
            case 0x00, 0x20:
                ended = true
            default:
                return nil
            }
        }
        return digits > 0 ? value : nil
    }
}
