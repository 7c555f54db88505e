/// What an entry of a drop is, told by its content rather than its name.
public enum ContentKind: String, Sendable, Hashable, Codable {
    case pkcs12
    case pem
    case derCertificate = "der-certificate"
    case other

    /// Sniffs the first bytes. Archives are told apart earlier, by the unpack stage.
    public init(sniffing bytes: [UInt8]) {
        if Self.looksLikePFX(bytes) {
            self = .pkcs12
        } else if Self.looksLikePEM(bytes) {
            self = .pem
        } else if Self.looksLikeDERCertificate(bytes) {
            self = .derCertificate
        } else {
            self = .other
        }
    }

    /// File names users give PKCS#12 files; content that is not PKCS#12 under such a name is an error, not noise.
    public static let pkcs12Extensions: Set<String> = ["pfx", "p12"]

    /// `SEQUENCE { INTEGER 3, …`: the start of a PFX.
    static func looksLikePFX(_ bytes: [UInt8]) -> Bool {
        guard let body = derSequenceBody(bytes), body + 2 < bytes.count else { return false }
        return bytes[body] == 0x02 && bytes[body + 1] == 0x01 && bytes[body + 2] == 0x03
    }

    /// `SEQUENCE { SEQUENCE { …`: the start of a certificate (tbsCertificate inside).
    static func looksLikeDERCertificate(_ bytes: [UInt8]) -> Bool {
        guard let body = derSequenceBody(bytes), body < bytes.count else { return false }
        return bytes[body] == 0x30
    }

    static func looksLikePEM(_ bytes: [UInt8]) -> Bool {
        let marker = Array("-----BEGIN ".utf8)
        let head = bytes.prefix(64 * 1024)
        guard head.count >= marker.count else { return false }
        var index = head.startIndex
        while index + marker.count <= head.endIndex {
            if head[index..<(index + marker.count)].elementsEqual(marker) { return true }
            index += 1
        }
        return false
    }

    /// The offset of the first byte inside an outer DER SEQUENCE whose length fits `bytes`, or `nil`.
    private static func derSequenceBody(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4, bytes[0] == 0x30 else { return nil }
        let first = bytes[1]
        if first < 0x80 { return 2 }
        let count = Int(first & 0x7F)
        guard count >= 1, count <= 4, bytes.count > 1 + count else { return nil }
        return 2 + count
    }
}
