import Foundation

/// An access key file, the one format the service writes and both the service and the client read. Two forms:
///
/// - a CertDrop service's key file, a JSON object (the service writes it, mode `0600`):
///   ```json
///   { "identifier": "integration", "primaryKey": "…", "secondaryKey": "…" }
///   ```
///   `secondaryKey` is optional (`null` is the same as absent); `id` and `primary` are read as spellings of
///   `identifier` and `primaryKey` (the client has always accepted them); other members are ignored;
/// - a bare shared access key: anything that does not start with `{` (after white space). The key is the file's
///   first non-empty line exactly as written (a key is secret text, so nothing inside the line is trimmed); the
///   identifier is given apart (`--sas-id`, `sasId`).
///
/// Files are read through ``SecretFile`` (checked on the open descriptor, refused when other users may read or
/// write them unless allowed, at most ``SecretFile/maximumSize`` bytes). The keys never show themselves.
public struct KeyFile: Sendable, CustomStringConvertible {
    /// Which of the two forms a file has.
    public enum Form: String, Sendable, Hashable {
        /// A CertDrop service's key file (JSON).
        case service
        /// A bare shared access key (its first line).
        case bareKey = "bare-key"
    }

    /// The form read.
    public let form: Form
    /// The access identifier the file names; `nil` for a bare key, or a JSON file that names none (or names `""`).
    public let identifier: String?
    /// The primary key (a bare key's only key).
    public let primaryKey: SigningKey
    /// The secondary key, when the file has one.
    public let secondaryKey: SigningKey?

    /// Both keys as a pair.
    public var keys: SharedAccessKeyPair { SharedAccessKeyPair(primary: primaryKey, secondary: secondaryKey) }

    /// Shows the form and the identifier only.
    public var description: String {
        "KeyFile(form: \(form.rawValue), identifier: \(identifier ?? "none"), keys: <redacted>)"
    }

    /// The text a JSON key file must follow, for messages.
    public static let serviceFormText = #"{"identifier": …, "primaryKey": …, "secondaryKey": …}"#

    /// Reads and parses the key file at `path`.
    /// - Throws: ``SecretFileError``: those of ``SecretFile/read(path:what:allowInsecure:maximumSize:)``,
    ///   `key-file-malformed` and `key-file-empty` from ``parse(_:path:)``.
    public static func read(path: String, allowInsecure: Bool = false) throws(SecretFileError) -> KeyFile {
        try parse(try SecretFile.read(path: path, allowInsecure: allowInsecure), path: path)
    }

    /// Parses a key file's bytes; `path` goes into messages, which never quote the contents.
    /// - Throws: ``SecretFileError/Code/malformed`` for a JSON form that is not a key file (not JSON, not an
    ///   object, no non-empty `primaryKey` string, an `identifier` or `secondaryKey` that is not a string);
    ///   ``SecretFileError/Code/empty`` for a bare key file with no non-empty line.
    public static func parse(_ bytes: [UInt8], path: String) throws(SecretFileError) -> KeyFile {
        let firstVisible = bytes.first { !Self.isWhiteSpace($0) }
        guard firstVisible == UInt8(ascii: "{") else {
            let text = String(decoding: bytes, as: UTF8.self)
            guard let line = text.split(whereSeparator: \.isNewline).first, !line.isEmpty else {
                throw SecretFileError(.empty, "the key file \(path) is empty")
            }
            return KeyFile(form: .bareKey, identifier: nil, primaryKey: SigningKey(String(line)), secondaryKey: nil)
        }
        let malformed = SecretFileError(.malformed, "the key file \(path) is not \(serviceFormText)")
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw malformed
        }
        func member(_ names: String...) throws(SecretFileError) -> String? {
            guard let name = names.first(where: { object[$0] != nil && !(object[$0] is NSNull) }) else { return nil }
            guard let value = object[name] as? String else { throw malformed }
            return value
        }
        guard let primary = try member("primaryKey", "primary"), !primary.isEmpty else { throw malformed }
        let identifier = try member("identifier", "id")
        let secondary = try member("secondaryKey")
        return KeyFile(
            form: .service, identifier: identifier?.isEmpty == false ? identifier : nil,
            primaryKey: SigningKey(primary), secondaryKey: secondary.map(SigningKey.init))
    }

    /// The bytes of a new service key file: pretty-printed JSON with sorted members and a final newline.
    public static func serviceFileBytes(identifier: String, primaryKey: String, secondaryKey: String?) -> [UInt8] {
        struct Contents: Encodable {
            let identifier: String
            let primaryKey: String
            let secondaryKey: String?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding three strings cannot fail; an empty file would be refused when read back.
        let json =
            (try? encoder.encode(Contents(identifier: identifier, primaryKey: primaryKey, secondaryKey: secondaryKey)))
            ?? Data()
        return Array(json) + [0x0A]
    }

    private static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
