internal import SwiftASN1

/// Looks into safe contents that OpenSSL could not decode, to say why when the reason is a known gap of OpenSSL 3.0
/// rather than damage. Reads BER, as NSS and BouncyCastle write it.
///
/// ```
/// SafeContents ::= SEQUENCE OF SafeBag
/// SafeBag ::= SEQUENCE { bagId OBJECT IDENTIFIER, bagValue [0] EXPLICIT ANY, bagAttributes SET OF … OPTIONAL }
/// ```
enum SafeContentsDiagnosis {
    /// The contents octets of the `keyBag` and `safeContentsBag` object identifiers (RFC 7292 appendix D).
    private static let keyBag: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x01]
    private static let safeContentsBag: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x06]

    /// The error that explains why `bytes` did not decode, or `nil` when nothing known explains it.
    static func diagnose(_ bytes: [UInt8]) -> PKCS12Error? {
        guard let root = try? BER.parse(bytes) else { return nil }
        return diagnose(safeContents: root, depth: 0)
    }

    private static func diagnose(safeContents: ASN1Node, depth: Int) -> PKCS12Error? {
        guard depth < 8, case .constructed(let bags) = safeContents.content else { return nil }
        for bag in bags {
            guard case .constructed(let fields) = bag.content else { continue }
            var iterator = fields.makeIterator()
            guard let id = iterator.next(), case .primitive(let oid) = id.content,
                let wrapper = iterator.next(), case .constructed(let wrapped) = wrapper.content,
                let value = wrapped.first(where: { _ in true })
            else { continue }
            if oid.elementsEqual(keyBag), BERPrefix.startsLikePKCS8Version2(Array(value.encodedBytes)) {
                return PBEDecryption.unsupportedVersion2("a key bag")
            }
            if oid.elementsEqual(safeContentsBag), let nested = diagnose(safeContents: value, depth: depth + 1) {
                return nested
            }
        }
        return nil
    }
}
