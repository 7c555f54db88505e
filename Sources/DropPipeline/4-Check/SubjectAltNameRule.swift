import PKCS12Kit

/// `no-subject-alt-name`: a server certificate without a subjectAltName extension.
///
/// A "server certificate" here is one that is not a CA and whose extendedKeyUsage allows `serverAuth` (listed, or
/// `anyExtendedKeyUsage`, or no extendedKeyUsage extension at all). RFC 9525 (which replaced RFC 6125) matches
/// host names against the subjectAltName only, as browsers and Apple's TLS server requirements do, so such a
/// certificate matches no host there.
public struct SubjectAltNameRule: Sendable {
    /// Makes the rule.
    public init() {}

    /// Whether `certificate` is a server certificate in the sense above.
    public static func isServerCertificate(_ certificate: CertificateFacts) -> Bool {
        guard !certificate.isCertificateAuthority else { return false }
        guard let purposes = certificate.usage?.extendedKeyUsage else { return true }
        return purposes.contains("serverAuth") || purposes.contains("anyExtendedKeyUsage")
    }

    /// The problem, if `certificate` is a server certificate without subjectAltName.
    public func problems(of certificate: CertificateFacts) -> [Problem] {
        guard let usage = certificate.usage, !usage.hasSubjectAltName, Self.isServerCertificate(certificate) else {
            return []
        }
        let name =
            certificate.commonName.map { " (its commonName \"\(DisplayText.escaped($0))\" is not used for matching)" }
            ?? ""
        return [Problem(.noSubjectAltName, "a server certificate without subjectAltName matches no host name\(name)")]
    }
}
