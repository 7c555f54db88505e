import CertDropTestSupport
import Foundation
import Testing

@testable import PKCS12Kit

/// A DER element tree, rewritten as BER the way NSS and BouncyCastle write it: indefinite lengths on every
/// constructed element and OCTET STRINGs split into constructed chunks. Only the outer structure is rewritten,
/// never the contents of an OCTET STRING, so a PFX's MAC (over the authenticated safe's content octets) stays valid.
enum BERRewriter {
    indirect enum Element {
        case primitive(UInt8, [UInt8])
        case constructed(UInt8, [Element])
    }

    static func parse(_ bytes: [UInt8]) -> [Element]? {
        var elements: [Element] = []
        var index = 0
        while index < bytes.count {
            guard let header = BERPrefix.header(bytes, at: index), let length = header.length,
                header.contentStart + length <= bytes.count
            else { return nil }
            let contents = Array(bytes[header.contentStart..<(header.contentStart + length)])
            if header.identifier & 0x20 != 0 {
                guard let children = parse(contents) else { return nil }
                elements.append(.constructed(header.identifier, children))
            } else {
                elements.append(.primitive(header.identifier, contents))
            }
            index = header.contentStart + length
        }
        return elements
    }

    static func definite(_ identifier: UInt8, _ contents: [UInt8]) -> [UInt8] {
        var length: [UInt8] = []
        var count = contents.count
        if count < 0x80 {
            length = [UInt8(count)]
        } else {
            var octets: [UInt8] = []
            while count > 0 {
                octets.insert(UInt8(count & 0xFF), at: 0)
                count >>= 8
            }
            length = [0x80 | UInt8(octets.count)] + octets
        }
        return [identifier] + length + contents
    }

    /// BER with indefinite lengths; OCTET STRINGs longer than `chunk` become constructed strings of chunks.
    static func ber(_ element: Element, chunk: Int) -> [UInt8] {
        switch element {
        case .constructed(let identifier, let children):
            return [identifier, 0x80] + children.flatMap { ber($0, chunk: chunk) } + [0, 0]
        case .primitive(0x04, let contents) where contents.count > chunk:
            let pieces = stride(from: 0, to: contents.count, by: chunk).map {
                definite(0x04, Array(contents[$0..<min($0 + chunk, contents.count)]))
            }
            return [0x24, 0x80] + pieces.joined() + [0, 0]
        case .primitive(let identifier, let contents):
            return definite(identifier, contents)
        }
    }

    /// `der` (a whole PFX) in BER.
    static func rewrite(_ der: [UInt8], chunk: Int = 100) -> [UInt8]? {
        guard let elements = parse(der), elements.count == 1, let root = elements.first else { return nil }
        return ber(root, chunk: chunk)
    }
}

@Suite struct BERPrefixTests {
    @Test(
        arguments: [
            ([0x30, 0x03], BERPrefix.Header(identifier: 0x30, length: 3, contentStart: 2)),
            ([0x30, 0x7F], BERPrefix.Header(identifier: 0x30, length: 127, contentStart: 2)),
            ([0x30, 0x81, 0x80], BERPrefix.Header(identifier: 0x30, length: 128, contentStart: 3)),
            ([0x30, 0x84, 0x00, 0x00, 0x01, 0x00], BERPrefix.Header(identifier: 0x30, length: 256, contentStart: 6)),
            ([0x30, 0x80], BERPrefix.Header(identifier: 0x30, length: nil, contentStart: 2)),
            ([0x24, 0x80], BERPrefix.Header(identifier: 0x24, length: nil, contentStart: 2)),
        ] as [([UInt8], BERPrefix.Header)])
    func readsHeaders(bytes: [UInt8], expected: BERPrefix.Header) {
        #expect(BERPrefix.header(bytes, at: 0) == expected)
    }

    @Test(
        arguments: [
            [],  // nothing
            [0x30],  // no length octet
            [0x04, 0x80],  // a primitive string cannot be indefinite
            [0x30, 0x82, 0x01],  // a long length cut short
            [0x30, 0xFF],  // reserved length octet
            [0x1F, 0x01],  // high tag numbers are not read
            [0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00],  // over 2^32 - 1
        ] as [[UInt8]])
    func refusesNonHeaders(bytes: [UInt8]) {
        #expect(BERPrefix.header(bytes, at: 0) == nil)
    }

    @Test func pfxStartsInDERAndBER() {
        #expect(BERPrefix.startsLikePFX([0x30, 0x82, 0x09, 0x00, 0x02, 0x01, 0x03]))
        #expect(BERPrefix.startsLikePFX([0x30, 0x80, 0x02, 0x01, 0x03]))
        #expect(BERPrefix.startsLikePFX([0x30, 0x84, 0x00, 0x00, 0x09, 0x00, 0x02, 0x01, 0x03]))
        #expect(
            BERPrefix.startsLikePFX([0x30, 0x84, 0x00, 0x00, 0x09, 0x00, 0x02, 0x84, 0x00, 0x00, 0x00, 0x01, 0x03]))
        // Just outside: another version, a cut-short start, another outer type.
        #expect(!BERPrefix.startsLikePFX([0x30, 0x80, 0x02, 0x01, 0x02]))
        #expect(!BERPrefix.startsLikePFX([0x30, 0x80, 0x02, 0x01]))
        #expect(!BERPrefix.startsLikePFX([0x31, 0x80, 0x02, 0x01, 0x03]))
        #expect(!BERPrefix.startsLikePFX([0x30, 0x80, 0x02, 0x02, 0x00, 0x03]))
    }

    @Test func pkcs8VersionIsTold() {
        // SEQUENCE { INTEGER 1, SEQUENCE { OID 1.3.101.112 } … }: v2; INTEGER 0: v1; INTEGER 2: neither.
        let v2: [UInt8] = [0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70]
        var v1 = v2
        v1[4] = 0
        var other = v2
        other[4] = 2
        #expect(BERPrefix.startsLikePKCS8Version2(v2))
        #expect(!BERPrefix.startsLikePKCS8Version2(v1))
        #expect(!BERPrefix.startsLikePKCS8Version2(other))
    }

    @Test(arguments: ["rsa-default.pfx", "rsa-legacy.pfx", "ec-p256.pfx"])
    func berFileOpensWithTheSameFacts(name: String) throws {
        let der = Fixtures.bytes(name)
        let ber = try #require(BERRewriter.rewrite(der))
        #expect(ber.starts(with: [0x30, 0x80, 0x02, 0x01, 0x03]))
        #expect(BERPrefix.startsLikePFX(ber))
        let password = [SecretBytes(utf8: Fixtures.password(name) ?? "")]
        let fromDER = try PKCS12Bundle.open(der, passwords: password)
        let fromBER = try PKCS12Bundle.open(ber, passwords: password)
        #expect(fromBER.certificate == fromDER.certificate)
        #expect(fromBER.chain == fromDER.chain)
        #expect(fromBER.pkcs12 == fromDER.pkcs12)
    }

    @Test func truncatedBERIsCorruptNotForeign() throws {
        let ber = try #require(BERRewriter.rewrite(Fixtures.bytes("rsa-default.pfx")))
        for length in [5, ber.count / 2, ber.count - 2] {
            let error = #expect(throws: PKCS12Error.self) {
                _ = try PKCS12Bundle.open(Array(ber.prefix(length)), passwords: [SecretBytes(utf8: "x")])
            }
            #expect(error?.code == .corrupt, "cut at \(length) of \(ber.count) bytes")
        }
    }

    @Test func foreignBERIsNotPKCS12() {
        let sequence: [UInt8] = [0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00]
        let error = #expect(throws: PKCS12Error.self) {
            _ = try PKCS12Bundle.open(sequence, passwords: [])
        }
        #expect(error?.code == .notPKCS12)
    }
}
