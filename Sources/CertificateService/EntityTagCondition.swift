import Foundation

// The If-Match header (RFC 9110 §13.1.1):
//
//   If-Match   = "*" / #entity-tag
//   entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE
//
// If-Match uses the strong comparison, so a weak tag never matches. A tag sent without its quotes (some clients
// strip them) is read as if quoted (*our reading*).

/// The condition of an `If-Match` header: any current entity (`*`), or one of some entity tags.
public enum EntityTagCondition: Hashable, Sendable {
    /// `If-Match: *`: any current entity.
    case any
    /// `If-Match: "a", "b"`: an entity whose tag is one of these (each with its quotes); weak tags are dropped.
    case tags([String])

    /// The longest header value read, against hostile input.
    static let maximumLength = 4_096

    /// Reads an `If-Match` header value.
    /// - Throws: ``CertificateServiceError/Code/invalidRequest`` (detail `invalid-if-match`) when it is empty or
    ///   not of the grammar.
    public init(header: String) throws(CertificateServiceError) {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.count <= Self.maximumLength else {
            throw Self.invalid("the If-Match header is empty or too long")
        }
        if text == "*" {
            self = .any
            return
        }
        var tags: [String] = []
        var scalars = Substring(text).unicodeScalars[...]
        while true {
            while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
            guard !scalars.isEmpty else { break }
            var weak = false
            if scalars.starts(with: "W/".unicodeScalars) {
                weak = true
                scalars.removeFirst(2)
            }
            let tag: String
            if scalars.first == "\"" {
                scalars.removeFirst()
                guard let close = scalars.firstIndex(of: "\"") else {
                    throw Self.invalid("the If-Match header has an unterminated entity tag")
                }
                tag = "\"" + String(String.UnicodeScalarView(scalars[..<close])) + "\""
                scalars = scalars[scalars.index(after: close)...]
            } else {
                let end = scalars.firstIndex(of: ",") ?? scalars.endIndex
                let bare = String(String.UnicodeScalarView(scalars[..<end])).trimmingCharacters(in: .whitespaces)
                guard !bare.isEmpty, !bare.contains("\""), bare != "*" else {
                    throw Self.invalid("the If-Match header is not '*' or a list of entity tags")
                }
                tag = "\"" + bare + "\""
                scalars = scalars[end...]
            }
            if tag.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) {
                throw Self.invalid("the If-Match header has an entity tag with a space or control character")
            }
            if !weak { tags.append(tag) }
            while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
            guard let next = scalars.first else { break }
            guard next == "," else {
                throw Self.invalid("the If-Match header is not a comma-separated list of entity tags")
            }
            scalars.removeFirst()
        }
        self = .tags(tags)
    }

    /// Whether an entity whose current tag is `etag` (with quotes) passes.
    public func matches(_ etag: String) -> Bool {
        switch self {
        case .any: return true
        case .tags(let tags): return tags.contains(etag)
        }
    }

    private static func invalid(_ message: String) -> CertificateServiceError {
        CertificateServiceError(.invalidRequest, message, detailCode: "invalid-if-match", target: "If-Match")
    }
}
