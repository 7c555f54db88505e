import PKCS12Kit

/// `target-incompatible`: what a `--target` cannot read in a file, one problem per target listing every reason.
public struct TargetCompatibilityRule: Sendable {
    /// The targets the file goes to.
    public let targets: [TargetProfile]

    /// Makes the rule.
    public init(targets: [TargetProfile]) { self.targets = targets }

    /// What one target cannot read, split by whether a re-export fixes it.
    public struct Reasons: Sendable, Hashable {
        /// Encryption, PRF, MAC and iteration counts: a re-export in another encryption fixes them.
        public var protection: [String] = []
        /// The key's type or size: only a new key fixes it.
        public var key: [String] = []
        /// Whether nothing is wrong.
        public var isEmpty: Bool { protection.isEmpty && key.isEmpty }
    }

    /// One problem per target that cannot read the file.
    public func problems(of pkcs12: PKCS12Facts, certificate: CertificateFacts?) -> [Problem] {
        targets.compactMap { target in
            let reasons = Self.reasons(target, pkcs12: pkcs12, certificate: certificate)
            guard !reasons.isEmpty else { return nil }
            var message = "\(target.name) cannot read "
            message += (reasons.protection + reasons.key).joined(separator: "; ")
            if !reasons.protection.isEmpty {
                message += "; re-export it: certdrop import --reencrypt auto --target \(target.name)"
                message += " (or --reencrypt 3des), or \(target.opensslFix)"
            }
            if !reasons.key.isEmpty {
                message += "; re-issue the certificate with a key \(target.name) reads"
            }
            return Problem(.targetIncompatible, message)
        }
    }

    /// What `target` cannot read in the file.
    public static func reasons(_ target: TargetProfile, pkcs12: PKCS12Facts, certificate: CertificateFacts?)
        -> Reasons
    {
        var reasons = Reasons()
        for (what, schemes) in [("key", pkcs12.keySchemes), ("certificate", pkcs12.certSchemes)] {
            for scheme in schemes where !reads(target, scheme) {
                reasons.protection.append("\(what) encryption \(scheme.summary)")
            }
        }
        if let mac = pkcs12.macAlgorithm, let digests = target.macDigests, !digests.contains(mac) {
            reasons.protection.append("MAC digest \(mac)")
        }
        if let limit = target.maxIterations {
            let counts = (pkcs12.keySchemes + pkcs12.certSchemes).map(\.iterations) + [pkcs12.macIterations ?? 0]
            if let most = counts.max(), most > limit {
                reasons.protection.append("\(most) iterations (at most \(limit))")
            }
        }
        if let certificate, let reason = keyReason(target, certificate) {
            reasons.key.append(reason)
        }
        return reasons
    }

    /// Whether `target` reads `scheme`.
    public static func reads(_ target: TargetProfile, _ scheme: EncryptionScheme) -> Bool {
        switch scheme.kind {
        case "PBES2":
            guard target.pbes2Ciphers?.contains(scheme.cipher) ?? true else { return false }
            return scheme.prf.map { target.prfs?.contains($0) ?? true } ?? true
        default:
            return target.pbes1Ciphers?.contains(scheme.cipher) ?? true
        }
    }

    /// Whether every target reads a file written by ``PKCS12Writer`` with `encryption`.
    public static func allRead(_ targets: [TargetProfile], _ encryption: PKCS12Encryption) -> Bool {
        let (scheme, mac) = written(encryption)
        return targets.allSatisfy { target in
            reads(target, scheme) && (target.macDigests?.contains(mac) ?? true)
                && (target.maxIterations.map { Int(PKCS12Writer.iterations) <= $0 } ?? true)
        }
    }

    /// The first encryption ``PKCS12Writer`` offers that every target reads (AES-256 before 3DES).
    public static func encryption(for targets: [TargetProfile]) -> PKCS12Encryption? {
        [PKCS12Encryption.aes256, .tripleDES].first { allRead(targets, $0) }
    }

    private static func written(_ encryption: PKCS12Encryption) -> (EncryptionScheme, String) {
        let iterations = Int(PKCS12Writer.iterations)
        switch encryption {
        case .aes256:
            return (
                EncryptionScheme(kind: "PBES2", cipher: "AES-256-CBC", prf: "hmacWithSHA256", iterations: iterations),
                "SHA256"
            )
        case .tripleDES:
            return (
                EncryptionScheme(kind: "PBES1", cipher: TargetProfile.tripleDES, prf: nil, iterations: iterations),
                "SHA1"
            )
        }
    }

    private static func keyReason(_ target: TargetProfile, _ certificate: CertificateFacts) -> String? {
        switch certificate.keyAlgorithm {
        case "RSA":
            guard let minimum = target.rsaMinBits else { return "an RSA key" }
            return certificate.keyBits < minimum
                ? "an RSA key of \(certificate.keyBits) bits (at least \(minimum))" : nil
        case "EC":
            let curve = certificate.curve ?? "an unnamed curve"
            guard let curves = target.curves else { return nil }
            return curves.contains(curve) ? nil : "an EC key on \(curve)"
        case "Ed25519":
            return target.ed25519 ? nil : "an Ed25519 key"
        case let other:
            return "a key of type \(other)"
        }
    }
}
