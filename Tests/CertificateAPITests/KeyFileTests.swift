import Foundation
import Testing

@testable import CertificateAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The key file is parsed in one place: the JSON form the service writes, or a bare key on the first line.
@Suite struct KeyFileTests {
    static let expiry = Date(timeIntervalSince1970: 1_800_000_000)

    /// The signature `key` makes, to compare keys without comparing secrets directly.
    static func signature(_ key: SigningKey) -> String {
        SharedAccessSignature.mint(uid: "u", key: key, expiry: expiry).authorizationHeaderValue
    }

    static func parse(_ text: String) throws(SecretFileError) -> KeyFile {
        try KeyFile.parse(Array(text.utf8), path: "/k")
    }

    static func code(_ text: String) -> SecretFileError.Code? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            #expect(error.message.contains("/k"))
            return error.code
        }
    }

    @Test func theServiceFormNamesItsIdentifierAndBothKeys() throws {
        let file = try Self.parse(#"{"identifier": "integration", "primaryKey": "pk-1", "secondaryKey": "sk-2"}"#)
        #expect(file.form == .service)
        #expect(file.identifier == "integration")
        #expect(Self.signature(file.primaryKey) == Self.signature(SigningKey("pk-1")))
        #expect(file.secondaryKey.map(Self.signature) == Self.signature(SigningKey("sk-2")))
        #expect(!"\(file)".contains("pk-1"))
        #expect(!"\(file)".contains("sk-2"))
    }

    @Test func theSecondaryKeyAndTheIdentifierMayBeAbsentAndOldSpellingsAreRead() throws {
        let bare = try Self.parse(#"{"primaryKey": "pk"}"#)
        #expect(bare.identifier == nil)
        #expect(bare.secondaryKey == nil)
        let null = try Self.parse(#"{"identifier": "a", "primaryKey": "pk", "secondaryKey": null}"#)
        #expect(null.secondaryKey == nil)
        let empty = try Self.parse(#"{"identifier": "", "primaryKey": "pk"}"#)
        #expect(empty.identifier == nil)
        let old = try Self.parse(#"{"id": "old", "primary": "pk", "other": 5}"#)
        #expect(old.identifier == "old")
        #expect(Self.signature(old.primaryKey) == Self.signature(SigningKey("pk")))
    }

    @Test(arguments: [
        "{", "{}", #"{"identifier": "a"}"#, #"{"identifier": "a", "primaryKey": ""}"#,
        #"{"identifier": "a", "primaryKey": 5}"#, #"{"identifier": 5, "primaryKey": "pk"}"#,
        #"{"identifier": "a", "primaryKey": "pk", "secondaryKey": 7}"#, #"  {"primaryKey": "pk""#,
    ])
    func aJSONFormThatIsNotAKeyFileIsMalformed(_ text: String) {
        #expect(Self.code(text) == .malformed)
    }

    @Test func theMessageNeverQuotesTheContents() {
        do {
            _ = try Self.parse(#"{"identifier": "a", "primaryKey": 5, "secret": "s3cr3t"}"#)
            Issue.record("accepted")
        } catch {
            #expect(!error.message.contains("s3cr3t"))
            #expect(error.message == #"the key file /k is not {"identifier": …, "primaryKey": …, "secondaryKey": …}"#)
        }
    }

    @Test(arguments: ["", "\n", "\n\n\r\n", "\r"])
    func aFileWithNoLineIsEmpty(_ text: String) {
        #expect(Self.code(text) == .empty)
    }

    /// One line, a line with its newline, extra lines (only the first counts), leading empty lines, white space
    /// (kept: a key is secret text), CRLF.
    @Test(arguments: [
        ("k3y", "k3y"), ("k3y\n", "k3y"), ("k3y\nsecond\nthird", "k3y"), ("\n\nk3y\n", "k3y"), (" k3y \n", " k3y "),
        ("k3y\r\n", "k3y"), ("\tk3y", "\tk3y"),
    ])
    func aBareKeyIsItsFirstNonEmptyLine(_ text: String, _ key: String) throws {
        let file = try Self.parse(text)
        #expect(file.form == .bareKey)
        #expect(file.identifier == nil)
        #expect(file.secondaryKey == nil)
        #expect(Self.signature(file.primaryKey) == Self.signature(SigningKey(key)))
    }

    @Test func leadingWhiteSpaceBeforeTheBraceIsStillTheJSONForm() throws {
        #expect(try Self.parse(" \n\t{\"primaryKey\": \"pk\"}\n").form == .service)
    }

    @Test func whatTheServiceWritesReadsBack() throws {
        let bytes = KeyFile.serviceFileBytes(identifier: "integration", primaryKey: "pk", secondaryKey: "sk")
        #expect(bytes.last == 0x0A)
        let file = try KeyFile.parse(bytes, path: "/k")
        #expect(file.form == .service)
        #expect(file.identifier == "integration")
        #expect(file.secondaryKey.map(Self.signature) == Self.signature(SigningKey("sk")))
        let one = KeyFile.serviceFileBytes(identifier: "i", primaryKey: "pk", secondaryKey: nil)
        #expect(try KeyFile.parse(one, path: "/k").secondaryKey == nil)
    }

    @Test func readingIsCappedAtItsEdgeAndChecksTheMode() throws {
        let folder = SecretFileTests.folder()
        let json = #"{"identifier": "a", "primaryKey": "pk"}"#
        let exact = folder.appendingPathComponent("exact").path
        let padded = json + String(repeating: " ", count: SecretFile.maximumSize - json.utf8.count)
        try Data(padded.utf8).write(to: URL(fileURLWithPath: exact))
        try #require(chmod(exact, 0o600) == 0)
        #expect(try KeyFile.read(path: exact).identifier == "a")
        let over = folder.appendingPathComponent("over").path
        try Data((padded + " ").utf8).write(to: URL(fileURLWithPath: over))
        try #require(chmod(over, 0o600) == 0)
        #expect(throws: SecretFileError(.tooLarge, "")) { try KeyFile.read(path: over) }
        try #require(chmod(exact, 0o640) == 0)
        #expect(throws: SecretFileError(.insecure, "")) { try KeyFile.read(path: exact) }
        #expect(try KeyFile.read(path: exact, allowInsecure: true).identifier == "a")
    }
}
