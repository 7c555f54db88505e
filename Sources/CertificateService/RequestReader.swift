import CertificateAPI
import Foundation
import HTTPTypes
import Hummingbird

/// Reads the parts of a request that the contract constrains, each failure a precise ``CertificateServiceError``.
enum RequestReader {
    /// The query parameters the service reads; a second occurrence of one of them is an error.
    static let knownParameters: Set<String> = [
        "api-version", "$filter", "$top", "$skip", "password", "iskeyvaultrefreshfailed",
    ]

    /// The query's parameters, names lower-cased, values percent-decoded with `+` as a space (as ASP.NET, which
    /// the reference's service ran on, reads them). Unknown parameters are kept but never an error, since ARM
    /// clients send extras (`isKeyVaultRefreshFailed`).
    /// - Throws: ``CertificateServiceError/Code/invalidRequest`` (detail `invalid-query`) for bad percent-encoding,
    ///   bytes that are not UTF-8, or a known parameter given twice.
    static func query(_ raw: String?) throws(CertificateServiceError) -> [String: String] {
        guard let raw, !raw.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: "=")
            let rawName = equals.map { pair[..<$0] } ?? pair
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? ""
            guard let name = percentDecode(rawName, plusIsSpace: true)?.lowercased(),
                let value = percentDecode(rawValue, plusIsSpace: true)
            else {
                throw CertificateServiceError(
                    .invalidRequest, "the query string has an invalid percent-encoding or bytes that are not UTF-8",
                    detailCode: "invalid-query", target: "query")
            }
            if result[name] != nil, knownParameters.contains(name) {
                throw CertificateServiceError(
                    .invalidRequest, "the query parameter '\(name)' is given more than once",
                    detailCode: "invalid-query", target: name)
            }
            result[name] = result[name] ?? value
        }
        return result
    }

    /// Decodes a path segment into a certificate identifier and checks the dialect's identifier rule.
    /// - Throws: ``CertificateServiceError/Code/invalidRequest`` (detail `invalid-identifier`).
    static func identifier(_ segment: String?, dialect: Dialect) throws(CertificateServiceError) -> String {
        guard let segment, let decoded = percentDecode(Substring(segment), plusIsSpace: false) else {
            throw CertificateServiceError(
                CertificateAPIError(
                    .invalidIdentifier, "the certificate identifier has an invalid percent-encoding or is not UTF-8"))
        }
        return try checkedIdentifier(decoded, dialect: dialect)
    }

    /// Checks an already decoded identifier against the dialect's identifier rule.
    /// - Throws: ``CertificateServiceError/Code/invalidRequest`` (detail `invalid-identifier`).
    static func checkedIdentifier(_ text: String, dialect: Dialect) throws(CertificateServiceError) -> String {
        do {
            try CertificateIdentifier.validate(text, dialect: dialect)
        } catch {
            throw CertificateServiceError(error)
        }
        return text
    }

    /// Decodes a path segment that is not an identifier (an ARM subscription, resource group or service name).
    static func segment(_ segment: String?, name: String) throws(CertificateServiceError) -> String {
        guard let segment, let decoded = percentDecode(Substring(segment), plusIsSpace: false), !decoded.isEmpty,
            !decoded.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "/" })
        else {
            throw CertificateServiceError(
                .invalidRequest, "the path segment '\(name)' is not valid", detailCode: "invalid-path", target: name)
        }
        return decoded
    }

    /// Checks the body's `Content-Type`: JSON or plain text, as UTF-8; none at all is read as JSON.
    /// - Throws: ``CertificateServiceError/Code/unsupportedMediaType``.
    static func checkContentType(_ value: String?) throws(CertificateServiceError) {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let type = parts.first ?? ""
        let charsetOK = parts.dropFirst().allSatisfy { parameter in
            guard parameter.hasPrefix("charset=") else { return true }
            let charset = parameter.dropFirst("charset=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return ["utf-8", "utf8", "us-ascii"].contains(charset)
        }
        guard type == "application/json" || type == "text/plain", charsetOK else {
            throw CertificateServiceError(
                .unsupportedMediaType,
                "the Content-Type \(quoted(value)) is not supported; send application/json (or text/plain) in UTF-8",
                target: "Content-Type")
        }
    }

    /// Reads the whole body, up to the contract's 4 MiB.
    /// - Throws: ``CertificateServiceError/Code/requestTooLarge`` when it is larger.
    static func body(of request: Request) async throws(CertificateServiceError) -> Data {
        let limit = CertificateUpload.maximumBodySize
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw tooLarge(limit)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge(limit)
        } catch {
            throw CertificateServiceError(
                .invalidRequest, "the request body could not be read", detailCode: "body-unreadable", target: "body")
        }
    }

    /// The `If-Match` header, parsed, or `nil` when the request has none.
    static func ifMatch(_ request: Request) throws(CertificateServiceError) -> EntityTagCondition? {
        let values = request.headers[values: .ifMatch]
        guard !values.isEmpty else { return nil }
        return try EntityTagCondition(header: values.joined(separator: ", "))
    }

    /// Whether a `PUT` asks with `If-None-Match: *` to create only (`412` when the certificate exists).
    /// - Throws: ``CertificateServiceError/Code/invalidRequest`` (detail `invalid-if-none-match`) for any other
    ///   value (entity tags are not supported on `PUT`), or when `If-Match` is given too.
    static func ifNoneMatchAny(_ request: Request) throws(CertificateServiceError) -> Bool {
        let values = request.headers[values: .ifNoneMatch]
        guard !values.isEmpty else { return false }
        let value = values.joined(separator: ", ").trimmingCharacters(in: .whitespaces)
        guard value == "*" else {
            throw CertificateServiceError(
                .invalidRequest,
                "If-None-Match \(quoted(value)) is not supported on PUT; send If-None-Match: * to create only",
                detailCode: "invalid-if-none-match", target: "If-None-Match")
        }
        guard request.headers[values: .ifMatch].isEmpty else {
            throw CertificateServiceError(
                .invalidRequest, "give If-Match (to replace) or If-None-Match: * (to create), not both",
                detailCode: "invalid-if-none-match", target: "If-None-Match")
        }
        return true
    }

    /// Percent-decodes text; `nil` for a `%` not followed by two hex digits or bytes that are not UTF-8.
    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func tooLarge(_ limit: Int) -> CertificateServiceError {
        CertificateServiceError(
            .requestTooLarge, "the request body is larger than \(limit) bytes (4 MiB)", target: "body")
    }

    /// Quotes header text for a message: at most 60 characters, control characters replaced.
    static func quoted(_ text: String) -> String {
        let cleaned = String(
            String.UnicodeScalarView(
                text.unicodeScalars.prefix(60).map { $0.properties.generalCategory == .control ? "?" : $0 }))
        return "'" + cleaned + (text.unicodeScalars.count > 60 ? "…'" : "'")
    }
}
