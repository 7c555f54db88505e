/// Why a PKCS#12 file could not be opened. Codes are stable and shown to users; messages never hold a password.
public struct PKCS12Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable machine code of a failure.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// The MAC does not verify (or, without a MAC, nothing decrypts) with any candidate password.
        case wrongPassword = "wrong-password"
        /// The bytes are not a PKCS#12 structure at all.
        case notPKCS12 = "not-pkcs12"
        /// The bytes start like a PKCS#12 structure but cannot be read whole.
        case corrupt
        /// An algorithm in the file is unknown to, or not enabled in, this OpenSSL.
        case unsupportedAlgorithm = "unsupported-algorithm"
        /// A key derivation asks for more iterations than the configured cap.
        case iterationLimit = "iteration-limit"
        /// The file could not be written (re-export).
        case exportFailed = "export-failed"
        /// The file is well formed but holds a structure OpenSSL 3.0 cannot read (a PKCS#8 v2 key, say).
        case unsupportedFormat = "unsupported-format"
        /// The file holds more safe bags than ``PKCS12Options/maxBags``.
        case tooManyBags = "too-many-bags"
        /// The file holds more certificates than ``PKCS12Options/maxCertificates``.
        case tooManyCertificates = "too-many-certificates"
        /// Opening the file would take more key derivations than ``PKCS12Options/maxDerivations``.
        case tooManyDerivations = "too-many-derivations"
    }

    /// The stable machine code.
    public let code: Code
    /// A human message, precise and free of secrets.
    public let message: String

    /// Makes an error from its code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
