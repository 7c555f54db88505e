import Foundation

/// The hand-built PKCS#12 structures of `scripts/make-crafted-pkcs12.py`: BER as NSS and BouncyCastle write it,
/// PKCS#8 v2 keys, the layouts of other writers, and files on either side of every per-file cap.
public enum CraftedFixtures {
    public struct Row: Sendable, CustomStringConvertible {
        // The generator's columns; `note` is its description column.
        public let file: String
        public let password: String
        public let expect: String
        public let note: String
        public var description: String { file }
    }

    public static let directory: URL = {
        let folder = Fixtures.temporaryFolder("crafted")
        let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/make-crafted-pkcs12.py").path
        let result = Fixtures.output(["/usr/bin/env", "python3", script, "--no-verify", folder.path])
        precondition(
            result.status == 0,
            "scripts/make-crafted-pkcs12.py failed: \(String(decoding: result.stderr, as: UTF8.self))")
        return folder
    }()

    public static let rows: [Row] = {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("crafted.tsv"), encoding: .utf8)
        else { return [] }
        var lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        guard let header = lines.first?.map(String.init) else { return [] }
        lines.removeFirst()
        func column(_ name: String, _ fields: [Substring]) -> String {
            guard let index = header.firstIndex(of: name), index < fields.count else { return "" }
            return String(fields[index])
        }
        return lines.map {
            Row(
                file: column("file", $0), password: column("password", $0), expect: column("expect", $0),
                note: column("description", $0))
        }
    }()

    public static func bytes(_ file: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))) ?? []
    }

    public static var pkcs12Rows: [Row] { rows.filter { $0.file.hasSuffix(".pfx") || $0.file.hasSuffix(".der") } }
    public static var pemRows: [Row] { rows.filter { $0.file.hasSuffix(".pem") } }

    /// The password the generator lists for `file`.
    public static func password(_ file: String) -> String { rows.first { $0.file == file }?.password ?? "" }
}
