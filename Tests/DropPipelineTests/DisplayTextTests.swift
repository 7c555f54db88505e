import Testing

@testable import DropPipeline

@Suite struct DisplayTextTests {
    @Test(arguments: [
        ("plain.pfx", "plain.pfx"),
        ("\u{1F}", "\\x1f"), ("\u{20}", " "), ("\u{7E}", "~"), ("\u{7F}", "\\x7f"),
        ("\u{80}", "\\u{80}"), ("\u{9F}", "\\u{9f}"), ("\u{A0}", "\u{A0}"),
        ("a\u{1B}[2Jb", "a\\x1b[2Jb"), ("\u{0}", "\\x00"), ("\n\r\t", "\\x0a\\x0d\\x09"),
        ("\u{202E}cod.exe", "\\u{202e}cod.exe"), ("\u{2069}", "\\u{2069}"), ("\u{2029}", "\u{2029}"),
        ("Zürich ✓", "Zürich ✓"),
    ])
    func controlsAreEscapedAndNothingElse(text: String, shown: String) {
        #expect(DisplayText.escaped(text) == shown)
    }

    @Test func jsonLinesEscapeWhatTheEncoderPassesThrough() {
        let line = JSONText.line(["name": "a\u{9B}b\u{7F}\u{1B}"])
        #expect(line == #"{"name":"a\u009bb\u007f\u001b"}"#)
    }
}
