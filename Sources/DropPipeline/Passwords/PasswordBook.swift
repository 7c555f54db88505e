import Foundation
import PKCS12Kit

#if canImport(Glibc)
    import Glibc
#endif

/// Where one candidate password came from, as a message names it (never the password itself).
public enum PasswordOrigin: String, Sendable, Hashable {
    case sidecar = "the sidecar password file"
    case map = "the password map (--passwords)"
    case passwordFile = "the password file (--password-file)"
    case standardInput = "standard input (--password-stdin)"
    case environment = "CERTDROP_PASSWORD"
    case global = "the global password"
}

/// A candidate password and where it came from.
public struct SourcedPassword: Sendable {
    /// The password; never print it.
    public let password: SecretBytes
    /// Where it came from.
    public let origin: PasswordOrigin
}

/// Where candidate passwords come from, and which apply to a source.
///
/// For a source the candidates are, in order and without repeats: its sidecar file (`x.pfx.password`,
/// `x.pfx.pwd`), the map's entry for the exact source name, then for each shorter tail of it (after a `/` or
/// `!`, down to the last component), then every glob entry
/// that matches (longest pattern first), then the global password (`--password-file`, `--password-stdin` or
/// `CERTDROP_PASSWORD`), then the map's `"*"` entry. A password is never taken from a command-line value.
public struct PasswordBook: Sendable {
    private let exact: [String: [SecretBytes]]
    private let globs: [(pattern: String, passwords: [SecretBytes])]
    private let fallback: [SecretBytes]
    private let global: [SecretBytes]
    private let globalOrigins: [PasswordOrigin]
    /// Whether sidecar files next to a source are read.
    public var useSidecars: Bool

    /// An empty book: only sidecars (and the implicit empty password) apply.
    public init(useSidecars: Bool = true) {
        self.init(entries: [], global: [], useSidecars: useSidecars)
    }

    /// A book from map entries (`"*"` is the fallback), plus global passwords.
    /// `globalOrigins` says where each global password came from (``PasswordOrigin/global`` where it is short).
    public init(
        entries: [(key: String, passwords: [SecretBytes])], global: [SecretBytes], useSidecars: Bool = true,
        globalOrigins: [PasswordOrigin] = []
    ) {
        var exact: [String: [SecretBytes]] = [:]
        var globs: [(String, [SecretBytes])] = []
        var fallback: [SecretBytes] = []
        for (key, passwords) in entries {
            if key == "*" {
                fallback += passwords
            } else if key.contains(where: { "*?[".contains($0) }) {
                globs.append((key, passwords))
            } else {
                exact[key, default: []] += passwords
            }
        }
        self.exact = exact
        // JSON objects have no order: the most specific (longest) pattern is tried first.
        self.globs = globs.sorted { ($0.0.count, $1.0) > ($1.0.count, $0.0) }
        self.fallback = fallback
        self.global = global
        self.globalOrigins = global.indices.map { $0 < globalOrigins.count ? globalOrigins[$0] : .global }
        self.useSidecars = useSidecars
    }

    /// Reads a password map: `{"c01.pfx": "pw", "drop.zip!a/*.pfx": "pw", "*": ["pw1", "pw2"]}`.
    public static func parseMap(_ data: Data) throws(PipelineError) -> [(key: String, passwords: [SecretBytes])] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw PipelineError(.passwordMap, "the password map is not valid JSON")
        }
        guard let map = object as? [String: Any] else {
            throw PipelineError(.passwordMap, "the password map must be a JSON object of source → password")
        }
        var entries: [(key: String, passwords: [SecretBytes])] = []
        for key in map.keys.sorted() {
            guard let value = map[key] else { continue }
            if let single = value as? String {
                entries.append((key, [SecretBytes(utf8: single)]))
            } else if let list = value as? [Any], list.allSatisfy({ $0 is String }) {
                entries.append((key, list.compactMap { $0 as? String }.map { SecretBytes(utf8: $0) }))
            } else {
                throw PipelineError(
                    .passwordMap, "the password map's entry \"\(key)\" must be a string or a list of strings")
            }
        }
        return entries
    }

    /// The candidates for a source known by `names` (its full name, then its name relative to the argument it was
    /// found under), most specific first. `sidecarPath` is the file the source was read from, for sources on disk.
    public func candidates(for names: [String], sidecarPath: String? = nil) -> [SecretBytes] {
        sourcedCandidates(for: names, sidecarPath: sidecarPath).map(\.password)
    }

    /// ``candidates(for:sidecarPath:)`` with where each came from (the first source that gave it).
    public func sourcedCandidates(for names: [String], sidecarPath: String? = nil) -> [SourcedPassword] {
        var result: [SourcedPassword] = []
        func add(_ passwords: [SecretBytes], _ origin: (Int) -> PasswordOrigin) {
            for (index, password) in passwords.enumerated()
            where !result.contains(where: { $0.password.isEqual(to: password) }) {
                result.append(SourcedPassword(password: password, origin: origin(index)))
            }
        }
        if useSidecars, let sidecarPath, let sidecar = Self.readSidecar(for: sidecarPath) {
            add([sidecar]) { _ in .sidecar }
        }
        for name in names { add(exact[name] ?? []) { _ in .map } }
        // Then every shorter tail of each name (`bundle/x.key` for `/drops/bundle/x.key`), longest first, so a
        // map written relative to any parent folder applies.
        for name in names {
            for tail in Self.tails(of: name) { add(exact[tail] ?? []) { _ in .map } }
        }
        for (pattern, passwords) in globs where names.contains(where: { fnmatch(pattern, $0, 0) == 0 }) {
            add(passwords) { _ in .map }
        }
        add(global) { globalOrigins[$0] }
        add(fallback) { _ in .map }
        return result
    }

    /// The tails of a name after each `/` or `!`, longest first: `a/b!c/d` → `b!c/d`, `c/d`, `d`.
    static func tails(of name: String) -> [String] {
        var result: [String] = []
        var index = name.startIndex
        while let cut = name[index...].firstIndex(where: { $0 == "/" || $0 == "!" }) {
            index = name.index(after: cut)
            if index < name.endIndex { result.append(String(name[index...])) }
        }
        return result
    }

    /// The name after the last `/` or `!`.
    static func lastComponent(of source: String) -> String {
        guard let cut = source.lastIndex(where: { $0 == "/" || $0 == "!" }) else { return source }
        return String(source[source.index(after: cut)...])
    }

    /// The suffixes of sidecar password files.
    public static let sidecarSuffixes = [".password", ".pwd"]

    /// The most bytes read from a password file: a sidecar, `--password-file`, `--archive-password-file` or
    /// standard input (64 KiB). A sidecar over it is not used; a file named by a flag over it is a usage error.
    public static let maxPasswordFileBytes = 64 << 10

    /// A sidecar is read only when it is a regular file (a link is not followed), at most
    /// ``maxPasswordFileBytes`` bytes; anything else is passed over (it is an item of the drop too, and its own
    /// line in the report says what it is).
    private static func readSidecar(for path: String) -> SecretBytes? {
        for suffix in sidecarSuffixes {
            switch BoundedFile.read(path + suffix, limit: maxPasswordFileBytes) {
            case .success(var bytes):
                defer { SecretBytes.wipe(&bytes) }
                return firstLine(of: bytes)
            case .failure(.missing): continue
            case .failure: return nil
            }
        }
        return nil
    }

    /// Reads a password file named by a flag (`--password-file`, `--archive-password-file`): a regular file or a
    /// FIFO (`<(...)`), links followed, at most ``maxPasswordFileBytes`` bytes; its first line.
    /// - Throws: ``PipelineError`` with `code` and a message naming `flag` and the file.
    public static func readPasswordFile(_ path: String, flag: String, code: PipelineError.Code) throws(PipelineError)
        -> SecretBytes
    {
        switch BoundedFile.read(path, limit: maxPasswordFileBytes, followLinks: true, allowFIFO: true) {
        case .success(var bytes):
            defer { SecretBytes.wipe(&bytes) }
            return firstLine(of: bytes)
        case .failure(let failure):
            throw PipelineError(code, "cannot read the \(flag) file \(path): \(failure.message)")
        }
    }

    /// The first line of `data` (without `\r\n` or `\n`) as a secret.
    public static func firstLine(of data: Data) -> SecretBytes {
        var bytes = [UInt8](data)
        defer { SecretBytes.wipe(&bytes) }
        return firstLine(of: bytes)
    }

    /// The first line of `bytes` (without `\r\n` or `\n`) as a secret.
    public static func firstLine(of bytes: [UInt8]) -> SecretBytes {
        let end = bytes.firstIndex(of: 0x0A) ?? bytes.count
        var line = end
        if line > 0, bytes[line - 1] == 0x0D { line -= 1 }
        return SecretBytes(bytes[0..<line])
    }
}
