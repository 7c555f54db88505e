import Foundation
import PKCS12Kit

/// The checks applied to each certificate and how severe each finding is.
public struct ValidationPolicy: Sendable {
    /// A certificate that expires within this many days gets `expiring-soon`.
    public var minDays: Int
    /// Makes `self-signed` an error instead of information.
    public var denySelfSigned: Bool
    /// Makes unrecognised files errors instead of `ignored` items.
    public var strict: Bool
    /// The time the checks are made against.
    public var now: Date
    /// How files are opened (iteration cap).
    public var pkcs12: PKCS12Options
    /// How ids are made.
    public var idTemplate: IDTemplate
    /// The certificates a leaf's path may end in (`--ca-file`, `--trust system`); `nil`: the file's own only.
    public var trust: TrustStore?
    /// Where the files go (`--target`): each gets `target-incompatible` for what it cannot read, and turns on the
    /// lint rules its profile names.
    public var targets: [TargetProfile] = []
    /// The TLS role certificates are meant for (`--usage`); `nil` takes it from the targets.
    public var usage: TLSUsage?
    /// `import --reencrypt auto`: a file that a target cannot read only for its protection is re-exported in an
    /// encryption every target reads.
    public var reencryptForTargets = false

    /// The role the checks expect: `--usage`, else the first target's.
    public var expectedUsage: TLSUsage? { usage ?? targets.lazy.compactMap(\.usage).first }

    /// The encryption PEM bundles are normalised into: AES-256 unless a target cannot read it.
    public var exportEncryption: PKCS12Encryption {
        TargetCompatibilityRule.encryption(for: targets) ?? .tripleDES
    }

    /// Makes a policy; the defaults are the command line's.
    public init(
        minDays: Int = 30, denySelfSigned: Bool = false, strict: Bool = false, now: Date = Date(),
        pkcs12: PKCS12Options = PKCS12Options(), idTemplate: IDTemplate = .stem, trust: TrustStore? = nil
    ) {
        self.minDays = minDays
        self.denySelfSigned = denySelfSigned
        self.strict = strict
        self.now = now
        self.pkcs12 = pkcs12
        self.idTemplate = idTemplate
        self.trust = trust
    }

    /// The leaf's path, built and verified by OpenSSL at ``now`` from the file's certificates and ``trust``.
    public func path(of bundle: PKCS12Bundle) -> CertificatePath? {
        bundle.path(trust: trust, at: now)
    }

    /// The problems of an opened bundle, order-independent (duplicates are found later, in order).
    public func problems(of bundle: PKCS12Bundle) -> [Problem] {
        problems(of: bundle, path: path(of: bundle))
    }

    /// The problems of an opened bundle whose leaf's path (``path(of:)``) is known; the path's rules
    /// (`4-Check/`) come last.
    public func problems(of bundle: PKCS12Bundle, path: CertificatePath?) -> [Problem] {
        var problems: [Problem] = []
        let facts = bundle.pkcs12
        if let certificate = bundle.certificate {
            problems += self.problems(of: certificate)
        } else {
            problems.append(Problem(.noCertificate, "the file holds no certificate"))
        }
        if !facts.hasPrivateKey, bundle.certificate != nil {
            problems.append(Problem(.noPrivateKey, "the file holds no private key, so it cannot be uploaded"))
        }
        if facts.keyMatchesCertificate == false {
            problems.append(Problem(.keyMismatch, "no certificate in the file matches the private key"))
        }
        if facts.privateKeys > 1 {
            problems.append(
                Problem(.multipleKeys, "the file holds \(facts.privateKeys) private keys; only the first is used"))
        }
        if facts.unprotected {
            problems.append(Problem(.unprotected, "the file has neither a MAC nor encryption: anyone can read it"))
        } else {
            if facts.macAlgorithm == nil {
                problems.append(Problem(.noMAC, "the file has no MAC: tampering would go unnoticed"))
            }
            if facts.emptyPassword {
                problems.append(Problem(.emptyPassword, "the file's password is empty"))
            }
            if facts.unencryptedKey {
                problems.append(Problem(.unencryptedKey, "the private key is stored unencrypted"))
            }
        }
        if facts.legacyEncryption {
            let what = [facts.certEncryption, facts.keyEncryption].compactMap { $0 }.filter { $0 != "none" }
            problems.append(
                Problem(
                    .legacyEncryption,
                    "legacy encryption (\(Set(what).sorted().joined(separator: "; "))) needs OpenSSL's legacy provider"
                ))
        }
        problems += TargetCompatibilityRule(targets: targets).problems(of: facts, certificate: bundle.certificate)
        if let path { problems += PathRules.problems(of: path, policy: self) }
        return problems
    }

    /// The lint rules the targets and `--usage` turn on.
    func lintProblems(of certificate: CertificateFacts) -> [Problem] {
        var problems: [Problem] = []
        if let usage = expectedUsage {
            problems += KeyUsageRule(usage: usage).problems(of: certificate)
            if usage == .server { problems += SubjectAltNameRule().problems(of: certificate) }
        }
        if targets.contains(where: \.checksValidityPeriod) {
            problems += LongValidityRule().problems(of: certificate)
        }
        return problems
    }

    /// The problems of a certificate's own facts: validity, key, signature, self-signed.
    public func problems(of certificate: CertificateFacts) -> [Problem] {
        var problems: [Problem] = []
        let day: TimeInterval = 86_400
        if certificate.expirationDate <= now {
            let days = Int((now.timeIntervalSince(certificate.expirationDate) / day).rounded(.down))
            problems.append(
                Problem(.expired, "expired on \(ISO8601.string(certificate.expirationDate)) (\(days) days ago)"))
        } else if certificate.notBefore > now {
            problems.append(
                Problem(.notYetValid, "not valid before \(ISO8601.string(certificate.notBefore))"))
        } else if certificate.expirationDate < now.addingTimeInterval(Double(minDays) * day) {
            let days = Int((certificate.expirationDate.timeIntervalSince(now) / day).rounded(.down))
            problems.append(
                Problem(
                    .expiringSoon,
                    "expires on \(ISO8601.string(certificate.expirationDate)), in \(days) days (minimum \(minDays))"))
        }
        switch certificate.keyAlgorithm {
        case "RSA" where certificate.keyBits < 2048, "DSA" where certificate.keyBits < 2048:
            problems.append(
                Problem(.weakKey, "\(certificate.keyAlgorithm) key of \(certificate.keyBits) bits (minimum 2048)"))
        case "EC" where certificate.keyBits < 256:
            problems.append(Problem(.weakKey, "EC key of \(certificate.keyBits) bits (minimum 256)"))
        default:
            break
        }
        if certificate.weakSignature {
            problems.append(
                Problem(.weakSignature, "signed with \(certificate.signatureAlgorithm), a broken digest"))
        }
        if certificate.selfSigned {
            problems.append(
                Problem(.selfSigned, "the certificate is self-signed", severity: denySelfSigned ? .error : .info))
        }
        problems += lintProblems(of: certificate)
        return problems
    }
}

/// ISO-8601 in UTC with `Z`, as every output of the tool shows dates.
public enum ISO8601 {
    /// `2026-11-29T07:49:05Z`.
    public static func string(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
                .timeSeparator(.colon).timeZone(separator: .omitted))
    }
}
