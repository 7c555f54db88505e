import Foundation
import PKCS12Kit

/// The readable dump of `certdrop inspect`: every fact of an item, one per line.
public enum InspectFormat {
    /// The dump of one item.
    public static func dump(_ report: ItemReport) -> String {
        var lines = ["\(report.source)", "  verdict: \(report.verdict.rawValue)"]
        if let id = report.id { lines.append("  id: \(id)") }
        if let archive = report.archive {
            lines.append("  archive: \(archive.containers.joined(separator: " › ")), \(archive.entrySize ?? 0) bytes")
        }
        if let certificate = report.certificate {
            lines.append("  certificate:")
            lines += certificateLines(certificate).map { "    " + $0 }
        }
        if !report.chain.isEmpty {
            lines.append("  other certificates:")
            for member in report.chain {
                lines.append("    - \(member.subject)")
                lines.append("      thumbprint: \(member.thumbprint)")
            }
        }
        if let pkcs12 = report.pkcs12 {
            lines.append("  pkcs12:")
            lines += pkcs12Lines(pkcs12).map { "    " + $0 }
        }
        if !report.problems.isEmpty {
            lines.append("  problems:")
            for problem in report.problems {
                lines.append("    \(problem.severity.rawValue) \(problem.code.rawValue): \(problem.message)")
            }
        }
        return lines.map(DisplayText.escaped).joined(separator: "\n") + "\n\n"
    }

    static func certificateLines(_ facts: CertificateFacts) -> [String] {
        var lines = [
            "subject: \(facts.subject)",
            "issuer: \(facts.issuer)",
            "serial: \(facts.serialNumber)",
            "not before: \(ISO8601.string(facts.notBefore))",
            "not after: \(ISO8601.string(facts.expirationDate))",
            "thumbprint (SHA-1): \(facts.thumbprint)",
            "SHA-256: \(facts.sha256)",
            "key: \(facts.keyAlgorithm) \(facts.keyBits) bits" + (facts.curve.map { " (\($0))" } ?? ""),
            "signature: \(facts.signatureAlgorithm)",
            "self-signed: \(facts.selfSigned ? "yes" : "no")",
        ]
        if facts.isCertificateAuthority { lines.append("certificate authority: yes") }
        return lines
    }

    static func pkcs12Lines(_ facts: PKCS12Facts) -> [String] {
        var lines: [String] = []
        if let mac = facts.macAlgorithm {
            lines.append("MAC: \(mac), \(facts.macIterations ?? 1) iterations")
        } else {
            lines.append("MAC: none")
        }
        lines.append("certificate encryption: \(facts.certEncryption ?? "-")")
        lines.append("key encryption: \(facts.keyEncryption ?? "-")")
        lines.append("legacy algorithms: \(facts.legacyEncryption ? "yes" : "no")")
        lines.append("private keys: \(facts.privateKeys), certificates: \(facts.certificates)")
        if let matches = facts.keyMatchesCertificate {
            lines.append("key matches certificate: \(matches ? "yes" : "no")")
        }
        if let name = facts.friendlyName { lines.append("friendly name: \(name)") }
        if let candidate = facts.passwordCandidate { lines.append("password: candidate #\(candidate + 1)") }
        if facts.unprotected { lines.append("protection: none") }
        return lines
    }
}
