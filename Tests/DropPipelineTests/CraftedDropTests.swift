import CertDropTestSupport
import Foundation
import PKCS12Kit
import Testing

@testable import DropPipeline

/// The crafted PKCS#12 set as a drop: every file gets the code a correct reader gives it, BER files are sniffed as
/// PKCS#12 (not `not-pkcs12`), and one file's failure leaves the rest of the batch alone.
@Suite struct CraftedDropTests {
    @Test func berIsSniffedAsPKCS12() {
        #expect(ContentKind(sniffing: [0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80]) == .pkcs12)
        #expect(ContentKind(sniffing: [0x30, 0x84, 0x00, 0x00, 0x01, 0x00, 0x02, 0x01, 0x03]) == .pkcs12)
        #expect(ContentKind(sniffing: CraftedFixtures.bytes("ber-indefinite.pfx")) == .pkcs12)
        // Just outside: a BER sequence of another kind.
        #expect(ContentKind(sniffing: [0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00]) != .pkcs12)
    }

    @Test func everyCraftedFileGetsItsCode() throws {
        let drop = Fixtures.temporaryFolder("crafted-drop")
        var map: [String: String] = [:]
        let rows = CraftedFixtures.pkcs12Rows.filter { $0.file.hasSuffix(".pfx") }
        for row in rows {
            try Data(CraftedFixtures.bytes(row.file)).write(to: drop.appendingPathComponent(row.file))
            map[row.file] = row.password
        }
        let mapFile = Fixtures.temporaryFolder("crafted-map").appendingPathComponent("passwords.json")
        try JSONSerialization.data(withJSONObject: map).write(to: mapFile)
        var policy = ValidationPolicy()
        policy.now = Date()
        let book = try PasswordSources(mapFile: mapFile.path).load(environment: [:], standardInput: { nil })
        let validation = DropValidation(
            reader: DropReader(paths: [drop.path], unpacker: nil), inspector: Inspector(policy: policy, passwords: book)
        )
        var reports: [ItemReport] = []
        _ = validation.run { reports.append($0) }
        #expect(reports.count == rows.count, "every file has its line")
        for row in rows {
            let report = try #require(reports.named(row.file), "no line for \(row.file)")
            // Several crafted files carry the same certificate on purpose (one content, several encodings).
            let errors = report.problems.filter {
                $0.severity == .error && ![.duplicate, .duplicateID].contains($0.code)
            }
            .map(\.code.rawValue)
            if row.expect == "ok" {
                #expect(errors.isEmpty, "\(row.file): \(report.problems)")
            } else {
                #expect(errors == [row.expect], "\(row.file): \(report.problems)")
            }
        }
    }
}
