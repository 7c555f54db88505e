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
        if let path = report.path {
            lines.append("  path:")
            lines += pathLines(path).map { "    " + $0 }
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

    /// Each certificate of the path, leaf first, with where it came from, then where the path ends.
    static func pathLines(_ path: CertificatePath) -> [String] {
        var lines: [String] = []
        for element in path.elements {
            lines.append("- \(element.subject)")
            lines.append("  issuer: \(element.issuer)")
            let from = element.notBefore.map(ISO8601.string) ?? "-"
            let to = element.notAfter.map(ISO8601.string) ?? "-"
            lines.append("  valid: \(from) to \(to)")
            lines.append("  from: \(PathText.origin(element.origin))")
        }
        lines.append("ends: " + endText(path))
        return lines
    }

    static func endText(_ path: CertificatePath) -> String {
        switch path.end {
        case .file where path.trustChecked:
            "in the file, at a self-signed root that the trust store given does not hold"
        case .file: "in the file, at a self-signed root (no trust store given)"
        case .caFile: "in --ca-file (trusted)"
        case .system: "in the system store (trusted)"
        case .nowhere: "nowhere: the issuer \(path.missingIssuer ?? "-") is missing"
        }
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
