import COpenSSL
import CertDropTestSupport
import Foundation
import Testing

@testable import PKCS12Kit

/// A parsed PKCS#12, freed on release.
final class ParsedPKCS12 {
    let pointer: OpaquePointer

    init?(_ bytes: [UInt8]) {
        let parsed: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_PKCS12(nil, &cursor, buffer.count)
        }
        guard let parsed else { return nil }
        pointer = parsed
    }

    deinit { PKCS12_free(pointer) }

    /// The fast check and OpenSSL's for one password (`nil`: the NULL password), and whether the fast path ran.
    func verify(_ password: [UInt8]?) -> (fast: Bool, openSSL: Bool, fastPathRan: Bool) {
        let chars = password.map { $0.map { CChar(bitPattern: $0) } + [0] }
        let length = Int32(password?.count ?? 0)
        let (fast, probe) = withFastPath(true) {
            chars.map { chars in chars.withUnsafeBufferPointer { PKCS12MAC.verify(pointer, $0.baseAddress, length) } }
                ?? PKCS12MAC.verify(pointer, nil, 0)
        }
        let openSSL =
            chars.map { chars in
                chars.withUnsafeBufferPointer { PKCS12_verify_mac(pointer, $0.baseAddress, length) }
            } ?? PKCS12_verify_mac(pointer, nil, 0)
        ERR_clear_error()
        return (fast, openSSL == 1, probe.macs.load(ordering: .relaxed) == 1)
    }
}

@Suite struct PKCS12MACTests {
    /// The passwords every fixture is checked with: its own, wrong ones, NULL and empty, and the encodings a
    /// password can come in (NFC, NFD, Latin-1: invalid UTF-8, which OpenSSL reads as Latin-1).
    static let passwords: [[UInt8]?] = [
        nil, [], Array("not-the-password".utf8), Array("pässwörd-Zürich".utf8),
        Array("pässwörd".decomposedStringWithCanonicalMapping.utf8), Array("pässwort".utf8), [0x70, 0xE4, 0x73, 0x73],
        Array(String(repeating: "long-password-", count: 10).utf8),
    ]

    /// Every fixture with a MAC, each of the passwords above plus its own: the fast check agrees with
    /// `PKCS12_verify_mac`, and it is the fast check that answers (SHA-1 and SHA-256 MACs).
    @Test(arguments: pkcs12Fixtures.map(\.name))
    func agreesWithOpenSSL(name: String) throws {
        guard let p12 = ParsedPKCS12(Fixtures.bytes(name)), PKCS12_mac_present(p12.pointer) == 1 else { return }
        let own = pkcs12Fixtures.first { $0.name == name }?.password.map { Array($0.utf8) }
        var verified = 0
        // 1.5 million iterations: its own password and one wrong one are enough.
        let passwords = name == "high-iterations.pfx" ? [own, [0x78]] : Self.passwords + [own]
        for password in passwords {
            let result = p12.verify(password)
            #expect(result.fast == result.openSSL, "\(name) with \(password.map { "\($0.count) bytes" } ?? "NULL")")
            #expect(result.fastPathRan)
            if result.openSSL { verified += 1 }
        }
        if !["wrong-password.pfx", "high-iterations.pfx"].contains(name) { #expect(verified >= 1) }
    }

    /// MAC digests beyond the defaults: SHA-224/384/512 take the fast path, MD5 falls back to OpenSSL; a MAC with
    /// the default single iteration (no iterations field) too.
    @Test(arguments: [
        (["-macalg", "sha512"], true), (["-macalg", "sha384"], true), (["-macalg", "sha224"], true),
        (["-macalg", "sha1", "-nomaciter"], true), (["-macalg", "md5"], false),
    ])
    func otherDigests(options: [String], fast expectFast: Bool) throws {
        let folder = Fixtures.temporaryFolder("mac")
        let passwordFile = folder.appendingPathComponent("pw")
        try Data("mac-pw".utf8).write(to: passwordFile)
        let out = folder.appendingPathComponent("out.pfx")
        let status = Fixtures.run(
            [
                "/usr/bin/openssl", "pkcs12", "-export", "-in", Fixtures.path("bundle/leaf.crt"), "-inkey",
                Fixtures.path("bundle/leaf.key"), "-passout", "file:\(passwordFile.path)", "-out", out.path,
            ] + options)
        try #require(status == 0)
        let p12 = try #require(ParsedPKCS12([UInt8](try Data(contentsOf: out))))
        for password in [Array("mac-pw".utf8), Array("wrong".utf8), nil] {
            let result = p12.verify(password)
            #expect(result.fast == result.openSSL)
            #expect(result.fastPathRan == expectFast)
            #expect(result.openSSL == (password == Array("mac-pw".utf8)))
        }
    }

    /// The content the MAC covers, located with swift-asn1 in the file's own bytes, is what OpenSSL's re-encoding
    /// holds, for every fixture with a MAC; and it is what the MAC is computed over (the fast check run on it
    /// agrees with OpenSSL's).
    @Test(arguments: pkcs12Fixtures.map(\.name))
    func contentLocatedInOriginalBytes(name: String) throws {
        let bytes = Fixtures.bytes(name)
        guard let p12 = ParsedPKCS12(bytes), PKCS12_mac_present(p12.pointer) == 1 else { return }
        let direct = try #require(PKCS12MAC.dataContent(ofDER: bytes))
        #expect(PKCS12MAC.authenticatedContent(of: p12.pointer, original: nil) == direct)
        #expect(PKCS12MAC.authenticatedContent(of: p12.pointer, original: bytes) == direct)
    }

    /// BER (an indefinite outer length, as NSS writes) and trailing bytes: swift-asn1's DER parser refuses the
    /// file's bytes, so the content comes from OpenSSL's re-encoding; the fast check still answers, and agrees.
    @Test func berAndTrailingBytesFallBackToReencoding() throws {
        let der = Fixtures.bytes("rsa-default.pfx")
        let header = try #require(BERPrefix.header(der, at: 0))
        let ber = [0x30, 0x80] + der[header.contentStart...] + [0x00, 0x00]
        for variant in [ber, der + [0x00], der + [0x30, 0x00]] {
            #expect(PKCS12MAC.dataContent(ofDER: variant) == nil)
            let p12 = try #require(ParsedPKCS12(variant))
            #expect(
                PKCS12MAC.authenticatedContent(of: p12.pointer, original: variant) == PKCS12MAC.dataContent(ofDER: der))
            let own = Array((Fixtures.password("rsa-default.pfx") ?? "").utf8)
            for password in [own, Array("wrong".utf8)] {
                let result = p12.verify(password)
                #expect(result.fast == result.openSSL && result.fastPathRan)
                #expect(result.openSSL == (password == own))
            }
        }
        // Opening the BER file goes the same way as the DER one.
        let password = Fixtures.password("rsa-default.pfx")
        let fromDER = try open("rsa-default.pfx", password: password)
        let fromBER = try PKCS12Bundle.open(ber, passwords: [SecretBytes(utf8: password ?? "")])
        #expect(fromBER.certificate == fromDER.certificate && fromBER.pkcs12 == fromDER.pkcs12)
    }

    /// Structures that are DER but no `data` authenticated safe are not located (the MAC check is OpenSSL's then).
    @Test func otherStructuresAreNotLocated() {
        let dataOID: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01]
        let signedOID: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]
        func pfx(_ type: [UInt8], _ content: [UInt8]) -> [UInt8] {
            let explicit = [0xA0, UInt8(content.count)] + content
            let info = [0x30, UInt8(type.count + explicit.count)] + type + explicit
            let body = [0x02, 0x01, 0x03] + info
            return [0x30, UInt8(body.count)] + body
        }
        #expect(PKCS12MAC.dataContent(ofDER: pfx(dataOID, [0x04, 0x02, 0xAB, 0xCD])) == [0xAB, 0xCD])
        #expect(PKCS12MAC.dataContent(ofDER: pfx(dataOID, [0x04, 0x00])) == [])
        #expect(PKCS12MAC.dataContent(ofDER: pfx(signedOID, [0x04, 0x02, 0xAB, 0xCD])) == nil)
        #expect(PKCS12MAC.dataContent(ofDER: pfx(dataOID, [0x0C, 0x02, 0x41, 0x42])) == nil)  // UTF8String
        #expect(PKCS12MAC.dataContent(ofDER: pfx(dataOID, [0x24, 0x04, 0x04, 0x02, 0xAB, 0xCD])) == nil)  // constructed
        #expect(PKCS12MAC.dataContent(ofDER: [0x30, 0x03, 0x02, 0x01, 0x03]) == nil)
        #expect(PKCS12MAC.dataContent(ofDER: []) == nil)
    }

    /// A MAC-less file is left to OpenSSL (which says "mac absent").
    @Test func fileWithoutMAC() throws {
        let p12 = try #require(ParsedPKCS12(Fixtures.bytes("no-mac.pfx")))
        let result = p12.verify(Array("nomac-pw".utf8))
        #expect(!result.fast && !result.openSSL && !result.fastPathRan)
    }
}
