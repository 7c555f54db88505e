import Foundation
import PKCS12Kit

/// An item after the inspect and check stages: its report, and what an upload would send.
public struct InspectedItem: Sendable {
    /// The report.
    public var report: ItemReport
    /// The PKCS#12 to upload and the password that opens it; `nil` when there is nothing to upload.
    public var upload: UploadMaterial?
}

/// A PKCS#12 file ready to upload: its bytes, the password that opens it, and what it holds.
public struct UploadMaterial: Sendable {
    /// The PKCS#12 bytes (the original file, or the PKCS#12 a PEM bundle was normalised into).
    public let pkcs12: [UInt8]
    /// The opened bundle; its `password` opens `pkcs12`.
    public let bundle: PKCS12Bundle
}

/// The inspect and check stages for one unit: recognise the content, open it with the candidate passwords,
/// normalise PEM bundles into PKCS#12, read the facts and apply the policy. Order-independent, so it runs on any
/// core.
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

    /// The inspected item of a unit. A certificate and key pair is normalised into one PKCS#12 and reported as
    /// the certificate; the key is reported in its own place as `ignored` with `paired`.
    public func inspect(_ unit: DropUnit) -> InspectedItem {
        switch unit {
        case .single(let item):
            return inspect(item)
        case .pemPair(let certificate, let key):
            guard case .success(let certificateBytes) = certificate.content,
                case .success(let keyBytes) = key.content
            else { return inspect(certificate) }
            let names = [certificate.source, certificate.relativeName, key.source, key.relativeName]
            return normalise(certificate, pieces: [certificateBytes, keyBytes], names: names)
        case .pairedKey(let key, let certificateSource):
            if case .failure = key.content { return inspect(key) }
            let note = Problem(.paired, "the private key of \(certificateSource)")
            return InspectedItem(
                report: ItemReport(
                    source: key.source, problems: [note], archive: key.archive, kind: .pem, ignored: true))
        }
    }

    /// One item's inspection.
    public func inspect(_ item: DropItem) -> InspectedItem {
        let bytes: [UInt8]
        switch item.content {
        case .failure(let problem):
            return InspectedItem(report: ItemReport(source: item.source, problems: [problem], archive: item.archive))
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
            return InspectedItem(report: report(item, problems: [problem], certificate: nil, kind: kind))
        case .pem where PEMShape(item) == .both:
            return normalise(item, pieces: [bytes], names: [item.source, item.relativeName])
        case .pem, .derCertificate:
            return InspectedItem(report: loneCertificate(item, bytes: bytes, kind: kind))
        case .other:
            var problems: [Problem] = []
            if policy.strict {
                problems.append(Problem(.unrecognised, "not a certificate, key or archive (--strict)"))
            }
            return InspectedItem(
                report: ItemReport(
                    source: item.source, problems: problems, archive: item.archive, kind: kind, ignored: true))
        }
    }

    private func openPKCS12(_ item: DropItem, bytes: [UInt8]) -> InspectedItem {
        let sourced = passwords.sourcedCandidates(for: [item.source, item.relativeName], sidecarPath: item.filePath)
        let candidates = PasswordHygieneRule.candidates(sourced)
        let bundle: PKCS12Bundle
        do {
            bundle = try PKCS12Bundle.open(bytes, passwords: candidates.map(\.password), options: policy.pkcs12)
        } catch {
            let problem = Problem(Self.code(of: error.code), error.message)
            return InspectedItem(report: report(item, problems: [problem], certificate: nil, kind: .pkcs12))
        }
        let hygiene = PasswordHygieneRule.problems(opened: bundle.pkcs12.passwordCandidate, of: candidates)
        if policy.reencryptForTargets,
            !TargetCompatibilityRule(targets: policy.targets).problems(
                of: bundle.pkcs12, certificate: bundle.certificate
            )
            .isEmpty,
            let reencrypted = reencryptForTargets(bundle)
        {
            return opened(
                item, bundle: reencrypted.bundle, bytes: reencrypted.bytes, kind: .pkcs12, before: hygiene,
                after: [reencrypted.note])
        }
        return opened(item, bundle: bundle, bytes: bytes, kind: .pkcs12, before: hygiene)
    }

    /// `--reencrypt auto`: when every target's complaint is about the file's protection (not its key), the file
    /// re-exported, under the password that opened it, in an encryption every target reads, with the note that
    /// says so; `nil` otherwise.
    func reencryptForTargets(_ bundle: PKCS12Bundle) -> (bytes: [UInt8], bundle: PKCS12Bundle, note: Problem)? {
        let keyReasons = policy.targets.flatMap {
            TargetCompatibilityRule.reasons($0, pkcs12: bundle.pkcs12, certificate: bundle.certificate).key
        }
        guard keyReasons.isEmpty, let encryption = TargetCompatibilityRule.encryption(for: policy.targets) else {
            return nil
        }
        do {
            let bytes = try PKCS12Writer.export(bundle, password: bundle.password, encryption: encryption)
            let reopened = try PKCS12Bundle.open(bytes, passwords: [bundle.password], options: policy.pkcs12)
            let was =
                (bundle.pkcs12.keySchemes + bundle.pkcs12.certSchemes).map(\.summary)
                + (bundle.pkcs12.macAlgorithm.map { ["MAC \($0)"] } ?? [])
            let names = policy.targets.map(\.name).joined(separator: ", ")
            let note = Problem(
                .reencrypted,
                "re-exported as \(encryption.rawValue) for \(names) (was \(Set(was).sorted().joined(separator: "; ")))")
            return (bytes, reopened, note)
        } catch {
            return nil
        }
    }

    /// Normalises PEM material (a certificate with its key and chain) into a PKCS#12 under the first password
    /// that applies to it (or a random one), then checks it like any PKCS#12.
    private func normalise(_ item: DropItem, pieces: [[UInt8]], names: [String]) -> InspectedItem {
        let candidates = passwords.candidates(for: names, sidecarPath: item.filePath)
        do {
            let material = try PEMMaterial(pieces: pieces, passwords: candidates, options: policy.pkcs12)
            let password = candidates.first { !$0.isEmpty } ?? Self.randomPassword()
            let bytes = try PKCS12Writer.export(material, password: password, encryption: policy.exportEncryption)
            let bundle = try PKCS12Bundle.open(bytes, passwords: [password], options: policy.pkcs12)
            return opened(item, bundle: bundle, bytes: bytes, kind: .pem)
        } catch {
            let problem = Problem(Self.code(of: error.code), error.message)
            return InspectedItem(report: report(item, problems: [problem], certificate: nil, kind: .pem))
        }
    }

    /// The report of an opened bundle: `before`, the policy's problems (its path built once), then `after`.
    private func opened(
        _ item: DropItem, bundle: PKCS12Bundle, bytes: [UInt8], kind: ContentKind, before: [Problem] = [],
        after: [Problem] = []
    ) -> InspectedItem {
        let path = policy.path(of: bundle)
        let problems = before + policy.problems(of: bundle, path: path) + after
        var result = report(item, problems: problems, certificate: bundle.certificate, kind: kind)
        result.chain = bundle.chain
        result.path = path
        result.pkcs12 = bundle.pkcs12
        let uploadable = bundle.pkcs12.hasPrivateKey && bundle.pkcs12.keyMatchesCertificate == true
        return InspectedItem(report: result, upload: uploadable ? UploadMaterial(pkcs12: bytes, bundle: bundle) : nil)
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

    /// 32 random bytes, base64: the password of a normalised PEM bundle when none applies to it.
    static func randomPassword() -> SecretBytes {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        defer { SecretBytes.wipe(&bytes) }
        return SecretBytes(utf8: Data(bytes).base64EncodedString())
    }

    static func code(of code: PKCS12Error.Code) -> ProblemCode {
        switch code {
        case .wrongPassword: .wrongPassword
        case .notPKCS12: .notPKCS12
        case .corrupt: .corrupt
        case .unsupportedAlgorithm: .unsupportedAlgorithm
        case .iterationLimit: .iterationLimit
        case .exportFailed: .corrupt
        case .unsupportedFormat: .unsupportedFormat
        case .tooManyBags: .tooManyBags
        case .tooManyCertificates: .tooManyCertificates
        case .tooManyDerivations: .tooManyDerivations
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
