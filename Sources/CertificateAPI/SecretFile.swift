import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file that holds a secret, such as a key file: opened once, checked on the open descriptor (`fstat`,
/// so that the file checked is the file read, whatever happens to the path meanwhile), and read up to a cap.
///
/// A file that its group or other users may read or write (`mode & 0o077 != 0`) is refused with a message that
/// gives the `chmod 600` that fixes it, unless the caller allows it (`--allow-insecure-key-file`). Pipes (a shell's
/// `<(…)`) pass: the kernel makes them `0600`.
public enum SecretFile {
    /// The most bytes read from a key file: 64 KiB.
    public static let maximumSize = 64 * 1024

    /// The flag that accepts a key file other users can read.
    public static let allowInsecureFlag = "--allow-insecure-key-file"

    /// Reads the file at `path`.
    /// - Parameters:
    ///   - what: What the file is, for messages (`key file`).
    ///   - allowInsecure: Accept a file that other users may read or write.
    ///   - maximumSize: The most bytes accepted.
    /// - Throws: ``SecretFileError``: `key-file-unreadable` (missing, a folder, no permission),
    ///   `key-file-insecure`, `key-file-too-large`. No message quotes the file's contents.
    public static func read(
        path: String, what: String = "key file", allowInsecure: Bool = false, maximumSize: Int = SecretFile.maximumSize
    ) throws(SecretFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else {
            throw SecretFileError(.unreadable, "cannot read the \(what) \(path): \(describe(errno))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw SecretFileError(.unreadable, "cannot read the \(what) \(path): \(describe(errno))")
        }
        let type = UInt32(status.st_mode) & fileTypeMask
        if type == directoryType {
            throw SecretFileError(.unreadable, "the \(what) \(path) is a folder, not a file")
        }
        let permissions = Int(status.st_mode & 0o7777)
        if permissions & 0o077 != 0, !allowInsecure {
            throw SecretFileError(
                .insecure,
                "the \(what) \(path) can be read or written by other users (mode \(octal(permissions))); "
                    + "fix it with: chmod 600 \(shellQuoted(path)) (or give \(allowInsecureFlag) to use it as it is)")
        }
        if type == regularType, Int(status.st_size) > maximumSize {
            throw tooLarge(what, path, maximumSize)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { posixRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw SecretFileError(.unreadable, "cannot read the \(what) \(path): \(describe(errno))")
            }
            guard bytes.count + count <= maximumSize else { throw tooLarge(what, path, maximumSize) }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    /// `path` as one shell word: unchanged when it holds only safe characters, else in single quotes.
    public static func shellQuoted(_ path: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,:@%=")
        if !path.isEmpty, path.allSatisfy({ safe.contains($0) }) { return path }
        return "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    // The file-type bits of `st_mode` (POSIX values, the same on Linux and Darwin).
    private static let fileTypeMask: UInt32 = 0o170000
    private static let directoryType: UInt32 = 0o040000
    private static let regularType: UInt32 = 0o100000

    private static func octal(_ mode: Int) -> String {
        let text = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }

    private static func tooLarge(_ what: String, _ path: String, _ limit: Int) -> SecretFileError {
        SecretFileError(.tooLarge, "the \(what) \(path) is larger than \(limit) bytes; it is not a \(what)")
    }
}

/// `read(2)`, named apart from ``SecretFile/read(path:what:allowInsecure:maximumSize:)``.
private func posixRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// Why a secret file cannot be used.
public struct SecretFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable code.
    public enum Code: String, Hashable, Sendable {
        /// Missing, a folder, or not readable by this user.
        case unreadable = "key-file-unreadable"
        /// Its group or other users may read or write it.
        case insecure = "key-file-insecure"
        /// Larger than the cap.
        case tooLarge = "key-file-too-large"
        /// A key file (``KeyFile``) in the JSON form that is not one.
        case malformed = "key-file"
        /// A bare key file (``KeyFile``) with no non-empty line.
        case empty = "key-file-empty"
    }

    /// The stable code.
    public let code: Code
    /// A human message; never the file's contents.
    public let message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// Errors are equal when their codes are.
    public static func == (lhs: SecretFileError, rhs: SecretFileError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
