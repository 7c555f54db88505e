/// A token of `$filter` text, with its 1-based position.
struct FilterToken: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        /// A name: a field, a function, an operator or a keyword.
        case name(String)
        /// `'…'` with `''` turned into `'`.
        case string(String)
        /// `datetime'…'`, holding the text between the quotes.
        case datetime(String)
        /// A run of date characters that starts with a digit (`2016-08-21T21:10:42Z`).
        case bareDate(String)
        case openParenthesis
        case closeParenthesis
        case comma
        case end
    }

    let kind: Kind
    let position: Int

    /// How a message shows the token.
    var shown: String {
        switch kind {
        case .name(let name): return CertificateAPIError.quoted(name)
        case .string(let text): return "string " + CertificateAPIError.quoted(text)
        case .datetime(let text): return "datetime" + CertificateAPIError.quoted(text)
        case .bareDate(let text): return CertificateAPIError.quoted(text)
        case .openParenthesis: return "'('"
        case .closeParenthesis: return "')'"
        case .comma: return "','"
        case .end: return "the end of the filter"
        }
    }
}

/// Splits `$filter` text into tokens one at a time, so that the first error in the text is the one reported.
struct FilterLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    mutating func next() throws(CertificateAPIError) -> FilterToken {
        while index < scalars.count, Self.isSpace(scalars[index]) {
            index += 1
        }
        let start = index
        let position = start + 1
        guard index < scalars.count else { return FilterToken(kind: .end, position: position) }
        let scalar = scalars[index]
        switch scalar {
        case "(":
            index += 1
            return FilterToken(kind: .openParenthesis, position: position)
        case ")":
            index += 1
            return FilterToken(kind: .closeParenthesis, position: position)
        case ",":
            index += 1
            return FilterToken(kind: .comma, position: position)
        case "'":
            return FilterToken(kind: .string(try readString()), position: position)
        case "0"..."9":
            while index < scalars.count, Self.isDateCharacter(scalars[index]) {
                index += 1
            }
            return FilterToken(kind: .bareDate(text(start..<index)), position: position)
        default:
            guard Self.isNameStart(scalar) else {
                let shown = scalar.properties.generalCategory == .control ? "a control character" : "'\(scalar)'"
                throw CertificateAPIError(
                    .filterSyntax,
                    "unexpected \(shown) at position \(position)",
                    position: position
                )
            }
            while index < scalars.count, Self.isNamePart(scalars[index]) {
                index += 1
            }
            let name = text(start..<index)
            if name == "datetime", index < scalars.count, scalars[index] == "'" {
                return FilterToken(kind: .datetime(try readString()), position: position)
            }
            return FilterToken(kind: .name(name), position: position)
        }
    }

    /// Reads `'…'` from the opening quote at `index`.
    private mutating func readString() throws(CertificateAPIError) -> String {
        let opening = index + 1
        index += 1
        var value = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "'" {
                if index + 1 < scalars.count, scalars[index + 1] == "'" {
                    value.append("'")
                    index += 2
                    continue
                }
                index += 1
                return String(value)
            }
            if scalar.properties.generalCategory == .control {
                throw CertificateAPIError(
                    .filterSyntax,
                    "control characters are not allowed in a string at position \(index + 1)",
                    position: index + 1
                )
            }
            value.append(scalar)
            index += 1
        }
        throw CertificateAPIError(
            .filterSyntax,
            "unterminated string starting at position \(opening)",
            position: opening
        )
    }

    private func text(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
    }

    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" || scalar == "$"
    }

    private static func isNamePart(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isDateCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isNamePart(scalar) || scalar == "-" || scalar == ":" || scalar == "." || scalar == "+"
    }
}
