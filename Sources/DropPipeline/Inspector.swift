import Foundation
import PKCS12Kit

/// The inspect and check stages for one item: recognise the content, open it with the candidate passwords,
/// read its facts and apply the policy. Order-independent, so it runs on any core.
public struct Inspector: Sendable {
    /// The policy in force.
    public let policy: ValidationPolicy
    /// Where passwords come from.
    public let passwords: PasswordBook

    /// Makes an inspector.
    public init(policy: ValidationPolicy, passwords: PasswordBook) {
        self.policy = policy
        self.passwords = passwords
    }

    /// An item's report, and the opened bundle when the item is an uploadable PKCS#12.
    public func inspect(_ item: DropItem) -> (report: ItemReport, bundle: PKCS12Bundle?) {
        let bytes: [UInt8]
        switch item.content {
        case .failure(let problem):
            return (ItemReport(source: item.source, problems: [problem], archive: item.archive), nil)
        case .success(let content):
            bytes = content
        }

        let kind = ContentKind(sniffing: bytes)
        let named = ContentKind.pkcs12Extensions.contains(Self.fileExtension(of: item.source))
        switch kind {
        case .pkcs12:
            return openPKCS12(item, bytes: bytes)
        case _ where named:
            // A .pfx that is not PKCS#12 is somebody's mistake, not noise.
            let problem = Problem(.notPKCS12, Self.notPKCS12Message(kind))
            return (report(item, problems: [problem], certificate: nil, kind: kind), nil)
        case .pem, .derCertificate:
            return (loneCertificate(item, bytes: bytes, kind: kind), nil)
        case .other:
            var problems: [Problem] = []
            if policy.strict {
                problems.append(Problem(.unrecognised, "not a certificate, key or archive (--strict)"))
            }
            return (
                ItemReport(source: item.source, problems: problems, archive: item.archive, kind: kind, ignored: true),
                nil
            )
        }
    }

    private func openPKCS12(_ item: DropItem, bytes: [UInt8]) -> (report: ItemReport, bundle: PKCS12Bundle?) {
        let candidates = passwords.candidates(
            for: [item.source, item.relativeName], sidecarPath: item.filePath)
        let bundle: PKCS12Bundle
        do {
            bundle = try PKCS12Bundle.open(bytes, passwords: candidates, options: policy.pkcs12)
        } catch {
            let problem = Problem(Self.code(of: error.code), error.message)
            return (report(item, problems: [problem], certificate: nil, kind: .pkcs12), nil)
        }
        var result = report(item, problems: policy.problems(of: bundle), certificate: bundle.certificate, kind: .pkcs12)
        result.chain = bundle.chain
        result.pkcs12 = bundle.pkcs12
        return (result, bundle)
    }

    private func loneCertificate(_ item: DropItem, bytes: [UInt8], kind: ContentKind) -> ItemReport {
        guard let certificate = CertificateFile.facts(of: bytes) else {
            // PEM that holds no certificate (a lone key, say) is not uploadable on its own.
            return ItemReport(source: item.source, problems: [], archive: item.archive, kind: kind, ignored: true)
        }
        var problems = [Problem(.noPrivateKey, "a certificate without its private key cannot be uploaded")]
        problems += policy.problems(of: certificate)
        return report(item, problems: problems, certificate: certificate, kind: kind)
    }

    private func report(_ item: DropItem, problems: [Problem], certificate: CertificateFacts?, kind: ContentKind)
        -> ItemReport
    {
        var problems = problems
        var id: String?
        if !policy.idTemplate.needsCertificate || certificate != nil {
            id = policy.idTemplate.render(source: item.source, certificate: certificate)
        }
        if let rendered = id, let reason = IDRule.violation(rendered) {
            problems.append(Problem(.invalidID, "the id \"\(rendered)\" is not valid: \(reason)"))
        }
        return ItemReport(
            source: item.source, problems: problems, id: id, certificate: certificate, archive: item.archive,
            kind: kind)
    }

    static func code(of code: PKCS12Error.Code) -> ProblemCode {
        switch code {
        case .wrongPassword: .wrongPassword
        case .notPKCS12: .notPKCS12
        case .corrupt: .corrupt
        case .unsupportedAlgorithm: .unsupportedAlgorithm
        case .iterationLimit: .iterationLimit
        case .exportFailed: .corrupt
        }
    }

    private static func notPKCS12Message(_ kind: ContentKind) -> String {
        switch kind {
        case .pem: "not a PKCS#12 file: it holds PEM text"
        case .derCertificate: "not a PKCS#12 file: it holds a lone DER certificate"
        default: "not a PKCS#12 file"
        }
    }

    static func fileExtension(of source: String) -> String {
        let last = PasswordBook.lastComponent(of: source)
        guard let dot = last.lastIndex(of: ".") else { return "" }
        return last[last.index(after: dot)...].lowercased()
    }
}
