import CertificateAPI

/// Why the client could not do its work: a request without a usable answer, or an endpoint, credential or CA file
/// it cannot use. The ``code`` is stable and goes into manifests; the message is for people and free of secrets.
///
/// Made with a static factory per code (``timeout(_:file:line:)``, ``http(_:_:file:line:)``, …), which records
/// where. Equality and hashing look at the ``code`` only, so that a test can compare with an error it makes itself.
public struct ClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable code of a ``ClientError``; its ``rawValue`` is the word manifests record.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Backing: Sendable, Hashable {
            case connection, timeout, credentials, http(Int), unexpectedResponse
            case untrustedNextLink, nextLinkLoop, tooManyPages
            case redirectRefused, untrustedRedirect, tooManyRedirects, redirectLoop
            case tokenCommandTimeout, tokenCommandFailed, tokenCommandOutput
            case usage, input, passwordSource, insecureKeyFile
        }

        private let backing: Backing

        private init(_ backing: Backing) { self.backing = backing }

        /// `connection`: the connection failed or went away.
        public static let connection = Code(.connection)
        /// `timeout`: no whole answer within the request's deadline.
        public static let timeout = Code(.timeout)
        /// `credentials`: no `Authorization` header could be had.
        public static let credentials = Code(.credentials)
        /// `http-NNN`: the service answered with an unexpected status.
        public static func http(_ status: Int) -> Code { Code(.http(status)) }
        /// `unexpected-response`: an answer that cannot be read (or is too large).
        public static let unexpectedResponse = Code(.unexpectedResponse)
        /// `untrusted-next-link`: a `nextLink` that leaves the service; it was not followed.
        public static let untrustedNextLink = Code(.untrustedNextLink)
        /// `next-link-loop`: a `nextLink` to a page already read.
        public static let nextLinkLoop = Code(.nextLinkLoop)
        /// `too-many-pages`: more pages than ``ClientLimits/maxPages``.
        public static let tooManyPages = Code(.tooManyPages)
        /// `redirect-refused`: a redirect of a method that is never redirected (`PUT`, `DELETE`).
        public static let redirectRefused = Code(.redirectRefused)
        /// `untrusted-redirect`: a redirect (or a request) that does not go to the service.
        public static let untrustedRedirect = Code(.untrustedRedirect)
        /// `too-many-redirects`: more redirects than ``ClientLimits/maxRedirects``.
        public static let tooManyRedirects = Code(.tooManyRedirects)
        /// `redirect-loop`: redirects that go round in a circle.
        public static let redirectLoop = Code(.redirectLoop)
        /// `token-command-timeout`: the token command did not finish in time and was killed.
        public static let tokenCommandTimeout = Code(.tokenCommandTimeout)
        /// `token-command-failed`: the token command could not run, was killed or exited non-zero.
        public static let tokenCommandFailed = Code(.tokenCommandFailed)
        /// `token-command-output`: the token command printed no single token.
        public static let tokenCommandOutput = Code(.tokenCommandOutput)
        /// `usage`: an endpoint's or credential's settings that cannot be used.
        public static let usage = Code(.usage)
        /// `input`: a file the client needs (a CA file) cannot be read.
        public static let input = Code(.input)
        /// `password-source`: a token or key file that cannot be read, is too large or is empty.
        public static let passwordSource = Code(.passwordSource)
        /// `key-file-insecure`: a key file that other users can read or write, refused.
        public static let insecureKeyFile = Code(.insecureKeyFile)

        /// The stable word: `timeout`, `http-404`, `untrusted-next-link`, …
        public var rawValue: String {
            switch backing {
            case .connection: "connection"
            case .timeout: "timeout"
            case .credentials: "credentials"
            case .http(let status): "http-\(status)"
            case .unexpectedResponse: "unexpected-response"
            case .untrustedNextLink: "untrusted-next-link"
            case .nextLinkLoop: "next-link-loop"
            case .tooManyPages: "too-many-pages"
            case .redirectRefused: "redirect-refused"
            case .untrustedRedirect: "untrusted-redirect"
            case .tooManyRedirects: "too-many-redirects"
            case .redirectLoop: "redirect-loop"
            case .tokenCommandTimeout: "token-command-timeout"
            case .tokenCommandFailed: "token-command-failed"
            case .tokenCommandOutput: "token-command-output"
            case .usage: "usage"
            case .input: "input"
            case .passwordSource: "password-source"
            case .insecureKeyFile: "key-file-insecure"
            }
        }

        public var description: String { rawValue }
    }

    /// The stable code.
    public let code: Code
    /// A human message, free of secrets.
    public let message: String
    /// Where the error was made (`#fileID`), for debugging; not part of equality or the message.
    public let file: String
    /// The line where the error was made.
    public let line: UInt

    /// Makes an error with `code`; the static factories say the same more plainly.
    public init(_ code: Code, _ message: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: ClientError, rhs: ClientError) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// ``Code/connection``.
    public static func connection(_ message: String, file: String = #fileID, line: UInt = #line) -> ClientError {
        ClientError(.connection, message, file: file, line: line)
    }

    /// ``Code/timeout``.
    public static func timeout(_ message: String, file: String = #fileID, line: UInt = #line) -> ClientError {
        ClientError(.timeout, message, file: file, line: line)
    }

    /// ``Code/credentials``.
    public static func credentials(_ message: String, file: String = #fileID, line: UInt = #line) -> ClientError {
        ClientError(.credentials, message, file: file, line: line)
    }

    /// ``Code/http(_:)``: `http-NNN` for `status`.
    public static func http(_ status: Int, _ message: String, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(.http(status), message, file: file, line: line)
    }

    /// ``Code/unexpectedResponse``.
    public static func unexpectedResponse(_ message: String, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(.unexpectedResponse, message, file: file, line: line)
    }

    /// ``Code/untrustedNextLink``.
    public static func untrustedNextLink(_ message: String, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(.untrustedNextLink, message, file: file, line: line)
    }

    /// ``Code/nextLinkLoop``.
    public static func nextLinkLoop(_ message: String, file: String = #fileID, line: UInt = #line) -> ClientError {
        ClientError(.nextLinkLoop, message, file: file, line: line)
    }

    /// ``Code/tooManyPages``.
    public static func tooManyPages(_ message: String, file: String = #fileID, line: UInt = #line) -> ClientError {
        ClientError(.tooManyPages, message, file: file, line: line)
    }

    /// ``Code/redirectRefused``.
    public static func redirectRefused(_ message: String, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(.redirectRefused, message, file: file, line: line)
    }

    /// ``Code/untrustedRedirect``.
    public static func untrustedRedirect(_ message: String, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(.untrustedRedirect, message, file: file, line: line)
    }

    /// ``Code/tooManyRedirects``.
    public static func tooManyRedirects(_ message: String, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(.tooManyRedirects, message, file: file, line: line)
    }

    /// ``Code/redirectLoop``.
    public static func redirectLoop(_ message: String, file: String = #fileID, line: UInt = #line) -> ClientError {
        ClientError(.redirectLoop, message, file: file, line: line)
    }

    /// ``Code/tokenCommandTimeout``.
    public static func tokenCommandTimeout(_ message: String, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(.tokenCommandTimeout, message, file: file, line: line)
    }

    /// ``Code/tokenCommandFailed``.
    public static func tokenCommandFailed(_ message: String, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(.tokenCommandFailed, message, file: file, line: line)
    }

    /// ``Code/tokenCommandOutput``.
    public static func tokenCommandOutput(_ message: String, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(.tokenCommandOutput, message, file: file, line: line)
    }

    /// ``Code/usage``.
    public static func usage(_ message: String, file: String = #fileID, line: UInt = #line) -> ClientError {
        ClientError(.usage, message, file: file, line: line)
    }

    /// ``Code/input``.
    public static func input(_ message: String, file: String = #fileID, line: UInt = #line) -> ClientError {
        ClientError(.input, message, file: file, line: line)
    }

    /// ``Code/passwordSource``.
    public static func passwordSource(_ message: String, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(.passwordSource, message, file: file, line: line)
    }

    /// A secret file's failure: ``Code/insecureKeyFile`` for a file other users can read, else
    /// ``Code/passwordSource``.
    public static func secretFile(_ error: SecretFileError, file: String = #fileID, line: UInt = #line)
        -> ClientError
    {
        ClientError(error.code == .insecure ? .insecureKeyFile : .passwordSource, error.message, file: file, line: line)
    }
}
