import Crypto
import Foundation

// The legacy dialect's credential, in the Authorization header:
//
//   keyed:   SharedAccessSignature uid={id}&ex={expiry}&sn={sig}        (the three parts in any order)
//   compact: SharedAccessSignature {id}&{yyyyMMddHHmm}&{sig}
//
//   sig = base64(HMAC-SHA512(key: UTF-8 bytes of the key, data: "{id}\n{expiry}"))
//
// `expiry` is signed exactly as sent; in the compact form it is the round-trip form of the minute with seconds
// zero (`202612011000` signs `2026-12-01T10:00:00.0000000Z`).

/// A shared access signature: who (``uid``), until when (``expiry``) and the proof (``signature``).
///
/// Read one with ``parse(authorizationHeader:)``, make one with ``mint(uid:key:expiry:form:)``, and check one with
/// ``verify(keys:now:)``. The description never shows the signature.
public struct SharedAccessSignature: Hashable, Sendable, CustomStringConvertible {
    /// The spelling of the header value.
    public enum Form: String, Hashable, Sendable, CaseIterable {
        /// `uid=…&ex=…&sn=…`.
        case keyed
        /// `{id}&{yyyyMMddHHmm}&{sig}`.
        case compact
    }

    /// The authorization scheme: `SharedAccessSignature`.
    public static let scheme = "SharedAccessSignature"
    /// The longest header value accepted, against hostile input.
    public static let maximumLength = 4_096

    /// The access identifier whose keys signed the signature.
    public let uid: String
    /// The expiry exactly as signed: as sent in the keyed form, or the round-trip form of the compact form's minute.
    public let expiry: String
    /// The expiry as a date.
    public let expiryDate: Date
    /// The signature, base64.
    public let signature: String
    /// How the header value was (or will be) spelled.
    public let form: Form

    private init(uid: String, expiry: String, expiryDate: Date, signature: String, form: Form) {
        self.uid = uid
        self.expiry = expiry
        self.expiryDate = expiryDate
        self.signature = signature
        self.form = form
    }

    /// The text that is signed: `"{uid}\n{expiry}"`.
    public var stringToSign: String { uid + "\n" + expiry }

    /// The `Authorization` header value, in ``form``.
    public var authorizationHeaderValue: String {
        switch form {
        case .keyed:
            return "\(Self.scheme) uid=\(uid)&ex=\(expiry)&sn=\(signature)"
        case .compact:
            // yyyy-MM-ddTHH:mm… → yyyyMMddHHmm
            let digits = expiry.prefix(16).filter(\.isNumber)
            return "\(Self.scheme) \(uid)&\(digits)&\(signature)"
        }
    }

    /// Shows the identifier and the expiry, never the signature.
    public var description: String {
        "SharedAccessSignature(uid: \(uid), expiry: \(expiry), form: \(form.rawValue))"
    }

    /// Signs a new signature.
    ///
    /// - Parameters:
    ///   - uid: The access identifier.
    ///   - key: One of the identifier's keys.
    ///   - expiry: When the signature stops being valid. The keyed form signs it in .NET's round-trip form
    ///     (`2026-12-01T10:00:00.0000000Z`); the compact form first cuts it down to the minute.
    ///   - form: How ``authorizationHeaderValue`` spells it.
    public static func mint(uid: String, key: SigningKey, expiry: Date, form: Form = .keyed) -> SharedAccessSignature {
        var expiryDate = expiry
        if form == .compact {
            let seconds = expiry.timeIntervalSince1970
            expiryDate = Date(timeIntervalSince1970: (seconds / 60).rounded(.down) * 60)
        }
        let expiryText = WireDate.roundTripString(from: expiryDate)
        let mac = HMAC<SHA512>.authenticationCode(for: Array((uid + "\n" + expiryText).utf8), using: key.symmetricKey)
        return SharedAccessSignature(
            uid: uid,
            expiry: expiryText,
            expiryDate: WireDate.date(from: expiryText) ?? expiryDate,
            signature: Base64.encode(Array(mac)),
            form: form
        )
    }

    /// Reads the `Authorization` header.
    /// - Parameter authorizationHeader: The header's value, or `nil` when the request has none.
    /// - Throws: ``CertificateAPIError/Code/sasMissing`` when there is no header or it uses another scheme,
    ///   ``CertificateAPIError/Code/sasMalformed`` when it cannot be read.
    public static func parse(authorizationHeader: String?) throws(CertificateAPIError) -> SharedAccessSignature {
        guard let header = authorizationHeader?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw CertificateAPIError(.sasMissing, "the request has no Authorization header")
        }
        guard header.utf8.count <= maximumLength else {
            throw malformed("the Authorization header is longer than \(maximumLength) characters")
        }
        let schemeEnd = header.firstIndex(of: " ") ?? header.endIndex
        guard header[..<schemeEnd].caseInsensitiveCompare(scheme) == .orderedSame else {
            throw CertificateAPIError(.sasMissing, "the Authorization header does not use the \(scheme) scheme")
        }
        let parameters = header[schemeEnd...].trimmingCharacters(in: .whitespaces)
        guard !parameters.isEmpty else { throw malformed("the shared access signature is empty") }
        let parts = parameters.split(separator: "&", omittingEmptySubsequences: false)
        let keyedPrefixes = ["uid=", "ex=", "sn="]
        if let first = parts.first, keyedPrefixes.contains(where: { first.lowercased().hasPrefix($0) }) {
            return try parseKeyed(parts)
        }
        return try parseCompact(parts)
    }

    private static func parseKeyed(_ parts: [Substring]) throws(CertificateAPIError) -> SharedAccessSignature {
        var values: [String: Substring] = [:]
        for part in parts {
            guard let equals = part.firstIndex(of: "=") else {
                throw malformed("the shared access signature has a part without '='")
            }
            let key = part[..<equals].lowercased()
            guard ["uid", "ex", "sn"].contains(key) else {
                throw malformed("the shared access signature has an unknown part \(CertificateAPIError.quoted(key))")
            }
            guard values[key] == nil else {
                throw malformed("the shared access signature has '\(key)' twice")
            }
            values[key] = part[part.index(after: equals)...]
        }
        for key in ["uid", "ex", "sn"] where (values[key] ?? "").isEmpty {
            throw malformed("the shared access signature lacks '\(key)'")
        }
        let expiry = String(values["ex"] ?? "")
        guard let expiryDate = WireDate.date(from: expiry) else {
            throw malformed("the shared access signature's expiry \(CertificateAPIError.quoted(expiry)) is not a date")
        }
        let uid = values["uid"] ?? ""
        let sn = values["sn"] ?? ""
        return try make(uid: uid, expiry: expiry, expiryDate: expiryDate, sn: sn, .keyed)
    }

    private static func parseCompact(_ parts: [Substring]) throws(CertificateAPIError) -> SharedAccessSignature {
        guard parts.count == 3 else {
            throw malformed("the shared access signature is neither 'uid=…&ex=…&sn=…' nor '{id}&{yyyyMMddHHmm}&{sig}'")
        }
        let minute = parts[1]
        guard minute.utf8.count == 12, minute.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else {
            throw malformed("the shared access signature's expiry is not 'yyyyMMddHHmm'")
        }
        let digits = Array(minute)
        let expiry =
            "\(String(digits[0..<4]))-\(String(digits[4..<6]))-\(String(digits[6..<8]))T"
            + "\(String(digits[8..<10])):\(String(digits[10..<12])):00.0000000Z"
        guard let expiryDate = WireDate.date(from: expiry) else {
            throw malformed("the shared access signature's expiry \(CertificateAPIError.quoted(minute)) is not a date")
        }
        return try make(uid: parts[0], expiry: expiry, expiryDate: expiryDate, sn: parts[2], .compact)
    }

    private static func make(
        uid: Substring,
        expiry: String,
        expiryDate: Date,
        sn: Substring,
        _ form: Form
    ) throws(CertificateAPIError) -> SharedAccessSignature {
        guard !uid.isEmpty, !uid.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw malformed("the shared access signature's identifier is empty or has control characters")
        }
        guard Base64.decode(sn) != nil else {
            throw malformed("the shared access signature's signature is not base64")
        }
        return SharedAccessSignature(
            uid: String(uid),
            expiry: expiry,
            expiryDate: expiryDate,
            signature: String(sn),
            form: form
        )
    }

    static func malformed(_ message: String) -> CertificateAPIError {
        CertificateAPIError(.sasMalformed, message)
    }
}
