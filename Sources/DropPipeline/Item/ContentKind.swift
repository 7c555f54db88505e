import PKCS12Kit

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

    /// `SEQUENCE { INTEGER 3, …`: the start of a PFX, in DER or in BER (indefinite lengths, as NSS and
    /// BouncyCastle write).
    static func looksLikePFX(_ bytes: [UInt8]) -> Bool { BERPrefix.startsLikePFX(bytes) }

    /// `SEQUENCE { SEQUENCE { …`: the start of a certificate (tbsCertificate inside).
    static func looksLikeDERCertificate(_ bytes: [UInt8]) -> Bool { BERPrefix.startsLikeCertificate(bytes) }

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
}
