import CertificateAPI
import Foundation

/// Gives the `Authorization` header value for a request. Implementations renew tokens before they expire.
public protocol CredentialProvider: Sendable {
    /// The header value (`SharedAccessSignature …` or `Bearer …`). Never log it.
    func authorization() async throws -> String

    /// The service refused `header` with `401`: forget it, and say whether the next ``authorization()`` may give a
    /// different one worth one more try. By default `false` (a file's token or a minted one would be the same).
    func renew(rejected header: String) async -> Bool
}

extension CredentialProvider {
    /// No renewal: the same credential would be refused again.
    public func renew(rejected header: String) async -> Bool { false }
}

/// A token read from a file once: a shared access signature (with or without its scheme) or a bearer token.
public struct TokenFileCredential: CredentialProvider {
    private let value: String

    /// Reads the first line of `path` (at most ``SecretFile/maximumSize`` bytes, counted as read; a regular file
    /// or a pipe). `scheme` is `SharedAccessSignature` or `Bearer`.
    public init(path: String, scheme: String) throws(ClientError) {
        let data: [UInt8]
        do {
            // Tokens expire; unlike a key file, one readable by others is not refused.
            data = try SecretFile.read(path: path, what: "token file", allowInsecure: true)
        } catch {
            throw ClientError.secretFile(error)
        }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let token = line.trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw ClientError.passwordSource("the token file \(path) is empty") }
        value = token.hasPrefix(scheme + " ") ? token : scheme + " " + token
    }

    public func authorization() async throws -> String { value }
}

/// Shared access signatures minted from an identifier and a key, each valid for a short time and renewed before
/// it runs out.
public actor MintedSignatureCredential: CredentialProvider {
    private let identifier: String
    private let key: SigningKey
    private let lifetime: TimeInterval
    private var cache = MintedTokenCache()

    /// Mints tokens for `identifier` with `key`, each valid for `lifetime` seconds (default 1 hour).
    public init(identifier: String, key: SigningKey, lifetime: TimeInterval = 3600) {
        self.identifier = identifier
        self.key = key
        self.lifetime = lifetime
    }

    /// Reads the key from a key file (``CertificateAPI/KeyFile``): a bare key on the first line, or the service's
    /// key file (JSON with the identifier and its primary key). The file is read through
    /// ``CertificateAPI/SecretFile``: refused when other users may read or write it (unless `allowInsecure`), at
    /// most 64 KiB.
    public static func fromKeyFile(path: String, identifier: String?, allowInsecure: Bool = false)
        throws(ClientError) -> MintedSignatureCredential
    {
        try MintedSignatureCredential(
            keyFile: try readKeyFile(path: path, allowInsecure: allowInsecure), identifier: identifier)
    }

    /// Mints with a key file's primary key, for `identifier` or else the identifier the file names.
    public init(keyFile: KeyFile, identifier: String?) throws(ClientError) {
        switch keyFile.form {
        case .service:
            guard let id = identifier ?? keyFile.identifier else {
                throw ClientError.usage("the key file names no identifier; give --sas-id")
            }
            self.init(identifier: id, key: keyFile.primaryKey)
        case .bareKey:
            guard let identifier else { throw ClientError.usage("--sas-key-file needs --sas-id") }
            self.init(identifier: identifier, key: keyFile.primaryKey)
        }
    }

    public func authorization() async throws -> String {
        cache.header(lifetime: lifetime) { [identifier, key] expires in
            SharedAccessSignature.mint(uid: identifier, key: key, expiry: expires).authorizationHeaderValue
        }
    }
}

/// A key file (``CertificateAPI/KeyFile``), read through ``CertificateAPI/SecretFile`` (checked on the open
/// descriptor, capped) and parsed.
/// - Throws: ``ClientError/Code/insecureKeyFile`` when other users may read or write it and `allowInsecure` is
///   not set; ``ClientError/Code/passwordSource`` when it cannot be read, is too large, empty or malformed.
public func readKeyFile(path: String, allowInsecure: Bool) throws(ClientError) -> KeyFile {
    do {
        return try KeyFile.read(path: path, allowInsecure: allowInsecure)
    } catch {
        throw ClientError.secretFile(error)
    }
}

/// Bearer tokens for a CertDrop service's ARM dialect, minted with the operator's key and renewed before they
/// run out.
public actor MintedBearerCredential: CredentialProvider {
    private let subject: String
    private let key: SigningKey
    private let lifetime: TimeInterval
    private var cache = MintedTokenCache()

    /// Mints tokens for `subject` with `key`, each valid for `lifetime` seconds.
    public init(subject: String, key: SigningKey, lifetime: TimeInterval = 3600) {
        self.subject = subject
        self.key = key
        self.lifetime = lifetime
    }

    public func authorization() async throws -> String {
        cache.header(lifetime: lifetime) { [subject, key] expires in
            BearerToken.authorizationHeaderValue(
                token: BearerToken.mint(subject: subject, expiresAt: expires, key: key))
        }
    }
}

/// The last minted header and when it runs out: a new one is minted when less than a quarter of its lifetime (at
/// most five minutes) is left, so that no request goes out with a token about to expire.
struct MintedTokenCache {
    private var current: (header: String, expires: Date)?

    mutating func header(lifetime: TimeInterval, now: Date = Date(), mint: (Date) -> String) -> String {
        if let current, current.expires.timeIntervalSince(now) > min(300, lifetime / 4) {
            return current.header
        }
        let expires = now.addingTimeInterval(lifetime)
        let header = mint(expires)
        current = (header, expires)
        return header
    }
}
