import CertificateAPI
import Foundation

/// A folder that stands in for Azure Key Vault in rehearsals (`certdrop serve --key-vault-dir DIR`): it resolves a
/// certificate's `secretIdentifier` to a PKCS#12 file.
///
/// ```
/// DIR/VAULT/SECRET/VERSION.pfx        one version of the secret: the PKCS#12 file, as Key Vault exports it
/// DIR/VAULT/SECRET/VERSION.password   only for a PFX with a password: the password, UTF-8 (one trailing line
///                                     break is dropped)
/// ```
///
/// `https://VAULT.vault.azure.net/secrets/SECRET/VERSION` names `DIR/VAULT/SECRET/VERSION.pfx` (the host's first
/// label is the vault; any Key Vault domain works, `vault.azure.cn` included). Without a version the identifier
/// names the current version: the `.pfx` modified last (on a tie, the greatest name), as Key Vault's current
/// version is the one written last; dropping in a new `VERSION.pfx` is how a rotation is rehearsed. Names are
/// taken as written, except the vault's, which is a DNS label and so is looked up in lower case. Vault, secret and
/// version names are 1–127 letters, digits and hyphens, so an identifier can never reach outside DIR.
///
/// Both files hold secrets and are read as such (``CertificateAPI/SecretFile``): a file that its group or other
/// users may read or write is refused (the status message gives the `chmod 600`). A PFX without a password, the
/// way Key Vault exports certificates, needs no password file; the empty password (and none) is then tried. The
/// password never appears on a command line, in a message or in the store.
public struct LocalKeyVault: Hashable, Sendable {
    /// The folder.
    public let root: String

    /// The most `.pfx` files a secret's folder may hold.
    public static let maximumVersions = 1_000
    /// The most entries of any kind a secret's folder may hold.
    public static let maximumEntries = 10_000

    /// Makes a vault over a folder.
    public init(root: String) {
        self.root = root
    }

    /// The parts of a Key Vault secret identifier.
    public struct SecretName: Hashable, Sendable {
        /// The vault's name, in lower case.
        public let vault: String
        /// The secret's name.
        public let secret: String
        /// The version, or `nil` for the current one.
        public let version: String?

        /// Reads `https://VAULT.DOMAIN/secrets/SECRET[/VERSION][/]`, or returns `nil`.
        public init?(secretIdentifier: String) {
            guard let components = URLComponents(string: secretIdentifier),
                components.scheme?.lowercased() == "https", components.query == nil, components.fragment == nil,
                components.user == nil, components.password == nil,
                let host = components.host, let dot = host.firstIndex(of: ".")
            else { return nil }
            let vault = String(host[..<dot]).lowercased()
            var segments = components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false).map(
                String.init)
            guard segments.first == "" else { return nil }
            segments.removeFirst()
            if segments.last == "" { segments.removeLast() }
            guard segments.count == 2 || segments.count == 3, segments[0].lowercased() == "secrets",
                Self.isName(vault), Self.isName(segments[1])
            else { return nil }
            if segments.count == 3 {
                guard Self.isName(segments[2]) else { return nil }
                version = segments[2]
            } else {
                version = nil
            }
            self.vault = vault
            self.secret = segments[1]
        }

        /// Whether `text` is 1–127 ASCII letters, digits and hyphens.
        static func isName(_ text: String) -> Bool {
            (1...127).contains(text.utf8.count)
                && text.utf8.allSatisfy { byte in
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                        return true
                    default:
                        return false
                    }
                }
        }
    }

    /// One version of a secret, found in the folder.
    public struct SecretVersion: Hashable, Sendable {
        /// The version's name.
        public let version: String
        /// The `.pfx` file.
        public let pkcs12Path: String
        /// The `.password` file, when there is one.
        public let passwordPath: String?
    }

    /// Finds the file a secret identifier names.
    /// - Returns: The version, or a message that says why there is none (the identifier quoted and escaped).
    public func locate(_ secretIdentifier: String) -> Result<SecretVersion, LocalKeyVaultError> {
        let quoted = RequestReader.quoted(secretIdentifier)
        guard let name = SecretName(secretIdentifier: secretIdentifier) else {
            return .failure(
                LocalKeyVaultError(
                    "\(quoted) is not a Key Vault secret identifier (https://VAULT.vault.azure.net/secrets/NAME"
                        + "[/VERSION], names of letters, digits and hyphens)"))
        }
        let folder = URL(fileURLWithPath: root).appendingPathComponent(name.vault)
            .appendingPathComponent(name.secret)
        if let version = name.version {
            let file = folder.appendingPathComponent(version + ".pfx").path
            guard FileManager.default.fileExists(atPath: file) else {
                return .failure(
                    LocalKeyVaultError(
                        "the secret \(quoted) was not found in the local Key Vault: no \(name.vault)/\(name.secret)/"
                            + "\(version).pfx"))
            }
            return .success(Self.version(version, in: folder))
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue,
            let entries = FileManager.default.enumerator(
                at: folder, includingPropertiesForKeys: nil, options: [.skipsSubdirectoryDescendants])
        else {
            return .failure(
                LocalKeyVaultError(
                    "the secret \(quoted) was not found in the local Key Vault: no folder \(name.vault)/"
                        + "\(name.secret)"))
        }
        // The folder is read entry by entry and given up on past the caps, however many files it holds.
        var versions: [String] = []
        var seen = 0
        while let entry = entries.nextObject() as? URL {
            seen += 1
            let file = entry.lastPathComponent
            if file.hasSuffix(".pfx"), case let version = String(file.dropLast(4)), SecretName.isName(version) {
                versions.append(version)
            }
            guard versions.count <= Self.maximumVersions, seen <= Self.maximumEntries else {
                return .failure(
                    LocalKeyVaultError(
                        "the secret \(quoted) has more than \(Self.maximumVersions) versions (or "
                            + "\(Self.maximumEntries) files) in the local Key Vault; at most \(Self.maximumVersions) "
                            + "are read"))
            }
        }
        let dated = versions.map { version -> (String, Date) in
            let path = folder.appendingPathComponent(version + ".pfx").path
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            return (version, modified ?? .distantPast)
        }
        guard let current = dated.max(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else {
            return .failure(
                LocalKeyVaultError(
                    "the secret \(quoted) has no version in the local Key Vault: no .pfx file in \(name.vault)/"
                        + "\(name.secret)"))
        }
        return .success(Self.version(current.0, in: folder))
    }

    private static func version(_ version: String, in folder: URL) -> SecretVersion {
        let password = folder.appendingPathComponent(version + ".password").path
        return SecretVersion(
            version: version, pkcs12Path: folder.appendingPathComponent(version + ".pfx").path,
            passwordPath: FileManager.default.fileExists(atPath: password) ? password : nil)
    }
}

/// Why a Key Vault secret could not be read; the message goes into `lastStatus.message`.
public struct LocalKeyVaultError: Error, Hashable, Sendable {
    /// A human message without secrets.
    public let message: String

    /// Makes an error.
    public init(_ message: String) {
        self.message = message
    }
}
