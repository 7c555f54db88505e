import Foundation
import PKCS12Kit

/// The JSON shape of one item, with exactly the names the README documents (and explicit `null`s).
struct ItemJSON: Encodable {
    let report: ItemReport

    private enum Keys: String, CodingKey {
        case source, verdict, problems, id, certificate, pkcs12, archive, path
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.source, forKey: .source)
        try container.encode(report.verdict, forKey: .verdict)
        try container.encode(report.problems, forKey: .problems)
        try container.encode(report.id, forKey: .id)
        try container.encode(
            report.certificate.map { CertificateJSON(facts: $0, chain: report.chain) }, forKey: .certificate)
        try container.encode(report.pkcs12.map(PKCS12JSON.init), forKey: .pkcs12)
        if let archive = report.archive {
            try container.encode(archive, forKey: .archive)
        }
        if let path = report.path {
            try container.encode(PathJSON(path: path), forKey: .path)
        }
    }
}

/// The leaf's path: `{elements: [{subject, issuer, notBefore, notAfter, thumbprint, origin, selfSigned}], end,
/// trustChecked, missingIssuer, unrelated: [{subject, thumbprint}]}`.
struct PathJSON: Encodable {
    let path: CertificatePath

    private enum Keys: String, CodingKey {
        case elements, end, trustChecked, missingIssuer, unrelated
    }

    private enum ElementKeys: String, CodingKey {
        case subject, issuer, notBefore, notAfter, thumbprint, origin, selfSigned
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        var elements = container.nestedUnkeyedContainer(forKey: .elements)
        for element in path.elements {
            var object = elements.nestedContainer(keyedBy: ElementKeys.self)
            try object.encode(element.subject, forKey: .subject)
            try object.encode(element.issuer, forKey: .issuer)
            try object.encode(element.notBefore.map(ISO8601.string), forKey: .notBefore)
            try object.encode(element.notAfter.map(ISO8601.string), forKey: .notAfter)
            try object.encode(element.thumbprint, forKey: .thumbprint)
            try object.encode(element.origin, forKey: .origin)
            try object.encode(element.selfSigned, forKey: .selfSigned)
        }
        try container.encode(path.end, forKey: .end)
        try container.encode(path.trustChecked, forKey: .trustChecked)
        try container.encode(path.missingIssuer, forKey: .missingIssuer)
        try container.encode(path.unrelated, forKey: .unrelated)
    }
}

struct CertificateJSON: Encodable {
    let facts: CertificateFacts
    let chain: [ChainCertificate]

    private enum Keys: String, CodingKey {
        case thumbprint, sha256, subject, issuer, serialNumber, notBefore, expirationDate, selfSigned, keyAlgorithm
        case keyBits, curve, signatureAlgorithm, chain
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(facts.thumbprint, forKey: .thumbprint)
        try container.encode(facts.sha256, forKey: .sha256)
        try container.encode(facts.subject, forKey: .subject)
        try container.encode(facts.issuer, forKey: .issuer)
        try container.encode(facts.serialNumber, forKey: .serialNumber)
        try container.encode(ISO8601.string(facts.notBefore), forKey: .notBefore)
        try container.encode(ISO8601.string(facts.expirationDate), forKey: .expirationDate)
        try container.encode(facts.selfSigned, forKey: .selfSigned)
        try container.encode(facts.keyAlgorithm, forKey: .keyAlgorithm)
        try container.encode(facts.keyBits, forKey: .keyBits)
        try container.encode(facts.curve, forKey: .curve)
        try container.encode(facts.signatureAlgorithm, forKey: .signatureAlgorithm)
        try container.encode(chain, forKey: .chain)
    }
}

struct PKCS12JSON: Encodable {
    let facts: PKCS12Facts

    private enum Keys: String, CodingKey {
        case macAlgorithm, macIterations, certEncryption, keyEncryption, legacyEncryption, hasPrivateKey
        case keyMatchesCertificate, privateKeys, certificates, passwordCandidate
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(facts.macAlgorithm, forKey: .macAlgorithm)
        try container.encode(facts.macIterations, forKey: .macIterations)
        try container.encode(facts.certEncryption, forKey: .certEncryption)
        try container.encode(facts.keyEncryption, forKey: .keyEncryption)
        try container.encode(facts.legacyEncryption, forKey: .legacyEncryption)
        try container.encode(facts.hasPrivateKey, forKey: .hasPrivateKey)
        try container.encode(facts.keyMatchesCertificate, forKey: .keyMatchesCertificate)
        try container.encode(facts.privateKeys, forKey: .privateKeys)
        try container.encode(facts.certificates, forKey: .certificates)
        try container.encode(facts.passwordCandidate, forKey: .passwordCandidate)
    }
}

struct SummaryJSON: Encodable {
    let summary: ValidationSummary

    private enum Keys: String, CodingKey {
        case total, verdicts, problems
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(summary.total, forKey: .total)
        let verdicts = Dictionary(
            uniqueKeysWithValues: Verdict.allCases.map { ($0.rawValue, summary.verdicts[$0] ?? 0) })
        try container.encode(verdicts, forKey: .verdicts)
        let problems = Dictionary(uniqueKeysWithValues: summary.problems.map { ($0.key.rawValue, $0.value) })
        try container.encode(problems, forKey: .problems)
    }
}

package enum JSONText {
    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    package static func line(_ value: some Encodable) -> String {
        guard let data = try? encoder(pretty: false).encode(value) else { return "{}" }
        return escapingC1(String(decoding: data, as: UTF8.self))
    }

    /// The encoder escapes C0 controls but passes DEL, C1 controls and the bidirectional overrides through, which
    /// a terminal showing the JSON would obey: they become `\u` escapes, the same JSON value.
    static func escapingC1(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: DisplayText.needsEscape) else { return json }
        var result = ""
        for scalar in json.unicodeScalars {
            if DisplayText.needsEscape(scalar) {
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
