import CertDropTestSupport
import Foundation
import Testing

@testable import CertificateService

/// Reading secret identifiers and finding their files in a local Key Vault folder.
@Suite struct LocalKeyVaultTests {
    @Test(
        arguments: [
            ("https://kv1.vault.azure.net/secrets/api-cert", "kv1", "api-cert", nil),
            ("https://KV1.vault.azure.net/secrets/api-cert/", "kv1", "api-cert", nil),
            ("https://kv1.vault.azure.net/secrets/api-cert/0123abcd", "kv1", "api-cert", "0123abcd"),
            ("https://kv1.vault.azure.cn/Secrets/API-cert/v2/", "kv1", "API-cert", "v2"),
            ("https://rpbvt.vault-int.azure-int.net/secrets/msitestingCert", "rpbvt", "msitestingCert", nil),
        ] as [(String, String, String, String?)])
    func readsSecretIdentifiers(_ text: String, vault: String, secret: String, version: String?) throws {
        let name = try #require(LocalKeyVault.SecretName(secretIdentifier: text))
        #expect(name.vault == vault)
        #expect(name.secret == secret)
        #expect(name.version == version)
    }

    @Test(arguments: [
        "http://kv1.vault.azure.net/secrets/a", "https://kv1.vault.azure.net/keys/a",
        "https://kv1.vault.azure.net/secrets/", "https://kv1.vault.azure.net/secrets/a/b/c",
        "https://kv1.vault.azure.net/secrets/../a", "https://kv1.vault.azure.net/secrets/a/..",
        "https://kv1.vault.azure.net/secrets/a.b", "https://kv1.vault.azure.net/secrets/a%2Fb",
        "https://localhost/secrets/a", "https://kv1.vault.azure.net/secrets/a?x=1",
        "https://kv1.vault.azure.net/secrets/a#f", "https://u:p@kv1.vault.azure.net/secrets/a",
        "https://kv1.vault.azure.net//secrets/a", "kv1/secrets/a", "",
        "https://kv1.vault.azure.net/secrets/" + String(repeating: "a", count: 128),
    ])
    func refusesOtherText(_ text: String) {
        #expect(LocalKeyVault.SecretName(secretIdentifier: text) == nil)
        let vault = LocalKeyVault(root: "/nonexistent")
        guard case .failure(let error) = vault.locate(text) else {
            Issue.record("located \(text)")
            return
        }
        #expect(error.message.contains("is not a Key Vault secret identifier"))
    }

    @Test func namesOf127CharactersAreTheLongest() {
        let longest = String(repeating: "a", count: 127)
        #expect(LocalKeyVault.SecretName(secretIdentifier: "https://kv.vault.azure.net/secrets/\(longest)") != nil)
        #expect(
            LocalKeyVault.SecretName(secretIdentifier: "https://kv.vault.azure.net/secrets/a/\(longest)a") == nil)
    }

    @Test func theCurrentVersionIsTheNewestFileAndTiesGoToTheGreatestName() throws {
        let folder = KeyVaultFolder()
        let vault = LocalKeyVault(root: folder.root.path)
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        folder.add(secret: "s", version: "b", fixture: "empty-password.pfx", modified: base)
        folder.add(secret: "s", version: "a", fixture: "empty-password.pfx", modified: base.addingTimeInterval(-1))
        #expect(try vault.locate(KeyVaultFolder.identifier(secret: "s")).get().version == "b")
        folder.add(secret: "s", version: "c", fixture: "empty-password.pfx", modified: base)
        #expect(try vault.locate(KeyVaultFolder.identifier(secret: "s")).get().version == "c")
        folder.add(secret: "s", version: "a", fixture: "empty-password.pfx", modified: base.addingTimeInterval(1))
        #expect(try vault.locate(KeyVaultFolder.identifier(secret: "s")).get().version == "a")
        #expect(try vault.locate(KeyVaultFolder.identifier(secret: "s", version: "b")).get().version == "b")
        // Files that are not versions are passed over.
        FileManager.default.createFile(
            atPath: folder.root.appendingPathComponent("kv-test/s/z.txt").path, contents: Data("x".utf8))
        FileManager.default.createFile(
            atPath: folder.root.appendingPathComponent("kv-test/s/bad.name.pfx").path, contents: Data("x".utf8))
        #expect(try vault.locate(KeyVaultFolder.identifier(secret: "s")).get().version == "a")
    }

    @Test(arguments: [(LocalKeyVault.maximumVersions, true), (LocalKeyVault.maximumVersions + 1, false)])
    func aSecretReadsAtMostAThousandVersions(_ count: Int, readable: Bool) throws {
        let folder = KeyVaultFolder()
        let secret = folder.root.appendingPathComponent("kv-test/many")
        try FileManager.default.createDirectory(at: secret, withIntermediateDirectories: true)
        for index in 0..<count {
            FileManager.default.createFile(atPath: secret.appendingPathComponent("v\(index).pfx").path, contents: nil)
        }
        let result = LocalKeyVault(root: folder.root.path).locate(KeyVaultFolder.identifier(secret: "many"))
        switch result {
        case .success: #expect(readable)
        case .failure(let error):
            #expect(!readable)
            #expect(error.message.contains("at most 1000 are read"))
        }
    }

    @Test(arguments: [(LocalKeyVault.maximumEntries, true), (LocalKeyVault.maximumEntries + 1, false)])
    func aSecretFolderIsReadUpToTenThousandEntries(_ count: Int, readable: Bool) throws {
        let folder = KeyVaultFolder()
        folder.add(secret: "crowded", version: "v1", fixture: "empty-password.pfx")
        let secret = folder.root.appendingPathComponent("kv-test/crowded")
        for index in 1..<count {
            FileManager.default.createFile(
                atPath: secret.appendingPathComponent("note-\(index).txt").path, contents: nil)
        }
        let result = LocalKeyVault(root: folder.root.path).locate(KeyVaultFolder.identifier(secret: "crowded"))
        switch result {
        case .success(let version): #expect(readable && version.version == "v1")
        case .failure(let error):
            #expect(!readable)
            #expect(error.message.contains("10000 files"))
        }
    }

    @Test func aPasswordFileIsFoundBesideItsVersion() throws {
        let folder = KeyVaultFolder()
        folder.add(secret: "p", version: "v1", fixture: "rsa-default.pfx", password: "x")
        folder.add(secret: "p", version: "v2", fixture: "empty-password.pfx", modified: Date(timeIntervalSince1970: 0))
        let vault = LocalKeyVault(root: folder.root.path)
        let v1 = try vault.locate(KeyVaultFolder.identifier(secret: "p", version: "v1")).get()
        #expect(v1.passwordPath?.hasSuffix("kv-test/p/v1.password") == true)
        let v2 = try vault.locate(KeyVaultFolder.identifier(secret: "p", version: "v2")).get()
        #expect(v2.passwordPath == nil)
    }

    @Test func anEmptyOrMissingSecretFolderSaysSo() {
        let folder = KeyVaultFolder()
        try? FileManager.default.createDirectory(
            at: folder.root.appendingPathComponent("kv-test/empty"), withIntermediateDirectories: true)
        let vault = LocalKeyVault(root: folder.root.path)
        guard case .failure(let empty) = vault.locate(KeyVaultFolder.identifier(secret: "empty")),
            case .failure(let missing) = vault.locate(KeyVaultFolder.identifier(secret: "missing"))
        else {
            Issue.record("found a version")
            return
        }
        #expect(empty.message.contains("has no version"))
        #expect(missing.message.contains("was not found"))
    }

    @Test(arguments: [
        ([UInt8]("pw\n".utf8), "pw"), ([UInt8]("pw\r\n".utf8), "pw"), ([UInt8]("pw\n\n".utf8), "pw\n"),
        ([UInt8]("".utf8), ""), ([UInt8](" pw ".utf8), " pw "),
    ])
    func aPasswordFileLosesOneTrailingLineBreak(_ bytes: [UInt8], expected: String) {
        #expect(UploadValidator.passwordText(bytes) == expected)
    }
}
