import Foundation
import PKCS12Kit

/// The password sources a command line names, gathered into a ``PasswordBook``.
///
/// Passwords come from files, the environment or standard input, never from a command-line value, which other
/// users of the machine could read from the process list.
public struct PasswordSources: Sendable {
    /// `--password-file F`: one password, the file's first line.
    public var passwordFile: String?
    /// `--passwords MAP.json`: a map of source → password(s).
    public var mapFile: String?
    /// `--password-stdin`: one password, the first line of standard input.
    public var readStandardInput: Bool
    /// Whether `x.pfx.password` / `x.pfx.pwd` files are read.
    public var useSidecars: Bool

    /// The environment variable that may hold a password.
    public static let environmentVariable = "CERTDROP_PASSWORD"

    /// Makes the sources.
    public init(
        passwordFile: String? = nil, mapFile: String? = nil, readStandardInput: Bool = false,
        useSidecars: Bool = true
    ) {
        self.passwordFile = passwordFile
        self.mapFile = mapFile
        self.readStandardInput = readStandardInput
        self.useSidecars = useSidecars
    }

    /// Reads every source once. `environment` and `standardInput` are injectable for tests.
    public func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        standardInput: () -> Data? = { try? FileHandle.standardInput.readToEnd() }
    ) throws(PipelineError) -> PasswordBook {
        var global: [SecretBytes] = []
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile) else {
                throw PipelineError(.passwordSource, "cannot read the password file \(passwordFile)")
            }
            global.append(PasswordBook.firstLine(of: data))
        }
        if readStandardInput {
            guard let data = standardInput() else {
                throw PipelineError(.passwordSource, "cannot read a password from standard input")
            }
            global.append(PasswordBook.firstLine(of: data))
        }
        if let value = environment[Self.environmentVariable] {
            global.append(SecretBytes(utf8: value))
        }
        var entries: [(key: String, passwords: [SecretBytes])] = []
        if let mapFile {
            guard let data = FileManager.default.contents(atPath: mapFile) else {
                throw PipelineError(.passwordMap, "cannot read the password map \(mapFile)")
            }
            entries = try PasswordBook.parseMap(data)
        }
        return PasswordBook(entries: entries, global: global, useSidecars: useSidecars)
    }
}
