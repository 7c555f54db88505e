import Foundation

extension FilterExpression {
    /// Whether a certificate passes the expression.
    ///
    /// Text compares as ``ODataFilter`` describes (ASCII case folded, otherwise UTF-8 bytes); dates compare as
    /// seconds since 1970 in `Double`, the value ``sqlWhereClause(columns:)`` binds, so that both agree.
    public func matches(_ record: CertificateRecord) -> Bool {
        switch self {
        case .comparison(let field, let op, let literal, _):
            switch (field, literal) {
            case (.expirationDate, .date(let date)):
                return Self.compare(
                    record.expirationDate.timeIntervalSince1970,
                    op,
                    date.timeIntervalSince1970
                )
            case (_, .string(let text)) where field.isText:
                return Self.compare(FoldedText(Self.value(of: field, in: record)), op, FoldedText(text))
            default:
                // The parser never builds this; a tree built in code that pairs a field with the wrong kind of
                // literal matches nothing, as in SQL (see sqlWhereClause).
                return false
            }
        case .call(let function, let field, let argument, _):
            guard field.isText else { return false }
            let value = FoldedText(Self.value(of: field, in: record))
            let needle = FoldedText(argument)
            switch function {
            case .substringof, .contains: return value.contains(needle)
            case .startswith: return value.hasPrefix(needle)
            case .endswith: return value.hasSuffix(needle)
            }
        case .not(let operand, _):
            return !operand.matches(record)
        case .and(let operands):
            return operands.allSatisfy { $0.matches(record) }
        case .or(let operands):
            return operands.contains { $0.matches(record) }
        }
    }

    static func value(of field: FilterField, in record: CertificateRecord) -> String {
        switch field {
        case .identifier: return record.certificateId
        case .subject: return record.subject
        case .thumbprint: return record.thumbprint
        case .expirationDate: return WireDate.string(from: record.expirationDate)
        }
    }

    private static func compare<T: Comparable>(_ lhs: T, _ op: FilterOperator, _ rhs: T) -> Bool {
        switch op {
        case .eq: return lhs == rhs
        case .ne: return lhs != rhs
        case .gt: return lhs > rhs
        case .ge: return lhs >= rhs
        case .lt: return lhs < rhs
        case .le: return lhs <= rhs
        }
    }
}
