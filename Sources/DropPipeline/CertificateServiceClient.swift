import AsyncHTTPClient
import CertificateAPI
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// One response as the client saw it.
public struct HTTPResult: Sendable {
    /// The status code.
    public let status: Int
    /// The `ETag` header, if any.
    public let etag: String?
    /// The body, collected up to a cap.
    public let body: [UInt8]
    /// `Retry-After`, in seconds.
    public let retryAfter: TimeInterval?

    /// The contract's error body's code and message, when the body is one.
    public var error: (code: String, message: String)? {
        guard let response = try? JSONDecoder().decode(ErrorResponse.self, from: Data(body)) else { return nil }
        return (response.error.code, response.error.message)
    }
}

/// Why a request had no usable answer. `code` is stable and goes into manifests.
public struct ClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `connection`, `timeout`, `credentials`, `http-NNN`, `unexpected-response`.
    public let code: String
    /// A human message, free of secrets.
    public let message: String

    /// Makes an error.
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// The outcome of a request after retries.
public struct Exchange: Sendable {
    /// The last answer, or why there was none.
    public let result: Result<HTTPResult, ClientError>
    /// How many attempts were made.
    public let attempts: Int
    /// Whether some attempt failed after the request may have reached the service (a dropped connection or a
    /// timeout): the service may have acted on it.
    public let ambiguous: Bool
}

/// The certificate API's client over AsyncHTTPClient: one shared client with a connection pool sized to the
/// concurrency, TLS verified by default, a deadline on every request, bodies collected with a cap, and our own
/// retry policy (the library only retries connection set-up).
public final class CertificateServiceClient: Sendable {
    /// Where requests go.
    public let target: ServiceTarget
    private let http: HTTPClient
    private let credentials: any CredentialProvider
    private let retry: RetryPolicy
    private let retries = Atomic<Int>(0)
    private let maximumBody = 32 << 20

    /// Makes a client. `caFile` adds a CA (PEM) to the system's trust roots.
    public init(
        target: ServiceTarget, credentials: any CredentialProvider, concurrency: Int, caFile: String? = nil,
        retry: RetryPolicy = RetryPolicy()
    ) throws(PipelineError) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, concurrency)
        configuration.timeout = HTTPClient.Configuration.Timeout(
            connect: .seconds(10), read: .seconds(Int64(retry.requestTimeout)))
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw PipelineError(.input, "cannot read the CA file \(caFile)")
            }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(caFile)]
            configuration.tlsConfiguration = tls
        }
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.target = target
        self.credentials = credentials
        self.retry = retry
    }

    /// Shuts the connection pool down; call once, when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Retries made so far (for progress reports).
    public var retryCount: Int { retries.load(ordering: .relaxed) }

    /// Sends a request, retrying throttling, passing server failures, dropped connections and timeouts.
    public func send(_ method: HTTPMethod, _ url: String, body: [UInt8]? = nil, headers: [(String, String)] = [])
        async -> Exchange
    {
        var attempt = 0
        var ambiguous = false
        while true {
            attempt += 1
            let outcome = await once(method, url, body: body, headers: headers)
            var retryAfter: TimeInterval?
            switch outcome {
            case .success(let result) where RetryPolicy.isRetryable(status: result.status):
                retryAfter = result.retryAfter
            case .success:
                return Exchange(result: outcome, attempts: attempt, ambiguous: ambiguous)
            case .failure(let error) where error.code == "connection" || error.code == "timeout":
                // The request may have reached the service before the connection went away.
                ambiguous = ambiguous || method != .GET && method != .HEAD
            case .failure:
                return Exchange(result: outcome, attempts: attempt, ambiguous: ambiguous)
            }
            guard attempt < retry.maxAttempts else {
                return Exchange(result: outcome, attempts: attempt, ambiguous: ambiguous)
            }
            retries.add(1, ordering: .relaxed)
            let wait = retry.delay(afterAttempt: attempt, retryAfter: retryAfter, random: Double.random(in: 0...1))
            try? await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
        }
    }

    private func once(_ method: HTTPMethod, _ url: String, body: [UInt8]?, headers: [(String, String)]) async
        -> Result<HTTPResult, ClientError>
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        do {
            request.headers.add(name: "Authorization", value: try await credentials.authorization())
        } catch {
            return .failure(ClientError("credentials", "cannot get a token: \(error)"))
        }
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(Int64(retry.requestTimeout)))
            let collected = try await response.body.collect(upTo: maximumBody)
            return .success(
                HTTPResult(
                    status: Int(response.status.code), etag: response.headers.first(name: "ETag"),
                    body: Array(buffer: collected),
                    retryAfter: RetryPolicy.retryAfter(response.headers.first(name: "Retry-After"))))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(ClientError("timeout", "no answer within \(Int(retry.requestTimeout)) s"))
        } catch let error as NIOTooManyBytesError {
            return .failure(
                ClientError("unexpected-response", "the response is larger than \(error.maxBytes ?? 0) bytes"))
        } catch {
            return .failure(ClientError("connection", "the connection failed: \(Self.describe(error))"))
        }
    }

    private static func describe(_ error: any Error) -> String {
        String(describing: error).prefix(200).replacingOccurrences(of: "\n", with: " ")
    }

    // MARK: the certificate API

    /// GET one certificate: its record and ETag, or `nil` when it does not exist.
    public func fetch(_ id: String) async -> (Result<(record: CertificateRecord, etag: String?)?, ClientError>, Int) {
        let (result, attempts) = await fetchRemote(id)
        return (result.map { $0.map { ($0.certificate.record, $0.etag) } }, attempts)
    }

    /// Every certificate the service holds (matching `filter`), following `nextLink`.
    public func list(filter: String? = nil, page: Int = 1000) async throws(ClientError) -> [CertificateRecord] {
        try await inventory(filter: filter, page: page).map(\.record)
    }

    /// An error for an unexpected status, with the service's own message when it sent one.
    static func statusError(_ result: HTTPResult) -> ClientError {
        if let error = result.error {
            return ClientError("http-\(result.status)", "\(error.code): \(error.message)")
        }
        return ClientError("http-\(result.status)", "the service answered \(result.status)")
    }
}
