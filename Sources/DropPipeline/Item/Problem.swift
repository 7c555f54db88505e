/// How much a problem matters.
public enum Severity: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case info
    case warning
    case error

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A problem's stable code. Codes never change once shipped; the README lists them.
public enum ProblemCode: String, Sendable, Hashable, Codable, CaseIterable {
    // Opening the file.
    case wrongPassword = "wrong-password"
    case notPKCS12 = "not-pkcs12"
    case corrupt
    case unsupportedAlgorithm = "unsupported-algorithm"
    case iterationLimit = "iteration-limit"
    case unreadable
    // Opening the file: well formed, but beyond what OpenSSL 3.0 reads or beyond the per-file budget.
    case unsupportedFormat = "unsupported-format"
    case tooManyBags = "too-many-bags"
    case tooManyCertificates = "too-many-certificates"
    case tooManyDerivations = "too-many-derivations"
    // What the file holds.
    case noCertificate = "no-certificate"
    case noPrivateKey = "no-private-key"
    case keyMismatch = "key-mismatch"
    case expired
    case notYetValid = "not-yet-valid"
    case duplicate
    case invalidID = "invalid-id"
    case duplicateID = "duplicate-id"
    // The leaf's path (OpenSSL's X509_verify_cert).
    case expiredChainCertificate = "expired-chain-certificate"
    case chainSignature = "chain-signature"
    case invalidChain = "invalid-chain"
    // Archives.
    case unsafePath = "unsafe-path"
    case unsafeEntry = "unsafe-entry"
    case tooLarge = "too-large"
    case encryptedEntry = "encrypted-entry"
    case corruptArchive = "corrupt-archive"
    case archiveTooLarge = "archive-too-large"
    case tooManyEntries = "too-many-entries"
    case nestingLimit = "nesting-limit"
    case unrecognised
    // Warnings.
    case expiringSoon = "expiring-soon"
    case weakKey = "weak-key"
    case weakSignature = "weak-signature"
    case legacyEncryption = "legacy-encryption"
    case noMAC = "no-mac"
    case unprotected
    case emptyPassword = "empty-password"
    case unencryptedKey = "unencrypted-key"
    case multipleKeys = "multiple-keys"
    case incompleteChain = "incomplete-chain"
    case unrelatedCertificate = "unrelated-certificate"
    case untrustedRoot = "untrusted-root"
    // Where the file goes (`--target`, `--usage`) and how it was opened.
    case targetIncompatible = "target-incompatible"
    case keyUsage = "key-usage"
    case longValidity = "long-validity"
    case noSubjectAltName = "no-subject-alt-name"
    case passwordWhitespace = "password-whitespace"
    case nonASCIIPassword = "non-ascii-password"
    // Information.
    case selfSigned = "self-signed"
    case paired
    case reencrypted

    /// The severity a problem has unless a policy says otherwise.
    public var defaultSeverity: Severity {
        switch self {
        case .expiringSoon, .weakKey, .weakSignature, .legacyEncryption, .noMAC, .unprotected, .emptyPassword,
            .unencryptedKey, .multipleKeys, .incompleteChain, .unrelatedCertificate, .untrustedRoot,
            .noSubjectAltName, .passwordWhitespace, .nonASCIIPassword:
            .warning
        case .selfSigned, .paired, .reencrypted:
            .info
        default:
            .error
        }
    }
}

/// One thing found wrong (or worth knowing) about an item.
public struct Problem: Error, Sendable, Hashable, Codable {
    /// The stable code.
    public var code: ProblemCode
    /// How much it matters under the policy in force.
    public var severity: Severity
    /// A precise human message, free of secrets.
    public var message: String

    /// Makes a problem, with the code's default severity unless one is given.
    public init(_ code: ProblemCode, _ message: String, severity: Severity? = nil) {
        self.code = code
        self.severity = severity ?? code.defaultSeverity
        self.message = message
    }
}

/// The outcome of checking one item.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    case ok
    case warning
    case error
    /// Not a certificate: listed, not checked.
    case ignored

    /// The verdict that `problems` earn.
    public init(problems: [Problem]) {
        switch problems.map(\.severity).max() {
        case .error: self = .error
        case .warning: self = .warning
        default: self = .ok
        }
    }
}
