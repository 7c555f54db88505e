import CertificateAPI

/// Why the pipeline could not do its work at all (as opposed to a problem with one item).
public struct PipelineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes of pipeline failures.
    public enum Code: String, Sendable, Hashable, Codable {
        case passwordMap = "password-map"
        case passwordSource = "password-source"
        case input
        case output
        case usage
        /// A key file that other users can read or write, refused (exit status 1).
        case insecureKeyFile = "key-file-insecure"
    }

    /// The stable code.
    public let code: Code
    /// A human message, free of secrets.
    public let message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// A secret file's failure: `key-file-insecure` for a file other users can read, else `password-source`.
    public init(_ error: SecretFileError) {
        self.init(error.code == .insecure ? .insecureKeyFile : .passwordSource, error.message)
    }
}
