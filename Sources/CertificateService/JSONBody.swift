import Foundation
import HTTPTypes
import Hummingbird

/// JSON response bodies, written the one way the service writes them: UTF-8, `/` unescaped, dates already rendered
/// by the contract types' own encoders.
enum JSONBody {
    /// The `Content-Type` of every JSON response.
    static let contentType = "application/json; charset=utf-8"

    /// Encodes `value`; the contract types cannot fail to encode, so a failure is reported as an internal error.
    static func encode(_ value: some Encodable) throws(CertificateServiceError) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return ByteBuffer(bytes: try encoder.encode(value))
        } catch {
            throw CertificateServiceError(.internalError, "the response could not be encoded")
        }
    }

    /// A response with `value` as its JSON body.
    static func response(
        status: HTTPResponse.Status,
        _ value: some Encodable,
        headers: HTTPFields = [:]
    ) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        do {
            let buffer = try encode(value)
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
        } catch {
            return Response(status: .internalServerError, headers: fields, body: ResponseBody())
        }
    }
}
