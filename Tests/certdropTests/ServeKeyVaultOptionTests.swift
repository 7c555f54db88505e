import CertDropTestSupport
import Foundation
import Testing

/// `certdrop serve --key-vault-dir DIR`.
@Suite struct ServeKeyVaultOptionTests {
    @Test func aMissingFolderOrAFileIsAUsageError() throws {
        let folder = Fixtures.temporaryFolder("cli-kv")
        let file = folder.appendingPathComponent("not-a-folder").path
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        for path in [folder.appendingPathComponent("absent").path, file, ""] {
            let result = certdrop([
                "serve", "--store", folder.path + "/s.sqlite", "--port", "0", "--key-vault-dir", path,
            ])
            #expect(result.status == 2, "\(path): \(result.stderr)")
            #expect(result.stderr.contains("--key-vault-dir must name an existing folder"))
        }
    }

    @Test func theServiceStartsWithAFolder() throws {
        let folder = Fixtures.temporaryFolder("cli-kv")
        let vault = KeyVaultFolder()
        vault.add(secret: "s", version: "v1", fixture: "empty-password.pfx")
        let serve = try ServeProcess(folder: folder, arguments: ["--key-vault-dir", vault.root.path])
        #expect(serve.url.hasPrefix("http://127.0.0.1:"))
    }

    @Test func helpDescribesTheLayoutAndThePasswordFile() {
        let help = certdrop(["serve", "--help"])
        #expect(help.stdout.contains("--key-vault-dir"))
        #expect(help.stdout.contains("VERSION.password"))
        #expect(help.stdout.contains("refreshSecret"))
    }
}
