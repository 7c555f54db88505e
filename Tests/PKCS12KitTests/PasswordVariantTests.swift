import Testing

@testable import PKCS12Kit

@Suite struct PasswordVariantTests {
    private func forms(_ text: String) -> [[UInt8]?] {
        PasswordVariant.variants(of: SecretBytes(utf8: text)).map { variant in
            variant.bytes.map { secret in secret.withBytes { Array($0) } }
        }
    }

    @Test func emptyIsTriedAsNullThenEmpty() {
        #expect(forms("") == [nil, []])
    }

    @Test func asciiIsTriedOnce() {
        #expect(forms("secret") == [Array("secret".utf8)])
    }

    @Test func nonASCIIIsTriedAsNFCThenNFDThenLatin1() {
        let nfc = "p\u{E4}ss"
        #expect(
            forms(nfc) == [
                Array("p\u{E4}ss".utf8), Array("pa\u{308}ss".utf8), [0x70, 0xE4, 0x73, 0x73],
            ])
        // Given in NFD: NFC first all the same, and the NFD bytes as given are not repeated.
        #expect(forms("pa\u{308}ss").first == Array("p\u{E4}ss".utf8))
        #expect(forms("pa\u{308}ss").count == 3)
    }

    @Test func beyondLatin1HasNoLatin1Form() {
        #expect(forms("密码").count == 1)
    }

    @Test func secretsDoNotPrint() {
        let secret = SecretBytes(utf8: "hunter2")
        #expect(!"\(secret)".contains("hunter2"))
        #expect(secret.isEqual(to: SecretBytes(utf8: "hunter2")))
        #expect(!secret.isEqual(to: SecretBytes(utf8: "hunter3")))
    }
}
