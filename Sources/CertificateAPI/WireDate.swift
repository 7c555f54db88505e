import Foundation

// The date forms of the contract, read and written here by hand rather than with `ISO8601DateFormatter`, so
// that one grammar serves JSON bodies, `$filter` literals and shared access signatures, the same on every
// platform:
//
//   date      = YYYY "-" MM "-" DD [ "T" hh ":" mm [ ":" ss [ "." fraction ] ] [ zone ] ]
//   zone      = "Z" / "z" / ( "+" / "-" ) hh [ ":" ] mm
//
// A date without a zone is UTC. Years run from 0001 to 9999.

/// Reading and writing dates as the contract spells them.
public enum WireDate {
    /// Writes `date` as ISO-8601 UTC with a `Z` and whole seconds (`2016-08-21T21:10:42Z`); a fraction of a
    /// second is dropped. Dates outside the years 0001–9999 are clamped to them.
    public static func string(from date: Date) -> String {
        let parts = Parts(date)
        return parts.dateAndTime + "Z"
    }

    /// Writes `date` in .NET's round-trip form for UTC, with seven fraction digits
    /// (`2026-12-01T10:00:00.0000000Z`), as shared access signatures carry it.
    public static func roundTripString(from date: Date) -> String {
        let parts = Parts(date)
        let digits = String(parts.fraction)
        return parts.dateAndTime + "." + String(repeating: "0", count: 7 - digits.count) + digits + "Z"
    }

    /// Reads a date: with or without a `Z` or an offset, with or without a fraction of a second, and also a bare
    /// date (`2016-08-21`, midnight UTC). Returns `nil` for anything else, including impossible dates.
    public static func date(from text: String) -> Date? {
        var reader = DateReader(Array(text.utf8))
        return reader.read()
    }

    /// Reads a date like ``date(from:)``.
    /// - Throws: ``CertificateAPIError/Code/invalidDate`` when the text is not a date of that grammar.
    public static func parse(_ text: String) throws(CertificateAPIError) -> Date {
        guard let date = date(from: text) else {
            throw CertificateAPIError(.invalidDate, "\(CertificateAPIError.quoted(text)) is not an ISO-8601 date")
        }
        return date
    }

    static let earliest: Double = -62_135_596_800  // 0001-01-01T00:00:00Z
    static let latest: Double = 253_402_300_799  // 9999-12-31T23:59:59Z

    private struct Parts {
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        /// Ten-millionths of a second.
        var fraction = 0

        init(_ date: Date) {
            var interval = date.timeIntervalSince1970
            if interval.isNaN { interval = 0 }
            interval = min(max(interval, WireDate.earliest), WireDate.latest + 0.5)
            let whole = interval.rounded(.down)
            fraction = min(Int(((interval - whole) * 10_000_000).rounded(.down)), 9_999_999)
            let seconds = Int(whole)
            let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            let secondOfDay = seconds - days * 86_400
            (year, month, day) = civil(fromDays: days)
            hour = secondOfDay / 3_600
            minute = secondOfDay % 3_600 / 60
            second = secondOfDay % 60
        }

        var dateAndTime: String {
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        }

        private func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

/// The proleptic Gregorian date of a count of days since 1970-01-01 (H. Hinnant's `civil_from_days`).
func civil(fromDays count: Int) -> (year: Int, month: Int, day: Int) {
    let z = count + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shifted = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shifted + 2) / 5 + 1
    let month = shifted < 10 ? shifted + 3 : shifted - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

private func daysInMonth(_ year: Int, _ month: Int) -> Int {
    switch month {
    case 2:
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return leap ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
}

private struct DateReader {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func read() -> Date? {
        guard let year = number(4), take("-"), let month = number(2), take("-"), let day = number(2),
            year >= 1, (1...12).contains(month), (1...daysInMonth(year, month)).contains(day)
        else { return nil }
        var seconds = Double(days(fromCivil: year, month, day)) * 86_400
        if index == bytes.count { return Date(timeIntervalSince1970: seconds) }
        guard take("T"), let hour = number(2), take(":"), let minute = number(2), hour < 24, minute < 60 else {
            return nil
        }
        var second = 0
        var nanoseconds = 0
        if take(":") {
            guard let value = number(2), value < 60 else { return nil }
            second = value
            if take(".") {
                var digits = 0
                while index < bytes.count, isDigit(bytes[index]) {
                    if digits < 9 { nanoseconds = nanoseconds * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<max(digits, 9) { nanoseconds *= 10 }
            }
        }
        seconds += Double(hour * 3_600 + minute * 60 + second)
        if index < bytes.count {
            if take("Z") || take("z") {
                // UTC
            } else if let sign = bytes[index] == UInt8(ascii: "+") ? 1 : bytes[index] == UInt8(ascii: "-") ? -1 : nil {
                index += 1
                guard let offsetHours = number(2) else { return nil }
                _ = take(":")
                guard let offsetMinutes = number(2), offsetHours < 24, offsetMinutes < 60 else { return nil }
                seconds -= Double(sign * (offsetHours * 3_600 + offsetMinutes * 60))
            } else {
                return nil
            }
        }
        guard index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: seconds + Double(nanoseconds) / 1_000_000_000)
    }

    private mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    private mutating func number(_ width: Int) -> Int? {
        guard index + width <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<width {
            let byte = bytes[index + offset]
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        index += width
        return value
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

extension KeyedDecodingContainer {
    func decodeWireDate(forKey key: Key) throws -> Date {
        let text = try decode(String.self, forKey: key)
        guard let date = WireDate.date(from: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: self,
                debugDescription: "\(CertificateAPIError.quoted(text)) is not an ISO-8601 date"
            )
        }
        return date
    }
}

extension KeyedEncodingContainer {
    mutating func encodeWireDate(_ date: Date, forKey key: Key) throws {
        try encode(WireDate.string(from: date), forKey: key)
    }
}
