/// Reads ASN.1 BER headers at the start of a byte string, without the rest: enough to tell what kind of structure
/// a file or a decrypted blob starts with, also when it is cut short.
///
/// BER rather than DER, because other writers use it: NSS and BouncyCastle write PKCS#12 files with indefinite
/// lengths (`30 80 … 00 00`), and a long-form length may have leading zero octets (`30 84 00 00 01 00`).
public enum BERPrefix {
    /// One header: the identifier octet, whether the length is indefinite, and where the contents begin.
    struct Header: Equatable {
        let identifier: UInt8
        /// `nil` for the indefinite form (`80`).
        let length: Int?
        /// The offset of the first content octet.
        let contentStart: Int
    }

    /// The header at `offset`, or `nil` when the bytes there are not one (high tag numbers are not needed here
    /// and read as `nil` too).
    static func header<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at offset: Int) -> Header?
    where Bytes.Index == Int {
        let start = bytes.startIndex + offset
        guard offset >= 0, start + 1 < bytes.endIndex else { return nil }
        let identifier = bytes[start]
        guard identifier & 0x1F != 0x1F else { return nil }
        let first = bytes[start + 1]
        if first < 0x80 { return Header(identifier: identifier, length: Int(first), contentStart: offset + 2) }
        if first == 0x80 {
            // Only constructed encodings may use the indefinite form.
            guard identifier & 0x20 != 0 else { return nil }
            return Header(identifier: identifier, length: nil, contentStart: offset + 2)
        }
        let count = Int(first & 0x7F)
        // 0xFF is reserved; more than four length octets (after leading zeros) is over any file we read.
        guard count <= 8, first != 0xFF, start + 1 + count < bytes.endIndex else { return nil }
        var length = 0
        for index in (start + 2)..<(start + 2 + count) {
            guard length <= (Int.max >> 8) else { return nil }
            length = length << 8 | Int(bytes[index])
        }
        guard length <= UInt32.max else { return nil }
        return Header(identifier: identifier, length: length, contentStart: offset + 2 + count)
    }

    /// Whether `bytes` start `SEQUENCE { INTEGER 3, …`: the start of a PFX, in DER or BER.
    public static func startsLikePFX<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Bool
    where Bytes.Index == Int {
        guard let outer = header(bytes, at: 0), outer.identifier == 0x30 else { return false }
        return startsWithInteger(bytes, at: outer.contentStart, value: 3)
    }

    /// Whether `bytes` start `SEQUENCE { SEQUENCE { …`: the start of a certificate (tbsCertificate inside).
    public static func startsLikeCertificate<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Bool
    where Bytes.Index == Int {
        guard let outer = header(bytes, at: 0), outer.identifier == 0x30,
            let inner = header(bytes, at: outer.contentStart)
        else { return false }
        return inner.identifier == 0x30
    }

    /// Whether `bytes` start `SEQUENCE { INTEGER 1, SEQUENCE { …`: a PKCS#8 v2 (RFC 5958 `OneAsymmetricKey`)
    /// private key, which OpenSSL 3.0 cannot read. (A v1 `PrivateKeyInfo` starts with `INTEGER 0`.)
    static func startsLikePKCS8Version2<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Bool
    where Bytes.Index == Int {
        guard let outer = header(bytes, at: 0), outer.identifier == 0x30,
            startsWithInteger(bytes, at: outer.contentStart, value: 1)
        else { return false }
        guard let version = header(bytes, at: outer.contentStart),
            let algorithm = header(bytes, at: version.contentStart + 1)
        else { return false }
        return algorithm.identifier == 0x30
    }

    /// Whether an INTEGER of one content octet, `value`, is at `offset` (its length in any BER form).
    private static func startsWithInteger<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, at offset: Int, value: UInt8
    ) -> Bool where Bytes.Index == Int {
        guard let integer = header(bytes, at: offset), integer.identifier == 0x02, integer.length == 1 else {
            return false
        }
        let content = bytes.startIndex + integer.contentStart
        return content < bytes.endIndex && bytes[content] == value
    }
}
