import Testing

@testable import PKCS12Kit

@Suite struct HexStringTests {
    /// Every nibble boundary: 0–9 and A–F meet at 9/10, and each byte is two digits, high nibble first.
    @Test(
        arguments: [
            ([], ""), ([0x00], "00"), ([0x09], "09"), ([0x0A], "0A"), ([0x0F], "0F"), ([0x10], "10"), ([0x90], "90"),
            ([0xA0], "A0"), ([0xF0], "F0"), ([0xFF], "FF"),
            ([0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF], "0123456789ABCDEF"),
        ] as [([UInt8], String)])
    func upperCaseTwoDigitsAByte(bytes: [UInt8], hex: String) {
        #expect(hexString(bytes) == hex)
        #expect(hexString(bytes[...]) == hex)
    }

    @Test func aDigestIsAsLongAsItsHex() {
        let bytes = (0...255).map { UInt8($0) }
        let hex = hexString(bytes)
        #expect(hex.utf8.count == 512)
        #expect(hex.hasPrefix("000102") && hex.hasSuffix("FDFEFF"))
    }
}
