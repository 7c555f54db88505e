import CertDropTestSupport
import Foundation
import PKCS12Kit
import Testing

/// The writers `scripts/make-interop-fixtures.sh` knows, in its order.
private let interopWriters = ["openssl", "gnutls", "nss", "keytool", "bouncycastle", "go", "python"]

/// The interoperability set `scripts/make-interop-fixtures.sh` writes (PKCS#12 files from every writer this
/// machine has, with the facts the `openssl` CLI reads from each), made once per test process.
enum InteropSet {
    /// One line of `interop.tsv`, by column name.
    struct Row: Sendable {
        var fields: [String: String]
        subscript(_ column: String) -> String { fields[column] ?? "" }
        var file: String { self["file"] }
    }

    struct Output: Sendable {
        var directory: URL
        var status: Int32
        var log: String
        var columns: [String]
        var rows: [Row]
        /// Writer -> why it is not installed.
        var skipped: [String: String]
        /// Writer -> why it failed although installed.
        var failed: [String: String]
        var passwords: [String: String]
    }

    static let output: Output = {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("certdrop-interop-\(ProcessInfo.processInfo.processIdentifier)")
        let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/make-interop-fixtures.sh").path
        let run = Fixtures.output(["/bin/bash", script, folder.path])
        let log = String(decoding: run.stderr, as: UTF8.self)
        let table = lines(folder.appendingPathComponent("interop.tsv"))
        let columns = table.first ?? []
        let rows = table.dropFirst().map { values in
            Row(fields: Dictionary(zip(columns, values), uniquingKeysWith: { first, _ in first }))
        }
        let passwords: [String: String] = {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent("passwords.json")),
                let map = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return [:] }
            return map.compactMapValues { $0 as? String }
        }()
        return Output(
            directory: folder, status: run.status, log: log, columns: columns, rows: rows,
            skipped: reasons(folder.appendingPathComponent("skipped.tsv")),
            failed: reasons(folder.appendingPathComponent("failed.tsv")), passwords: passwords)
    }()

    /// The tab-separated fields of each line of a file (none when it is missing).
    private static func lines(_ url: URL) -> [[String]] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// A `writer <TAB> why` file as a map.
    private static func reasons(_ url: URL) -> [String: String] {
        var map: [String: String] = [:]
        for fields in lines(url) where fields.count >= 2 { map[fields[0]] = fields[1] }
        return map
    }
}

@Suite struct InteropFixtureTests {
    /// The generator ran, and accounts for every writer exactly once: files, skipped, or failed.
    @Test func generatorAccountsForEveryWriter() throws {
        let set = InteropSet.output
        // 0: all installed writers wrote their files; 3: some failed (the per-writer test says which).
        #expect(set.status == 0 || set.status == 3, "make-interop-fixtures.sh exit \(set.status):\n\(set.log)")
        try #require(!set.columns.isEmpty, "no interop.tsv:\n\(set.log)")
        for column in [
            "file", "writer", "version", "expect", "encoding", "mac_algorithm", "mac_iterations", "certificates",
            "has_key", "thumbprint", "subject", "not_after", "key_algorithm", "key_bits", "curve",
        ] {
            #expect(set.columns.contains(column), "interop.tsv has no column \(column)")
        }
        let written = Set(set.rows.map { $0["writer"] })
        #expect(written.isSubset(of: interopWriters), "writers this test does not know: \(written)")
        #expect(Set(set.skipped.keys).isSubset(of: interopWriters))
        #expect(Set(set.failed.keys).isSubset(of: interopWriters))
        for writer in interopWriters {
            let accounts = [written.contains(writer), set.skipped[writer] != nil, set.failed[writer] != nil]
            #expect(accounts.filter { $0 }.count == 1, "\(writer): files \(accounts[0]), skipped, failed")
        }
        // Every file is listed once, with its password, and every listed file exists.
        let files = try FileManager.default.contentsOfDirectory(atPath: set.directory.path)
            .filter { $0.hasSuffix(".p12") }
        #expect(Set(files) == Set(set.rows.map(\.file)))
        #expect(set.rows.count == Set(set.rows.map(\.file)).count)
        for row in set.rows { #expect(set.passwords[row.file] != nil, "\(row.file) has no password") }
    }

    /// Every file a writer made opens with the facts the `openssl` CLI reads from it, or fails with the code
    /// the index expects for a file OpenSSL 3.0 itself cannot read. A writer that is not installed is skipped.
    @Test(arguments: interopWriters)
    func writerFilesOpenWithOpenSSLsFacts(writer: String) throws {
        let set = InteropSet.output
        if let why = set.skipped[writer] {
            print("skipped: \(writer): \(why)")
            try Test.cancel("skipped: \(writer) is not installed: \(why)")
        }
        if let why = set.failed[writer] {
            Issue.record("\(writer) is installed but failed to write its files: \(why)")
            return
        }
        let rows = set.rows.filter { $0["writer"] == writer }
        #expect(!rows.isEmpty, "\(writer) wrote no files:\n\(set.log)")
        for row in rows { try check(row, in: set) }
    }

    private func check(_ row: InteropSet.Row, in set: InteropSet.Output) throws {
        let name = row.file
        let bytes = [UInt8](try Data(contentsOf: set.directory.appendingPathComponent(name)))
        let password = try #require(set.passwords[name], "\(name) has no password")
        let expected = row["expect"]
        let bundle: PKCS12Bundle
        do {
            bundle = try PKCS12Bundle.open(
                bytes, passwords: [SecretBytes(utf8: password)], options: PKCS12Options(maxIterations: 1_000_000))
        } catch {
            #expect(
                error.code.rawValue == expected,
                "\(name) (\(row["writer"]), \(row["encoding"])): \(error.code.rawValue): \(error.message)")
            return
        }
        guard expected == "ok" else {
            Issue.record("\(name) opened, but OpenSSL cannot read it and \(expected) was expected")
            return
        }
        let certificate = try #require(bundle.certificate, "\(name): no leaf certificate")
        #expect(certificate.thumbprint == row["thumbprint"], "\(name): thumbprint")
        #expect(certificate.subject == row["subject"], "\(name): subject")
        let notAfter = try Date(row["not_after"], strategy: .iso8601)
        #expect(
            Int(certificate.expirationDate.timeIntervalSince1970) == Int(notAfter.timeIntervalSince1970),
            "\(name): notAfter")
        #expect(certificate.keyAlgorithm == row["key_algorithm"], "\(name): key algorithm")
        #expect(String(certificate.keyBits) == row["key_bits"], "\(name): key bits")
        #expect((certificate.curve ?? "-") == row["curve"], "\(name): curve")

        let facts = bundle.pkcs12
        #expect(String(facts.certificates) == row["certificates"], "\(name): certificate count")
        #expect(facts.hasPrivateKey == (row["has_key"] == "1"), "\(name): private key")
        if facts.hasPrivateKey { #expect(facts.keyMatchesCertificate == true, "\(name): key matches leaf") }
        #expect((facts.macAlgorithm ?? "-") == row["mac_algorithm"], "\(name): MAC algorithm")
        #expect(facts.macIterations.map(String.init) ?? "-" == row["mac_iterations"], "\(name): MAC iterations")
    }
}
