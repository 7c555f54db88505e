import CertificateAPI
import Foundation
import Hummingbird
import Synchronization

/// Lets a request through only with a valid credential of one scheme; otherwise `401 Unauthorized` with the
/// contract's error body and a `WWW-Authenticate` challenge.
///
/// - ``Scheme/sharedAccessSignature``: `Authorization: SharedAccessSignature uid=…&ex=…&sn=…` (or the compact
///   form), signed with the primary or the secondary key of the operator's identifier (legacy dialect, admin
///   routes).
/// - ``Scheme/bearer``: `Authorization: Bearer certdrop.…`, a token minted with either key (ARM dialect).
///
/// Signatures are compared in constant time (``CertificateAPI/SharedAccessSignature/verify(keys:now:)``). A client
/// sends the same credential until it expires, so the last few verified header values are remembered with their
/// expiry and not verified again (the keys never change while the service runs). The header is never logged.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    /// The credential a route group accepts.
    enum Scheme: Sendable {
        /// Shared access signatures.
        case sharedAccessSignature
        /// Bearer tokens.
        case bearer
    }

    let scheme: Scheme
    let keys: AccessKeyFile
    /// The current time, injectable for tests.
    let now: @Sendable () -> Date
    private let verified = VerifiedCredentials()

    init(_ scheme: Scheme, keys: AccessKeyFile, now: @escaping @Sendable () -> Date = { Date() }) {
        self.scheme = scheme
        self.keys = keys
        self.now = now
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try authenticate(request.headers[values: .authorization])
        return try await next(request, context)
    }

    /// Checks the `Authorization` header values of a request.
    /// - Throws: ``CertificateServiceError/Code/unauthorized``.
    func authenticate(_ values: [String]) throws(CertificateServiceError) {
        guard values.count <= 1 else {
            throw CertificateServiceError(
                .unauthorized, "the request has more than one Authorization header", detailCode: "auth-ambiguous",
                target: "Authorization", headers: ["WWW-Authenticate": challenge])
        }
        let now = now()
        if let header = values.first, verified.contains(header, at: now) { return }
        let expiry: Date
        do {
            switch scheme {
            case .sharedAccessSignature:
                expiry = try SharedAccessSignature.verify(
                    authorizationHeader: values.first, keyring: keys.keyring, now: now
                ).expiryDate
            case .bearer:
                expiry = try BearerToken.verify(authorizationHeader: values.first, keys: keys.bearerKeys, now: now)
                    .expiresAt
            }
        } catch {
            throw CertificateServiceError(error)
        }
        if let header = values.first { verified.insert(header, expiry: expiry) }
    }

    private var challenge: String {
        switch scheme {
        case .sharedAccessSignature: return SharedAccessSignature.scheme
        case .bearer: return BearerToken.scheme
        }
    }
}

/// Header values that verified, with their expiry; at most ``capacity``, forgotten all at once when full.
private final class VerifiedCredentials: Sendable {
    static let capacity = 64
    private let entries = Mutex<[String: Date]>([:])

    func contains(_ header: String, at now: Date) -> Bool {
        entries.withLock { entries in
            guard let expiry = entries[header] else { return false }
            if now < expiry { return true }
            entries[header] = nil
            return false
        }
    }

    func insert(_ header: String, expiry: Date) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[header] = expiry
        }
    }
}
