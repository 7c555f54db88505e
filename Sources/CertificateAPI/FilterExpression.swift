import Foundation

// The abstract syntax of a `$filter`, as ``ODataFilter`` parses it:
//
//   or         = and *( "or" and )
//   and        = unary *( "and" unary )
//   unary      = "not" unary / primary
//   primary    = "(" or ")" / comparison / call [ ( "eq" / "ne" ) ( "true" / "false" ) ]
//   comparison = field operator literal
//   call       = "substringof" "(" string "," field ")" / ( "startswith" / "endswith" / "contains" )
//                "(" field "," string ")"
//   literal    = string / "datetime" string / bare-date
//
// `not` takes the comparison after it whole (`not subject eq 'x'` is `not (subject eq 'x')`): OData lets `not`
// bind tighter than a comparison, but its operand must be boolean and a field is not, so that is the only
// reading. `and` and `or` lists are kept flat, so that a long chain is a wide tree rather than a deep one.

/// A field that `$filter` can name.
public enum FilterField: String, Hashable, Sendable, CaseIterable {
    /// The certificate identifier: spelled `id` in the legacy dialect and `name` in ARM.
    case identifier
    /// The leaf's subject.
    case subject
    /// The leaf's thumbprint.
    case thumbprint
    /// The leaf's notAfter; only comparisons with a date literal apply.
    case expirationDate

    /// The field's name in `$filter` for a dialect.
    public func name(in dialect: Dialect) -> String {
        self == .identifier ? dialect.identifierFieldName : rawValue
    }

    /// The field a dialect names `name`, or `nil`. Names are case-sensitive, as in OData.
    public init?(name: String, dialect: Dialect) {
        switch name {
        case dialect.identifierFieldName: self = .identifier
        case "subject": self = .subject
        case "thumbprint": self = .thumbprint
        case "expirationDate": self = .expirationDate
        default: return nil
        }
    }

    /// Whether the field holds text (all but ``expirationDate``).
    public var isText: Bool { self != .expirationDate }
}

/// A comparison operator.
public enum FilterOperator: String, Hashable, Sendable, CaseIterable {
    /// Equal.
    case eq
    /// Not equal.
    case ne
    /// Greater than.
    case gt
    /// Greater than or equal.
    case ge
    /// Less than.
    case lt
    /// Less than or equal.
    case le
}

/// A text function; each is true when the field holds the argument (ignoring case) in its place.
public enum FilterFunction: String, Hashable, Sendable, CaseIterable {
    /// `substringof('x', field)` (OData v2): the field contains the argument.
    case substringof
    /// `startswith(field, 'x')`.
    case startswith
    /// `endswith(field, 'x')`.
    case endswith
    /// `contains(field, 'x')` (OData v4): the same test as ``substringof``.
    case contains
}

/// A literal that a field is compared with.
public enum FilterLiteral: Hashable, Sendable {
    /// A string literal, with `''` already turned into `'`.
    case string(String)
    /// A `datetime'…'` or bare ISO-8601 literal, UTC when it has no zone.
    case date(Date)
}

/// A parsed `$filter`: a tree whose nodes know where in the text they start.
///
/// Positions are 1-based and count Unicode scalars of the `$filter` text (after percent-decoding).
public indirect enum FilterExpression: Hashable, Sendable {
    /// `field operator literal`; `position` is where the field starts.
    case comparison(field: FilterField, operator: FilterOperator, literal: FilterLiteral, position: Int)
    /// `function(…)` over a text field with a string argument; `position` is where the function's name starts.
    case call(function: FilterFunction, field: FilterField, argument: String, position: Int)
    /// `not operand`; `position` is where `not` starts.
    case not(FilterExpression, position: Int)
    /// Two or more operands joined by `and`, in order.
    case and([FilterExpression])
    /// Two or more operands joined by `or`, in order.
    case or([FilterExpression])

    /// Where the node starts in the text: for `and` and `or`, where their first operand starts.
    public var position: Int {
        switch self {
        case .comparison(_, _, _, let position), .call(_, _, _, let position), .not(_, let position):
            return position
        case .and(let operands), .or(let operands):
            return operands.first?.position ?? 1
        }
    }
}
