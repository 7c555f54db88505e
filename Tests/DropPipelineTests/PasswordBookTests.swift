import CertDropTestSupport
import Foundation
import PKCS12Kit
import Testing

@testable import DropPipeline

@Suite struct PasswordBookTests {
    private func texts(_ secrets: [SecretBytes]) -> [String] {
        secrets.map { secret in secret.withBytes { String(decoding: $0, as: UTF8.self) } }
    }

    private func book(_ json: String, global: [String] = []) throws -> PasswordBook {
        PasswordBook(
            entries: try PasswordBook.parseMap(Data(json.utf8)), global: global.map { SecretBytes(utf8: $0) })
    }

    @Test func candidatesComeMostSpecificFirst() throws {
        let book = try book(
            #"{"*": ["f1", "f2"], "drop.zip!a/*.pfx": "glob", "drop.zip!a/x.pfx": "exact", "x.pfx": "last", "*.pfx": "short"}"#,
            global: ["global"])
        #expect(
            texts(book.candidates(for: ["in/drop.zip!a/x.pfx", "drop.zip!a/x.pfx"]))
                == ["exact", "last", "glob", "short", "global", "f1", "f2"])
    }

    @Test func repeatsAreDropped() throws {
        let book = try book(#"{"a.pfx": "same", "*": ["same", "other"]}"#)
        #expect(texts(book.candidates(for: ["a.pfx"])) == ["same", "other"])
    }

    @Test func sidecarComesFirst() throws {
        let folder = Fixtures.temporaryFolder("sidecar")
        let file = folder.appendingPathComponent("x.pfx").path
        try Data("side\r\nignored".utf8).write(to: URL(fileURLWithPath: file + ".pwd"))
        let book = try book(#"{"x.pfx": "mapped"}"#)
        #expect(texts(book.candidates(for: ["x.pfx"], sidecarPath: file)) == ["side", "mapped"])
        var off = book
        off.useSidecars = false
        #expect(texts(off.candidates(for: ["x.pfx"], sidecarPath: file)) == ["mapped"])
    }

    @Test(arguments: [
        "not json", "[\"a\"]", #"{"a": 1}"#, #"{"a": ["x", 2]}"#, #"{"a": {"b": "c"}}"#,
    ])
    func badMapsAreRefused(json: String) {
        let error = #expect(throws: PipelineError.self) { try PasswordBook.parseMap(Data(json.utf8)) }
        #expect(error?.code == .passwordMap)
    }

    @Test func sourcesReadFileStdinAndEnvironment() throws {
        let folder = Fixtures.temporaryFolder("sources")
        let file = folder.appendingPathComponent("pw").path
        try Data("from-file\nsecond line".utf8).write(to: URL(fileURLWithPath: file))
        let sources = PasswordSources(passwordFile: file, readStandardInput: true)
        let book = try sources.load(
            environment: [PasswordSources.environmentVariable: "from-env"], standardInput: { Data("from-stdin\n".utf8) }
        )
        #expect(texts(book.candidates(for: ["a.pfx"])) == ["from-file", "from-stdin", "from-env"])
    }

    @Test func missingSourcesAreErrors() {
        #expect(throws: PipelineError.self) {
            try PasswordSources(passwordFile: "/nonexistent/pw").load(environment: [:], standardInput: { nil })
        }
        #expect(throws: PipelineError.self) {
            try PasswordSources(mapFile: "/nonexistent/map.json").load(environment: [:], standardInput: { nil })
        }
        #expect(throws: PipelineError.self) {
            try PasswordSources(readStandardInput: true).load(environment: [:], standardInput: { nil })
        }
    }
}
