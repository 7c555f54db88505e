import CertificateAPI
import Testing

@Suite struct CertificateIdentifierTests {
    @Test(arguments: [
        "544fe9abc3b8f30fb490d90f", "api-cert", "a", "with space", "ünïcödé", "dots.in.name", "...", "a&b", "x:y",
        String(repeating: "x", count: 256),
    ])
    func legacyAccepts(id: String) throws {
        #expect(try CertificateIdentifier(id, dialect: .legacy).rawValue == id)
        #expect(CertificateIdentifier.isValid(id, dialect: .legacy))
    }

    @Test(arguments: [
        "544fe9abc3b8f30fb490d90f", "api-cert", "a", "with space", "ünïcödé", String(repeating: "x", count: 80),
    ])
    func armAccepts(id: String) {
        #expect(CertificateIdentifier.isValid(id, dialect: .arm))
    }

    @Test(arguments: [
        ("", Dialect.legacy, "empty"), ("", .arm, "empty"),
        (String(repeating: "x", count: 257), .legacy, "257 characters long; at most 256"),
        (String(repeating: "x", count: 81), .arm, "81 characters long; at most 80"),
        ("a/b", .legacy, "'/' at position 2"), ("a%2Fb", .legacy, "'%' at position 2"),
        ("a\u{0}b", .legacy, "a control character at position 2"), ("tab\there", .arm, "a control character"),
        ("line\n", .legacy, "a control character at position 5"), ("\u{7F}", .legacy, "a control character"),
        (".", .legacy, "cannot be '.'"), ("..", .arm, "cannot be '..'"),
        ("a*b", .arm, "'*' at position 2"), ("#", .arm, "'#'"), ("a&b", .arm, "'&'"), ("a+b", .arm, "'+'"),
        ("a:b", .arm, "':'"), ("<", .arm, "'<'"), (">", .arm, "'>'"), ("what?", .arm, "'?' at position 5"),
    ])
    func rejects(id: String, dialect: Dialect, fragment: String) {
        do {
            _ = try CertificateIdentifier(id, dialect: dialect)
            Issue.record("accepted \(id)")
        } catch {
            #expect(error.code == .invalidIdentifier)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func lengthCountsUnicodeScalars() {
        // 80 two-byte characters are 80 characters, not 160.
        #expect(CertificateIdentifier.isValid(String(repeating: "é", count: 80), dialect: .arm))
        #expect(!CertificateIdentifier.isValid(String(repeating: "é", count: 81), dialect: .arm))
    }

    @Test(arguments: [
        ("api.contoso.com", Dialect.arm, "api.contoso.com"),
        ("a/b\\c", .arm, "a-b\\c"),
        ("50% off", .legacy, "50- off"),
        ("what? *now* #1 a&b+c:d<e>f", .arm, "what- -now- -1 a-b-c-d-e-f"),
        ("what? *now*", .legacy, "what? *now*"),
        ("  padded\t", .arm, "padded-"),
        ("   ", .arm, "certificate"),
        ("", .legacy, "certificate"),
        (".", .arm, "certificate"),
        ("..", .legacy, "certificate"),
        ("line\nbreak", .arm, "line-break"),
        ("\u{0}\u{1}", .arm, "--"),
    ])
    func sanitises(text: String, dialect: Dialect, expected: String) {
        let id = CertificateIdentifier.sanitized(text, dialect: dialect)
        #expect(id.rawValue == expected)
        #expect(CertificateIdentifier.isValid(id.rawValue, dialect: dialect))
    }

    @Test func sanitisingTruncatesWithoutSplittingCharacters() {
        let long = String(repeating: "a", count: 79) + "e\u{301}" + "tail"  // é as e + combining accent
        let id = CertificateIdentifier.sanitized(long, dialect: .arm)
        #expect(id.rawValue == String(repeating: "a", count: 79))
        #expect(
            CertificateIdentifier.sanitized(String(repeating: "b", count: 300), dialect: .legacy).rawValue.count == 256)
        let spaced = String(repeating: "c", count: 79) + " d"
        #expect(CertificateIdentifier.sanitized(spaced, dialect: .arm).rawValue == String(repeating: "c", count: 79))
    }

    @Test(arguments: ["x/../y", "%%%", "  a?b  ", String(repeating: "ü/", count: 200), "\u{1F600}*", "."])
    func sanitisingIsIdempotentAndAlwaysValid(text: String) {
        for dialect in Dialect.allCases {
            let once = CertificateIdentifier.sanitized(text, dialect: dialect)
            #expect(CertificateIdentifier.isValid(once.rawValue, dialect: dialect))
            #expect(CertificateIdentifier.sanitized(once.rawValue, dialect: dialect) == once)
        }
    }

    @Test func ordersByScalars() throws {
        let a = try CertificateIdentifier("a", dialect: .arm)
        let b = try CertificateIdentifier("b", dialect: .arm)
        #expect(a < b)
        #expect(a.description == "a")
    }
}
