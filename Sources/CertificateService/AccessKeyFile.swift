import CertificateAPI
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The operator's access identifier and its two keys, kept in a JSON file with mode `0600`:
///
/// ```json
/// { "identifier": "integration", "primaryKey": "…", "secondaryKey": "…" }
/// ```
///
/// Shared access signatures (legacy dialect) are signed with either key; bearer tokens (ARM dialect) are
/// HMAC-signed with either key too (``CertificateAPI/BearerToken``). The keys never show themselves: the
/// description says `<redacted>`.
public struct AccessKeyFile: Sendable, CustomStringConvertible {
    /// The access identifier (`uid` of a shared access signature, subject of a bearer token).
    public let identifier: String
    /// The two keys.
    public let keys: SharedAccessKeyPair

    /// The identifier that a new key file gets, as API Management names its built-in one.
    public static let defaultIdentifier = "integration"

    /// Makes a key file's contents.
    public init(identifier: String, keys: SharedAccessKeyPair) {
        self.identifier = identifier
        self.keys = keys
    }

    /// Makes an identifier with two fresh random keys (64 random bytes each, base64).
    public static func generate(identifier: String = defaultIdentifier) -> AccessKeyFile {
        AccessKeyFile(
            identifier: identifier, keys: SharedAccessKeyPair(primary: randomKey(), secondary: randomKey()))
    }

    /// The keyring that verifies shared access signatures.
    public var keyring: [String: SharedAccessKeyPair] { [identifier: keys] }

    /// The keys that verify bearer tokens.
    public var bearerKeys: [SigningKey] { [keys.primary] + (keys.secondary.map { [$0] } ?? []) }

    /// Shows the identifier only.
    public var description: String { "AccessKeyFile(identifier: \(identifier), keys: <redacted>)" }

    /// Reads a key file (``CertificateAPI/KeyFile``, its JSON form) through ``CertificateAPI/SecretFile``: checked
    /// on the open descriptor, refused when other users may read or write it (unless `allowInsecure`), at most
    /// 64 KiB.
    /// - Throws: ``CertificateServiceError/Code/invalidRequest`` with detail `key-file-insecure` (the message says
    ///   the `chmod 600` that fixes it), `key-file-unreadable`, `key-file-too-large`, or `key-file` when it is not
    ///   of the expected form; the message never quotes the file's contents.
    public static func load(path: String, allowInsecure: Bool = false) throws(CertificateServiceError) -> AccessKeyFile
    {
        let file: KeyFile
        do {
            file = try KeyFile.read(path: path, allowInsecure: allowInsecure)
        } catch  where error.code == .malformed || error.code == .empty {
            throw malformed(path)
        } catch {
            throw CertificateServiceError(.invalidRequest, error.message, detailCode: error.code.rawValue)
        }
        // The service's own key file names its identifier; a bare key names none.
        guard file.form == .service, let identifier = file.identifier else { throw malformed(path) }
        return AccessKeyFile(identifier: identifier, keys: file.keys)
    }

    /// Reads the key file at `path` (as ``load(path:allowInsecure:)`` does), or creates it with mode `0600` and a
    /// fresh identifier and keys when there is none.
    /// - Returns: The keys and whether the file was created now.
    public static func loadOrCreate(path: String, allowInsecure: Bool = false) throws(CertificateServiceError) -> (
        AccessKeyFile, created: Bool
    ) {
        var status = stat()
        if lstat(path, &status) == 0 {
            return (try load(path: path, allowInsecure: allowInsecure), false)
        }
        let primary = randomKey()
        let secondary = randomKey()
        try writePrivately(
            KeyFile.serviceFileBytes(identifier: defaultIdentifier, primaryKey: primary, secondaryKey: secondary),
            to: path)
        return (
            AccessKeyFile(
                identifier: defaultIdentifier, keys: SharedAccessKeyPair(primary: primary, secondary: secondary)), true
        )
    }

    /// Whether the file at `path` can be read or written by others than its owner.
    public static func isShared(path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let mode = attributes[.posixPermissions] as? NSNumber
        else { return false }
        return mode.intValue & 0o077 != 0
    }

    /// Writes a new file that only its owner can read: created with mode `0600` (never wider, not even for a
    /// moment), then renamed into place so that a reader never sees half a file.
    private static func writePrivately(_ bytes: [UInt8], to path: String) throws(CertificateServiceError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw keyFileError("cannot create the folder \(folder.path)")
        }
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw keyFileError("cannot create the key file \(path)") }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw keyFileError("cannot write the key file \(path)")
        }
    }

    private static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<64).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
    }

    private static func malformed(_ path: String) -> CertificateServiceError {
        keyFileError("the key file \(path) is not \(KeyFile.serviceFormText)")
    }

    private static func keyFileError(_ message: String) -> CertificateServiceError {
        CertificateServiceError(.invalidRequest, message, detailCode: "key-file")
    }
}
