import ArchiveKit
import PKCS12Kit

/// The unpack stage over ArchiveKit: an archive's entries become items named with `!`, its problems become
/// items with the matching code. Encrypted zip entries take the archive's passwords: the map's entries for the
/// archive's name, then `--archive-password-file`.
public struct ArchiveUnpacker: Unpacker {
    /// The caps applied to each top-level archive.
    public let limits: ArchiveLimits
    private let passwords: PasswordBook
    private let archivePasswords: [SecretBytes]

    /// Makes an unpacker.
    public init(limits: ArchiveLimits = .default, passwords: PasswordBook, archivePasswords: [SecretBytes] = []) {
        self.limits = limits
        self.passwords = passwords
        self.archivePasswords = archivePasswords
    }

    /// An archive file larger than the bytes it may expand to cannot be read within them: `maxTotalBytes`.
    public var maxInputBytes: Int { limits.maxTotalBytes }

    public func isArchive(prefix: [UInt8]) -> Bool {
        ContainerDetector.detect(prefix) != nil
    }

    public func unpack(_ bytes: [UInt8], source: String, relativeName: String, emit: (DropItem) -> Void) -> Bool {
        guard ContainerDetector.detect(bytes.prefix(ContainerDetector.prefixLength)) != nil else { return false }
        reader(source: source, relativeName: relativeName).forEachEntry(in: bytes, named: source) { entry in
            emit(Self.item(entry, source: source, relativeName: relativeName))
        }
        return true
    }

    /// Streams the archive from disk (``ArchiveReader/forEachEntry(inFileDescriptor:named:_:)``): the file is never
    /// read whole, and its bytes read count against `maxTotalBytes`.
    public func unpack(fileDescriptor: Int32, source: String, relativeName: String, emit: (DropItem) -> Void) -> Bool {
        reader(source: source, relativeName: relativeName).forEachEntry(inFileDescriptor: fileDescriptor, named: source)
        {
            emit(Self.item($0, source: source, relativeName: relativeName))
        }
        return true
    }

    private func reader(source: String, relativeName: String) -> ArchiveReader {
        var candidates = passwords.candidates(for: [source, relativeName])
        for password in archivePasswords where !candidates.contains(where: { $0.isEqual(to: password) }) {
            candidates.append(password)
        }
        return ArchiveReader(limits: limits, passphrases: candidates.map { $0.withBytes { Array($0) } })
    }

    private static func item(_ entry: ArchiveEntry, source: String, relativeName: String) -> DropItem {
        // The entry's name starts with `source`; its relative name starts with the archive's relative name.
        let suffix = entry.name.hasPrefix(source) ? String(entry.name.dropFirst(source.count)) : ""
        var chain: [String] = []
        for container in entry.containers {
            chain.append(chain.last.map { $0 + "!" + container } ?? container)
        }
        let content: Result<[UInt8], Problem> = entry.content.mapError(Self.problem)
        return DropItem(
            source: entry.name, relativeName: relativeName + suffix, content: content,
            archive: chain.isEmpty ? nil : ArchiveFacts(containers: chain, entrySize: entry.size))
    }

    static func problem(_ problem: ArchiveProblem) -> Problem {
        let code: ProblemCode =
            switch problem.code {
            case .unsafePath: .unsafePath
            case .unsafeEntry: .unsafeEntry
            case .tooLarge: .tooLarge
            case .archiveTooLarge: .archiveTooLarge
            case .tooManyEntries: .tooManyEntries
            case .encryptedEntry: .encryptedEntry
            case .corruptArchive: .corruptArchive
            case .nestingLimit: .nestingLimit
            }
        return Problem(code, problem.message)
    }
}
