import Foundation
import PKCS12Kit

#if canImport(Glibc)
    import Glibc
#endif

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

    /// The most bytes read from a password map (16 MiB); more is a usage error.
    public static let maxMapBytes = 16 << 20

    /// Reads every source once, each capped by the bytes actually read (see
    /// ``PasswordBook/maxPasswordFileBytes`` and ``maxMapBytes``). `environment` and `standardInput` are injectable
    /// for tests; more than ``PasswordBook/maxPasswordFileBytes`` from `standardInput` is an error (the default
    /// reads at most one byte past it).
    public func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        standardInput: () -> Data? = { Self.readStandardInput(limit: PasswordBook.maxPasswordFileBytes) }
    ) throws(PipelineError) -> PasswordBook {
        var global: [SecretBytes] = []
        var origins: [PasswordOrigin] = []
        if let passwordFile {
            global.append(
                try PasswordBook.readPasswordFile(passwordFile, flag: "--password-file", code: .passwordSource))
            origins.append(.passwordFile)
        }
        if readStandardInput {
            let limit = PasswordBook.maxPasswordFileBytes
            guard let data = standardInput() else {
                throw PipelineError(.passwordSource, "cannot read a password from standard input")
            }
            guard data.count <= limit else {
                throw PipelineError(
                    .passwordSource, "standard input holds more than \(limit) bytes, the limit for --password-stdin")
            }
            global.append(PasswordBook.firstLine(of: data))
            origins.append(.standardInput)
        }
        if let value = environment[Self.environmentVariable] {
            global.append(SecretBytes(utf8: value))
            origins.append(.environment)
        }
        var entries: [(key: String, passwords: [SecretBytes])] = []
        if let mapFile {
            switch BoundedFile.read(mapFile, limit: Self.maxMapBytes, followLinks: true, allowFIFO: true) {
            case .success(var bytes):
                defer { SecretBytes.wipe(&bytes) }
                entries = try PasswordBook.parseMap(Data(bytes))
            case .failure(let failure):
                throw PipelineError(.passwordMap, "cannot read the password map \(mapFile): \(failure.message)")
            }
        }
        return PasswordBook(entries: entries, global: global, useSidecars: useSidecars, globalOrigins: origins)
    }

    /// At most `limit + 1` bytes of standard input (the one byte past tells that there was more); `nil` when it
    /// cannot be read.
    public static func readStandardInput(limit: Int) -> Data? {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while data.count <= limit {
            let want = min(chunk.count, limit + 1 - data.count)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(STDIN_FILENO, $0.baseAddress, want) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            data.append(contentsOf: chunk[0..<count])
        }
        return data
    }
}
