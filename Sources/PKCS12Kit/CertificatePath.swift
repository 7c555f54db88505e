import Foundation

/// Where a certificate on a leaf's path came from.
public enum ChainOrigin: String, Sendable, Hashable, Codable, CaseIterable {
    /// The file being checked.
    case file
    /// The CA bundle (`--ca-file`).
    case caFile = "ca-file"
    /// The system's trust store.
    case system
}

/// Where a leaf's path ends.
public enum PathEnd: String, Sendable, Hashable, Codable, CaseIterable {
    /// At a self-signed certificate from the file that no trust store vouches for (the leaf itself, when it is
    /// self-signed and alone).
    case file
    /// At a certificate of the CA bundle: trusted.
    case caFile = "ca-file"
    /// At a certificate of the system store: trusted.
    case system
    /// At a certificate whose issuer is in neither the file nor a trust store.
    case nowhere

    /// Whether a trust store vouches for the path.
    public var isTrusted: Bool { self == .caFile || self == .system }
}

/// One certificate on a leaf's path, leaf first.
public struct PathElement: Sendable, Hashable, Codable {
    /// Subject, in the form of ``CertificateFacts/subject``.
    public var subject: String
    /// Issuer, in the same form.
    public var issuer: String
    /// Start of validity, `nil` when OpenSSL cannot read it.
    public var notBefore: Date?
    /// End of validity, `nil` when OpenSSL cannot read it.
    public var notAfter: Date?
    /// SHA-1 thumbprint, upper-case hex.
    public var thumbprint: String
    /// Where it came from.
    public var origin: ChainOrigin
    /// Whether it verifies with its own key.
    public var selfSigned: Bool
}

/// What OpenSSL's verification found wrong with one certificate of the path (other than where the path ends,
/// and other than the leaf's own validity, which the leaf's checks report).
public struct PathFailure: Sendable, Hashable, Codable {
    /// What kind of failure.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The certificate does not verify against its issuer's key (or the key cannot be used).
        case signature
        /// A CA certificate's notAfter is at or before the reference time.
        case expired
        /// A CA certificate's notBefore is after the reference time.
        case notYetValid = "not-yet-valid"
        /// Anything else OpenSSL refuses: a CA that is not a CA, a path too long, an unhandled critical extension.
        case other
    }

    /// What kind of failure.
    public var kind: Kind
    /// The position on the path of the certificate at fault (0 is the leaf).
    public var depth: Int
    /// OpenSSL's `X509_V_ERR_*` code.
    public var code: Int
    /// OpenSSL's words for the code (`X509_verify_cert_error_string`).
    public var reason: String
}

/// A leaf's path as OpenSSL builds it (`X509_verify_cert`) from the file's other certificates (untrusted), a CA
/// bundle and the system store (trusted), at a reference time.
public struct CertificatePath: Sendable, Hashable, Codable {
    /// The path, leaf first, as far as it goes.
    public var elements: [PathElement]
    /// Where it ends.
    public var end: PathEnd
    /// Whether a trust store (a CA bundle or the system store) was consulted.
    public var trustChecked: Bool
    /// The file's certificates that are on no path OpenSSL builds for the leaf, with or without the trust store.
    public var unrelated: [ChainCertificate]
    /// What verification found wrong, in the order OpenSSL reported it.
    public var failures: [PathFailure]

    /// The issuer the path needs next when it ends ``PathEnd/nowhere``: the last element's issuer name.
    public var missingIssuer: String? { end == .nowhere ? elements.last?.issuer : nil }
}
