import CertDropTestSupport
import Foundation
import PKCS12Kit
import Testing

@testable import DropPipeline

/// Builds an archive with Python's zipfile/tarfile (names and types exactly as given, hostile ones included).
/// Each entry: `name`, and `file` (a path to copy), `text`, `symlink` or `dir`.
func makeArchive(_ path: URL, format: String, entries: [[String: String]]) throws {
    let spec = try JSONSerialization.data(withJSONObject: ["path": path.path, "format": format, "entries": entries])
    let script = """
        import io, json, sys, tarfile, zipfile
        spec = json.loads(sys.stdin.read())
        def data(e):
            if "file" in e: return open(e["file"], "rb").read()
            return e.get("text", "").encode()
        if spec["format"] == "zip":
            with zipfile.ZipFile(spec["path"], "w", zipfile.ZIP_DEFLATED) as z:
                for e in spec["entries"]: z.writestr(e["name"], data(e))
        else:
            mode = {"tar": "w", "tar.gz": "w:gz", "tar.bz2": "w:bz2", "tar.xz": "w:xz"}[spec["format"]]
            with tarfile.open(spec["path"], mode) as t:
                for e in spec["entries"]:
                    info = tarfile.TarInfo(e["name"])
                    if "symlink" in e:
                        info.type = tarfile.SYMTYPE; info.linkname = e["symlink"]; t.addfile(info)
                    else:
                        b = data(e); info.size = len(b); t.addfile(info, io.BytesIO(b))
        """
    let result = Fixtures.output(["/usr/bin/env", "python3", "-c", script], input: spec)
    guard result.status == 0 else {
        throw PipelineError(.input, "python failed: \(String(decoding: result.stderr, as: UTF8.self))")
    }
}

/// Validates `paths` with the ArchiveKit unpacker and a password map written from `map`.
func validateDrop(_ paths: [String], map: [String: Any], archivePasswords: [String] = []) throws -> [ItemReport] {
    _ = Fixtures.directory
    let folder = Fixtures.temporaryFolder("map")
    let mapFile = folder.appendingPathComponent("passwords.json")
    try JSONSerialization.data(withJSONObject: map).write(to: mapFile)
    let book = try PasswordSources(mapFile: mapFile.path).load(environment: [:], standardInput: { nil })
    let unpacker = ArchiveUnpacker(
        passwords: book, archivePasswords: archivePasswords.map { SecretBytes(utf8: $0) })
    let validation = DropValidation(
        reader: DropReader(paths: paths, unpacker: unpacker),
        inspector: Inspector(policy: ValidationPolicy(), passwords: book))
    var reports: [ItemReport] = []
    validation.run { reports.append($0) }
    return reports
}

/// Copies fixtures into `folder/staging` under new names (name → fixture) for tools that archive a folder.
func stage(_ files: [String: String], in folder: URL) throws -> URL {
    let staging = folder.appendingPathComponent("staging")
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    for (name, fixture) in files {
        try FileManager.default.copyItem(
            atPath: Fixtures.path(fixture), toPath: staging.appendingPathComponent(name).path)
    }
    return staging
}

extension [ItemReport] {
    func source(_ suffix: String) -> ItemReport? { first { $0.source.hasSuffix(suffix) } }
}

@Suite struct ArchiveDropTests {
    @Test func archivesNestedArchivesAndPasswordsByName() throws {
        let folder = Fixtures.temporaryFolder("drop")
        let inner = folder.appendingPathComponent("inner.zip")
        try makeArchive(inner, format: "zip", entries: [["name": "ec.pfx", "file": Fixtures.path("ec-p256.pfx")]])
        try makeArchive(
            folder.appendingPathComponent("bundle.tar.gz"), format: "tar.gz",
            entries: [["name": "inner.zip", "file": inner.path], ["name": "notes.txt", "text": "hello"]])
        try makeArchive(
            folder.appendingPathComponent("drop.zip"), format: "zip",
            entries: [
                ["name": "certs/api.pfx", "file": Fixtures.path("rsa-default.pfx")],
                ["name": "README.md", "text": "# drop"],
            ])
        try FileManager.default.removeItem(at: inner)
        let reports = try validateDrop(
            [folder.path],
            map: ["drop.zip!certs/*.pfx": "rsa-default-pw", "bundle.tar.gz!inner.zip!ec.pfx": "ec-pw"])
        #expect(
            reports.map { $0.source.dropFirst(folder.path.count + 1) } == [
                "bundle.tar.gz!inner.zip!ec.pfx", "bundle.tar.gz!notes.txt", "drop.zip!certs/api.pfx",
                "drop.zip!README.md",
            ])
        let ec = try #require(reports.source("bundle.tar.gz!inner.zip!ec.pfx"))
        #expect(ec.verdict == .ok, "\(ec.problems)")
        #expect(ec.id == "ec")
        #expect(ec.archive?.containers == [folder.path + "/bundle.tar.gz", folder.path + "/bundle.tar.gz!inner.zip"])
        #expect(ec.archive?.entrySize == Fixtures.bytes("ec-p256.pfx").count)
        #expect(reports.source("drop.zip!certs/api.pfx")?.verdict == .ok)
        #expect(reports.source("drop.zip!README.md")?.verdict == .ignored)
    }

    @Test(arguments: ["tar", "tar.bz2", "tar.xz"])
    func compressedTars(format: String) throws {
        let folder = Fixtures.temporaryFolder("tar")
        let archive = folder.appendingPathComponent("drop.\(format)")
        try makeArchive(archive, format: format, entries: [["name": "a.pfx", "file": Fixtures.path("java-aes.pfx")]])
        let reports = try validateDrop([archive.path], map: ["a.pfx": "java-pw"])
        #expect(reports.map(\.verdict) == [.ok])
        #expect(reports.first?.source == archive.path + "!a.pfx")
    }

    @Test func sevenZipAndSingleGzip() throws {
        let folder = Fixtures.temporaryFolder("7z")
        let staging = try stage(["win.pfx": "rsa-3des.pfx"], in: folder)
        let seven = folder.appendingPathComponent("drop.7z").path
        #expect(
            Fixtures.run(["/usr/bin/bsdtar", "--format", "7zip", "-cf", seven, "-C", staging.path, "win.pfx"]) == 0)
        let gzip = folder.appendingPathComponent("single.pfx.gz").path
        let zipped = Fixtures.output(["/bin/gzip", "-c", Fixtures.path("ec-p384.pfx")])
        try zipped.stdout.write(to: URL(fileURLWithPath: gzip))
        let reports = try validateDrop([seven, gzip], map: ["win.pfx": "3des-pw", "single.pfx": "ec-pw"])
        #expect(reports.map(\.source) == [seven + "!win.pfx", gzip + "!single.pfx"])
        #expect(reports.map(\.verdict) == [.ok, .ok])
    }

    @Test func hostileEntriesGetTheirCodes() throws {
        let folder = Fixtures.temporaryFolder("hostile")
        try makeArchive(
            folder.appendingPathComponent("evil.tar"), format: "tar",
            entries: [
                ["name": "../escape.pfx", "text": "x"],
                ["name": "/etc/absolute.pfx", "text": "x"],
                ["name": "link.pfx", "symlink": "/etc/passwd"],
                ["name": "fine.pfx", "file": Fixtures.path("ec-p256.pfx")],
            ])
        let reports = try validateDrop([folder.path], map: ["*": "ec-pw"])
        #expect(reports.source("!../escape.pfx")?.problems.map(\.code) == [.unsafePath])
        #expect(reports.source("!/etc/absolute.pfx")?.problems.map(\.code) == [.unsafePath])
        #expect(reports.source("!link.pfx")?.problems.map(\.code) == [.unsafeEntry])
        #expect(reports.source("!fine.pfx")?.verdict == .ok)
    }

    @Test func corruptArchiveKeepsWhatCameBefore() throws {
        let folder = Fixtures.temporaryFolder("corrupt")
        let whole = folder.appendingPathComponent("whole.tar")
        try makeArchive(
            whole, format: "tar",
            entries: [
                ["name": "first.pfx", "file": Fixtures.path("ec-p256.pfx")],
                ["name": "second.pfx", "file": Fixtures.path("ec-p384.pfx")],
            ])
        let bytes = try Data(contentsOf: whole)
        let cut = folder.appendingPathComponent("cut.tar")
        try bytes.prefix(bytes.count / 2 + 700).write(to: cut)
        try FileManager.default.removeItem(at: whole)
        let reports = try validateDrop([cut.path], map: ["*": "ec-pw"])
        #expect(reports.source("!first.pfx")?.verdict == .ok)
        #expect(reports.contains { $0.problems.contains { $0.code == .corruptArchive } })
    }

    @Test func encryptedZipEntry() throws {
        let folder = Fixtures.temporaryFolder("zipcrypto")
        let staging = try stage(["locked.pfx": "ec-p256.pfx"], in: folder)
        let zip = folder.appendingPathComponent("locked.zip").path
        let made = Fixtures.output(
            ["/bin/sh", "-c", "cd '\(staging.path)' && zip -q -P zip-secret '\(zip)' locked.pfx"])
        #expect(made.status == 0)
        let without = try validateDrop([zip], map: ["*": "ec-pw"])
        #expect(without.first?.problems.map(\.code) == [.encryptedEntry])
        let withFile = try validateDrop([zip], map: ["*": "ec-pw"], archivePasswords: ["zip-secret"])
        #expect(withFile.first?.verdict == .ok)
        let withMap = try validateDrop([zip], map: ["locked.zip": "zip-secret", "locked.pfx": "ec-pw"])
        #expect(withMap.first?.verdict == .ok)
        #expect(withMap.first?.source == zip + "!locked.pfx")
    }

    @Test func pemBundlesAreNormalised() throws {
        let reports = try validateDrop(
            [Fixtures.path("bundle")], map: ["bundle/encrypted.key": "pem-pw"])
        let combined = try #require(reports.source("/combined.pem"))
        #expect(combined.verdict == .ok, "\(combined.problems)")
        #expect(combined.pkcs12?.hasPrivateKey == true)
        #expect(combined.chain.count == 2)
        // A certificate and key pair without its chain: the path stops at the leaf (its issuer is not in the pair).
        let encrypted = try #require(reports.source("/encrypted.crt"))
        #expect(encrypted.verdict == .warning, "\(encrypted.problems)")
        #expect(encrypted.problems.map(\.code) == [.incompleteChain])
        #expect(encrypted.certificate?.keyAlgorithm == "EC")
        #expect(reports.source("/encrypted.key")?.verdict == .ignored)
        #expect(reports.source("/encrypted.key")?.problems.map(\.code) == [.paired])
        // leaf.crt pairs with leaf.key; leaf.der is the same certificate without a key.
        let leaf = try #require(reports.source("/leaf.crt"))
        #expect(leaf.problems.map(\.code) == [.incompleteChain, .duplicate])
        // A certificate without its key is not a copy of the uploadable one, but it wants the same id.
        #expect(reports.source("/leaf.der")?.problems.map(\.code) == [.noPrivateKey, .duplicateID])
        #expect(reports.source("/orphan.crt")?.problems.map(\.code) == [.noPrivateKey])
    }

    @Test func aLoneCertificateSortedFirstDoesNotMakeTheKeyedFileADuplicate() throws {
        let folder = Fixtures.temporaryFolder("lone")
        try FileManager.default.copyItem(
            atPath: Fixtures.path("bundle/leaf.der"), toPath: folder.appendingPathComponent("a.der").path)
        try FileManager.default.copyItem(
            atPath: Fixtures.path("bundle/combined.pem"), toPath: folder.appendingPathComponent("b.pem").path)
        let reports = try validateDrop([folder.path], map: [:])
        #expect(reports.source("/a.der")?.problems.map(\.code) == [.noPrivateKey])
        #expect(reports.source("/b.pem")?.verdict == .ok)
    }

    @Test func wrongPEMKeyPassword() throws {
        let reports = try validateDrop([Fixtures.path("bundle")], map: ["encrypted.key": "nope"])
        #expect(reports.source("/encrypted.crt")?.problems.map(\.code) == [.wrongPassword])
    }

    @Test func normalisedBundleUploadsWithItsPassword() throws {
        let book = try PasswordSources().load(environment: [:], standardInput: { nil })
        let inspector = Inspector(policy: ValidationPolicy(), passwords: book)
        let item = DropItem(
            source: "x/combined.pem", relativeName: "combined.pem",
            content: .success(Fixtures.bytes("bundle/combined.pem")))
        let inspected = inspector.inspect(item)
        let upload = try #require(inspected.upload)
        let reopened = try PKCS12Bundle.open(upload.pkcs12, passwords: [upload.bundle.password])
        #expect(reopened.certificate?.thumbprint == inspected.report.certificate?.thumbprint)
        #expect(!upload.bundle.password.isEmpty)
    }
}
