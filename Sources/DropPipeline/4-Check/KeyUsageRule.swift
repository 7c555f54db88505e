import PKCS12Kit

/// The TLS role a certificate is meant for (`--usage server|client`).
public enum TLSUsage: String, Sendable, Hashable, CaseIterable {
    case server
    case client

    /// The extendedKeyUsage purpose of the role (RFC 5280 §4.2.1.12).
    var purpose: String {
        switch self {
        case .server: "serverAuth"
        case .client: "clientAuth"
        }
    }
}

/// `key-usage`: a certificate whose keyUsage or extendedKeyUsage forbids the TLS role it is meant for.
///
/// RFC 5280 §4.2.1.12: with an extendedKeyUsage extension the certificate may be used only for the purposes it
/// lists (`anyExtendedKeyUsage` allows all). §4.2.1.3: with a keyUsage extension only the bits set are allowed; a
/// TLS endpoint signs (`digitalSignature`, TLS 1.3 and ECDHE), an RSA key may instead decrypt the premaster secret
/// (`keyEncipherment`, TLS 1.2 RSA key exchange), an EC key may agree keys (`keyAgreement`, static ECDH). A CA
/// certificate is not a TLS endpoint and is not checked. An absent extension allows everything.
public struct KeyUsageRule: Sendable {
    /// The role expected.
    public let usage: TLSUsage

    /// Makes the rule.
    public init(usage: TLSUsage) { self.usage = usage }

    /// The problem, if `certificate` may not be used for ``usage``.
    public func problems(of certificate: CertificateFacts) -> [Problem] {
        guard !certificate.isCertificateAuthority, let facts = certificate.usage else { return [] }
        var reasons: [String] = []
        if let purposes = facts.extendedKeyUsage, !purposes.contains(usage.purpose),
            !purposes.contains("anyExtendedKeyUsage")
        {
            let listed =
                purposes.isEmpty ? "only purposes unknown to OpenSSL" : purposes.sorted().joined(separator: ", ")
            reasons.append("extendedKeyUsage allows \(listed), not \(usage.purpose)")
        }
        if let bits = facts.keyUsage {
            var allowed: Set<String> = ["digitalSignature"]
            if certificate.keyAlgorithm == "RSA" { allowed.insert("keyEncipherment") }
            if certificate.keyAlgorithm == "EC" { allowed.insert("keyAgreement") }
            if bits.isDisjoint(with: allowed) {
                let listed = bits.isEmpty ? "no bit" : bits.sorted().joined(separator: ", ")
                reasons.append("keyUsage allows \(listed), none of \(allowed.sorted().joined(separator: ", "))")
            }
        }
        guard !reasons.isEmpty else { return [] }
        return [
            Problem(.keyUsage, "not usable as a TLS \(usage.rawValue) certificate: " + reasons.joined(separator: "; "))
        ]
    }
}
