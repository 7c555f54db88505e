import PKCS12Kit

/// `password-whitespace` and `non-ascii-password`: how the password that opened a file was written.
///
/// Candidates with leading or trailing whitespace (space, tab, CR, LF, a UTF-8 byte order mark) are tried as
/// given and then, after every candidate, with that whitespace removed: a password saved by a Windows editor
/// (`pw\r`, a BOM) still opens its file, and the report says which source needs fixing. Messages name the
/// source and the kind of whitespace, never the password or its length.
public struct PasswordHygieneRule: Sendable {
    /// One candidate as tried: where it came from and whether it is a trimmed form of a given one.
    public struct Candidate: Sendable {
        public let password: SecretBytes
        public let origin: PasswordOrigin
        /// What was removed from the source's password to make this one; empty for a password as given.
        public let removed: [String]
        /// The whitespace the password as given starts or ends with.
        public let whitespace: [String]
    }

    /// The candidates to try: every given one, then the trimmed form of each that has whitespace at an end (when
    /// that form is not a candidate already).
    public static func candidates(_ given: [SourcedPassword]) -> [Candidate] {
        var result = given.map {
            Candidate(password: $0.password, origin: $0.origin, removed: [], whitespace: edges($0.password).found)
        }
        for candidate in given {
            let (trimmed, found) = edges(candidate.password)
            guard !found.isEmpty, let trimmed, !result.contains(where: { $0.password.isEqual(to: trimmed) }) else {
                continue
            }
            result.append(Candidate(password: trimmed, origin: candidate.origin, removed: found, whitespace: []))
        }
        return result
    }

    /// The problems of the candidate at `index` having opened the file (`nil`: none was needed).
    public static func problems(opened index: Int?, of candidates: [Candidate]) -> [Problem] {
        guard let index, candidates.indices.contains(index) else { return [] }
        let candidate = candidates[index]
        var problems: [Problem] = []
        if !candidate.removed.isEmpty {
            problems.append(
                Problem(
                    .passwordWhitespace,
                    "the file opened only with \(candidate.removed.joined(separator: " and ")) removed from the "
                        + "password from \(candidate.origin.rawValue); fix that source"))
        } else if !candidate.whitespace.isEmpty {
            problems.append(
                Problem(
                    .passwordWhitespace,
                    "the password from \(candidate.origin.rawValue) has \(candidate.whitespace.joined(separator: " and ")) "
                        + "and opened the file as given; tools that trim passwords will not open it"))
        }
        if candidate.password.withBytes({ $0.contains { $0 >= 0x80 } }) {
            problems.append(
                Problem(
                    .nonASCIIPassword,
                    "the password from \(candidate.origin.rawValue) is not ASCII; consumers that encode passwords "
                        + "differently (Latin-1, NFD, UTF-16) may not open the file"))
        }
        return problems
    }

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The password without its leading and trailing whitespace, and what was found (`a leading BOM`, …);
    /// `nil` and nothing found when it has none.
    static func edges(_ secret: SecretBytes) -> (trimmed: SecretBytes?, found: [String]) {
        secret.withBytes { bytes in
            var start = 0
            var end = bytes.count
            var leading: [String] = []
            var trailing: [String] = []
            func name(_ byte: UInt8) -> String? {
                switch byte {
                case 0x20: "space"
                case 0x09: "tab"
                case 0x0D: "carriage return"
                case 0x0A: "line feed"
                default: nil
                }
            }
            while start < end {
                if end - start >= 3, Array(bytes[start..<start + 3]) == bom {
                    leading.append("BOM")
                    start += 3
                } else if let what = name(bytes[start]) {
                    leading.append(what)
                    start += 1
                } else {
                    break
                }
            }
            while end > start {
                if end - start >= 3, Array(bytes[end - 3..<end]) == bom {
                    trailing.append("BOM")
                    end -= 3
                } else if let what = name(bytes[end - 1]) {
                    trailing.append(what)
                    end -= 1
                } else {
                    break
                }
            }
            var found: [String] = []
            if !leading.isEmpty { found.append("a leading " + Set(leading).sorted().joined(separator: "/")) }
            if !trailing.isEmpty { found.append("a trailing " + Set(trailing).sorted().joined(separator: "/")) }
            guard !found.isEmpty else { return (nil, []) }
            return (SecretBytes(bytes[start..<end]), found)
        }
    }
}
