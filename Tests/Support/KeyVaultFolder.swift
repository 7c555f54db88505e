import Foundation

/// A local Key Vault folder for tests (`certdrop serve --key-vault-dir`): `ROOT/VAULT/SECRET/VERSION.pfx`, with
/// `VERSION.password` for a protected file, every file mode 0600, filled from the generator's fixtures.
public struct KeyVaultFolder: Sendable {
    /// The folder.
    public let root: URL

    /// Makes an empty folder.
    public init() {
        root = Fixtures.temporaryFolder("key-vault")
    }

    /// The identifier of a secret (and version) in the vault `vault`: `https://VAULT.vault.azure.net/secrets/…`.
    public static func identifier(vault: String = "kv-test", secret: String, version: String? = nil) -> String {
        "https://\(vault).vault.azure.net/secrets/\(secret)" + (version.map { "/\($0)" } ?? "")
    }

    /// Stores a fixture as one version of a secret; a `password` goes into the version's password file.
    /// `modified` sets the file's modification time, which picks the current version.
    @discardableResult
    public func add(
        vault: String = "kv-test", secret: String, version: String, fixture: String, password: String? = nil,
        modified: Date? = nil, mode: Int = 0o600
    ) -> String {
        let folder = root.appendingPathComponent(vault).appendingPathComponent(secret)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(version + ".pfx").path
        FileManager.default.createFile(
            atPath: file, contents: Data(Fixtures.bytes(fixture)), attributes: [.posixPermissions: mode])
        if let password {
            FileManager.default.createFile(
                atPath: folder.appendingPathComponent(version + ".password").path, contents: Data(password.utf8),
                attributes: [.posixPermissions: 0o600])
        }
        if let modified {
            try? FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file)
        }
        return Self.identifier(vault: vault, secret: secret)
    }
}
