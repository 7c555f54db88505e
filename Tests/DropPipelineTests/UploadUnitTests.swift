import CertDropTestSupport
import CertificateAPI
import Foundation
import PKCS12Kit
import Testing

@testable import DropPipeline

@Suite struct UploadBodyTests {
    private func material(_ name: String, password: String) throws -> UploadMaterial {
        let bytes = Fixtures.bytes(name)
        return UploadMaterial(
            pkcs12: bytes, bundle: try PKCS12Bundle.open(bytes, passwords: [SecretBytes(utf8: password)]))
    }

    private func body(_ upload: UploadMaterial, _ dialect: Dialect, reencrypt: PKCS12Encryption? = nil) throws
        -> [UInt8]
    {
        try Uploader.requestBody(upload, dialect: dialect, reencrypt: reencrypt)
    }

    @Test func legacyBodyIsTheContractsShape() throws {
        let upload = try material("non-ascii-password.pfx", password: "pässwörd-Zürich")
        let body = try body(upload, .legacy)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: String])
        #expect(Set(object.keys) == ["data", "password"])
        #expect(object["password"] == "pässwörd-Zürich")
        #expect(Data(base64Encoded: object["data"] ?? "") == Data(upload.pkcs12))
    }

    @Test func armBodyNestsProperties() throws {
        let upload = try material("ec-p256.pfx", password: "ec-pw")
        let body = try body(upload, .arm)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let properties = try #require(object["properties"] as? [String: String])
        #expect(properties["password"] == "ec-pw")
        // The contract's own decoder reads it.
        let decoded = try CertificateUpload.decode(Data(body), dialect: .arm, queryPassword: nil)
        if case .pkcs12(let data, _) = decoded {
            #expect(data == Data(upload.pkcs12))
        } else {
            Issue.record("not a PKCS#12 upload")
        }
    }

    @Test func passwordsWithQuotesAreEscaped() throws {
        let tricky = "a\"b\\c\u{1}</d>"
        let original = try material("ec-p256.pfx", password: "ec-pw")
        let bytes = try PKCS12Writer.export(original.bundle, password: SecretBytes(utf8: tricky), encryption: .aes256)
        let upload = UploadMaterial(
            pkcs12: bytes, bundle: try PKCS12Bundle.open(bytes, passwords: [SecretBytes(utf8: tricky)]))
        let body = try body(upload, .legacy)
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: String]
        #expect(object?["password"] == tricky)
    }

    @Test func reencryptedBodyOpensWithTheSamePassword() throws {
        let upload = try material("rsa-legacy.pfx", password: "legacy-pw")
        let body = try body(upload, .legacy, reencrypt: .aes256)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: String])
        let bytes = try #require(Data(base64Encoded: object["data"] ?? ""))
        let reopened = try PKCS12Bundle.open([UInt8](bytes), passwords: [SecretBytes(utf8: "legacy-pw")])
        #expect(!reopened.pkcs12.legacyEncryption)
        #expect(reopened.certificate?.thumbprint == upload.bundle.certificate?.thumbprint)
    }
}

@Suite struct ManifestTests {
    @Test func laterLinesWinAndBrokenLinesArePassedOver() throws {
        let folder = Fixtures.temporaryFolder("manifest")
        let path = folder.appendingPathComponent("m.jsonl").path
        let writer = try ManifestWriter(path: path)
        func entry(_ source: String, _ action: ImportAction) -> ManifestEntry {
            ManifestEntry(source: source, id: nil, thumbprint: nil, subject: nil, expirationDate: nil, action: action)
        }
        writer.write(entry("a", .failed))
        writer.write(entry("b", .created))
        writer.write(entry("a", .created))
        writer.write(entry("c", .invalid))
        writer.write(entry("d", .unchanged))
        writer.write(entry("d", .failed))
        // A crash mid-line leaves half a line behind.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"source\":\"e\",\"act".utf8))
        try handle.close()
        #expect(try ManifestWriter.settledSources(path: path) == ["a", "b"])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func csvManifestHasAHeaderOnce() throws {
        let folder = Fixtures.temporaryFolder("manifest")
        let path = folder.appendingPathComponent("m.csv").path
        let entry = ManifestEntry(
            source: "x,y.pfx", id: "x", thumbprint: "AB", subject: "CN=x", expirationDate: nil, action: .created,
            status: 201, attempts: 1)
        try ManifestWriter(path: path, format: .csv).write(entry)
        try ManifestWriter(path: path, format: .csv).write(entry)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("\"x,y.pfx\",x,AB,CN=x,,created,201"))
    }

    @Test func summaryExitStatus() {
        var summary = ImportSummary()
        summary.actions = [.created: 3, .unchanged: 1, .skipped: 2]
        #expect(summary.exitStatus == 0)
        summary.actions[.conflict] = 1
        #expect(summary.exitStatus == 1)
        #expect(summary.text.hasPrefix("7 items: 3 created, 1 unchanged, 1 conflict, 2 skipped"))
    }

    @Test func progressLine() {
        let counters = ImportCounters()
        counters.done.store(10, ordering: .relaxed)
        counters.inFlight.store(3, ordering: .relaxed)
        counters.expected.store(20, ordering: .relaxed)
        let clock = TestClock()
        let progress = ImportProgress(style: .quiet, counters: counters, retries: { 4 }, clock: clock.read)
        clock.advance(5)
        // 10 done in 5 s: 2/s; 10 left at that rate: 5 s.
        #expect(progress.line() == "10 done · 2.0/s · 3 in flight · 4 retries · ETA 0:05")
        clock.advance(75)
        // 80 s: 0.125/s; 10 left take 80 s.
        #expect(progress.line() == "10 done · 0.1/s · 3 in flight · 4 retries · ETA 1:20")
        counters.failed.store(2, ordering: .relaxed)
        #expect(progress.line().contains(" · 2 not imported · "))
    }

    /// The ETA is shown only while something is left: one left, none left, more done than expected.
    @Test(arguments: [(19, true), (20, false), (21, false)])
    func theETAIsShownWhileSomethingIsLeft(_ done: Int, _ shown: Bool) {
        let counters = ImportCounters()
        counters.done.store(done, ordering: .relaxed)
        counters.expected.store(20, ordering: .relaxed)
        let clock = TestClock()
        let progress = ImportProgress(style: .quiet, counters: counters, retries: { 0 }, clock: clock.read)
        clock.advance(10)
        #expect(progress.line().contains("ETA") == shown)
    }

    @Test func nothingDoneYetHasNoETA() {
        let counters = ImportCounters()
        counters.expected.store(20, ordering: .relaxed)
        let clock = TestClock()
        let progress = ImportProgress(style: .quiet, counters: counters, retries: { 0 }, clock: clock.read)
        clock.advance(10)
        #expect(progress.line() == "0 done · 0.0/s · 0 in flight · 0 retries")
    }
}
