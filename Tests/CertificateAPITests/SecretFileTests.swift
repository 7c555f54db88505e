import Foundation
import Testing

@testable import CertificateAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Key files are read once, checked on the open descriptor, refused when other users may read or write them, and
/// capped.
@Suite struct SecretFileTests {
    static func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("certdrop-secret-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` to a new file and gives it `mode` exactly (whatever the umask).
    static func file(_ bytes: [UInt8] = Array("s3cr3t-bytes\n".utf8), mode: mode_t, name: String = "key") throws
        -> String
    {
        let path = folder().appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try #require(chmod(path, mode) == 0)
        return path
    }

    @Test(arguments: [0o600, 0o400, 0o700] as [mode_t])
    func ownerOnlyModesAreAccepted(_ mode: mode_t) throws {
        let path = try Self.file(mode: mode)
        #expect(try SecretFile.read(path: path) == Array("s3cr3t-bytes\n".utf8))
    }

    /// The message of the error that reading `path` throws.
    static func refusal(_ path: String) -> SecretFileError? {
        do {
            _ = try SecretFile.read(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [0o640, 0o604, 0o620, 0o602, 0o601, 0o610, 0o644, 0o666] as [mode_t])
    func modesOthersCanUseAreRefusedWithTheFix(_ mode: mode_t) throws {
        let path = try Self.file(mode: mode)
        do {
            _ = try SecretFile.read(path: path)
            Issue.record("mode \(String(mode, radix: 8)) was accepted")
        } catch {
            #expect(error.code == .insecure)
            #expect(error.message.contains("chmod 600 \(path)"), "\(error.message)")
            #expect(error.message.contains(String(mode, radix: 8)))
            #expect(error.message.contains("--allow-insecure-key-file"))
            #expect(!error.message.contains("s3cr3t"))
        }
        // The caller's explicit choice overrides.
        #expect(try SecretFile.read(path: path, allowInsecure: true) == Array("s3cr3t-bytes\n".utf8))
    }

    @Test func theFixQuotesAPathWithSpaces() throws {
        let path = try Self.file(mode: 0o644, name: "my key's file")
        let quoted = "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let message = Self.refusal(path)?.message ?? ""
        #expect(message.contains("chmod 600 \(quoted)"), "\(message)")
        #expect(SecretFile.shellQuoted("/plain/path.json") == "/plain/path.json")
    }

    @Test func theModeIsThatOfTheFileOpenedThroughASymlink() throws {
        let shared = try Self.file(mode: 0o644)
        let link = Self.folder().appendingPathComponent("link").path
        try #require(symlink(shared, link) == 0)
        #expect(throws: SecretFileError.self) { try SecretFile.read(path: link) }
        try #require(chmod(shared, 0o600) == 0)
        #expect(try SecretFile.read(path: link) == Array("s3cr3t-bytes\n".utf8))
    }

    @Test func theSizeIsCappedAtItsEdge() throws {
        let cap = SecretFile.maximumSize
        #expect(cap == 65_536)
        #expect(
            try SecretFile.read(path: try Self.file([UInt8](repeating: 0x41, count: cap), mode: 0o600)).count == cap)
        let over = try Self.file([UInt8](repeating: 0x41, count: cap + 1), mode: 0o600)
        #expect(throws: SecretFileError(.tooLarge, "")) { try SecretFile.read(path: over) }
        let small = try Self.file(mode: 0o600)
        let size = Array("s3cr3t-bytes\n".utf8).count
        #expect(throws: SecretFileError(.tooLarge, "")) { try SecretFile.read(path: small, maximumSize: size - 1) }
        #expect(try SecretFile.read(path: small, maximumSize: size).count == size)
    }

    /// A pipe has no size to check up front: the cap counts the bytes read.
    @Test func aPipeIsCappedAsItIsRead() async throws {
        let path = Self.folder().appendingPathComponent("fifo").path
        try #require(mkfifo(path, 0o600) == 0)
        let size = SecretFile.maximumSize + 1
        let writer = Thread {
            let fd = open(path, O_WRONLY)
            guard fd >= 0 else { return }
            let bytes = [UInt8](repeating: 0x42, count: size)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard written > 0 else { break }
                offset += written
            }
            close(fd)
        }
        writer.start()
        #expect(throws: SecretFileError(.tooLarge, "")) { try SecretFile.read(path: path) }
    }

    @Test func missingFilesAndFoldersAreUnreadable() throws {
        let folder = Self.folder()
        #expect(throws: SecretFileError(.unreadable, "")) {
            try SecretFile.read(path: folder.appendingPathComponent("absent").path)
        }
        try #require(chmod(folder.path, 0o700) == 0)
        #expect(throws: SecretFileError(.unreadable, "")) { try SecretFile.read(path: folder.path) }
    }
}
