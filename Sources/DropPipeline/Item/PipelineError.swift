import CertificateAPI
import CertificateClient

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

    /// The client's error where it crosses into the pipeline, with its message: `usage`, `password-source` and
    /// `key-file-insecure` keep their codes (and so their exit statuses); any other (a request without a usable
    /// answer, a CA file that cannot be read) is an `input` error.
    public init(_ error: ClientError) {
        let code: Code =
            switch error.code {
            case .usage: .usage
            case .passwordSource: .passwordSource
            case .insecureKeyFile: .insecureKeyFile
            default: .input
            }
        self.init(code, error.message)
    }
}
