import CertificateAPI
import PKCS12Kit

/// How an item's certificate id is made: a template with `{stem}`, `{thumbprint}`, `{thumbprint8}` and `{cn}`.
///
/// Each placeholder's value is made safe for the id rule; the template's own text is not, so a template that
/// brings a forbidden character gives `invalid-id`. Ids are checked against the stricter ARM rule, which every
/// dialect accepts.
public struct IDTemplate: Sendable, Hashable {
    enum Piece: Hashable {
        case text(String)
        case stem, thumbprint, thumbprint8, commonName
    }

    let pieces: [Piece]
    /// The template as given.
    public let template: String

    /// The default: the file's stem.
    public static let stem = IDTemplate(pieces: [.stem], template: "{stem}")

    private init(pieces: [Piece], template: String) {
        self.pieces = pieces
        self.template = template
    }

    /// Parses a template; unknown or unclosed placeholders are a usage error.
    public init(_ template: String) throws(PipelineError) {
        var pieces: [Piece] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { pieces.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw PipelineError(.usage, "the id template has an unclosed '{'")
            }
            let name = rest[rest.index(after: open)..<close]
            switch name {
            case "stem": pieces.append(.stem)
            case "thumbprint": pieces.append(.thumbprint)
            case "thumbprint8": pieces.append(.thumbprint8)
            case "cn": pieces.append(.commonName)
            default:
                throw PipelineError(
                    .usage,
                    "unknown placeholder {\(name)} in the id template; use {stem}, {thumbprint}, {thumbprint8} or {cn}")
            }
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        guard !pieces.isEmpty else { throw PipelineError(.usage, "the id template is empty") }
        self.init(pieces: pieces, template: template)
    }

    /// Whether the template needs the certificate's facts (and so has no id for an unreadable file).
    public var needsCertificate: Bool {
        pieces.contains { $0 == .thumbprint || $0 == .thumbprint8 || $0 == .commonName }
    }

    /// The id for `source`, or `nil` when the template needs facts that are not there.
    public func render(source: String, certificate: CertificateFacts?) -> String? {
        var result = ""
        for piece in pieces {
            let value: String
            switch piece {
            case .text(let text):
                result += text
                continue
            case .stem:
                value = Self.stem(of: source)
            case .thumbprint:
                guard let thumbprint = certificate?.thumbprint else { return nil }
                value = thumbprint
            case .thumbprint8:
                guard let thumbprint = certificate?.thumbprint else { return nil }
                value = String(thumbprint.prefix(8))
            case .commonName:
                guard let name = certificate?.commonName else { return nil }
                value = name
            }
            result += CertificateIdentifier.sanitized(value, dialect: .arm).rawValue
        }
        return result
    }

    /// The last component of a source name without its extension: `drop.zip!certs/api.pfx` → `api`.
    public static func stem(of source: String) -> String {
        let last = PasswordBook.lastComponent(of: source)
        guard let dot = last.lastIndex(of: "."), dot > last.startIndex else { return last }
        return String(last[..<dot])
    }
}
