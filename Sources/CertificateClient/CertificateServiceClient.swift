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
/// concurrency, TLS verified by default, a deadline on every request that covers its whole body, bodies collected
/// with a cap, our own retry policy (the library only retries connection set-up), and no trust in what the service
/// says: a `nextLink` or redirect is followed only to the configured service's own scheme, host and port, and a
/// `PUT` or `DELETE` is never redirected.
public final class CertificateServiceClient: Sendable {
    /// Where requests go.
    public let target: ServiceTarget
    private let http: HTTPClient
    private let credentials: any CredentialProvider
    private let retry: RetryPolicy
    private let retries = Atomic<Int>(0)
    private let maximumBody = 32 << 20
    /// The caps on paging and redirects.
    public let limits: ClientLimits
    /// Sees every attempt (`--concurrency auto`).
    private let observer: (any AttemptObserver)?

    /// Makes a client. `caFile` adds a CA (PEM) to the system's trust roots; `observer` sees every attempt.
    public init(
        target: ServiceTarget, credentials: any CredentialProvider, concurrency: Int, caFile: String? = nil,
        retry: RetryPolicy = RetryPolicy(), limits: ClientLimits = ClientLimits(),
        observer: (any AttemptObserver)? = nil
    ) throws(ClientError) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, concurrency)
        configuration.timeout = HTTPClient.Configuration.Timeout(
            connect: .seconds(10), read: .nanoseconds(Self.nanoseconds(retry.requestTimeout)))
        // Redirects are followed by `once`, which knows which are safe; the library would send a PUT's body again.
        configuration.redirectConfiguration = .disallow
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw ClientError.input("cannot read the CA file \(caFile)")
            }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(caFile)]
            configuration.tlsConfiguration = tls
        }
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.target = target
        self.credentials = credentials
        self.retry = retry
        self.limits = limits
        self.observer = observer
    }

    /// Shuts the connection pool down; call once, when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Retries made so far (for progress reports).
    public var retryCount: Int { retries.load(ordering: .relaxed) }

    /// Sends a request, retrying throttling, passing server failures, dropped connections and timeouts. A `401`
    /// from a credential that can be renewed (a token command's) is retried once with a fresh token; a second
    /// `401` is final.
    public func send(_ method: HTTPMethod, _ url: String, body: [UInt8]? = nil, headers: [(String, String)] = [])
        async -> Exchange
    {
        var attempt = 0
        var ambiguous = false
        var renewed = false
        var renewal = 0
        while true {
            attempt += 1
            let authorization: String
            do {
                authorization = try await credentials.authorization()
            } catch {
                return Exchange(result: .failure(Self.credentialError(error)), attempts: attempt, ambiguous: ambiguous)
            }
            let answered = observer?.attemptStarted()
            let outcome = await once(method, url, body: body, headers: headers, authorization: authorization)
            if let answered {
                let answer = try? outcome.get()
                answered(answer?.status, answer?.retryAfter)
            }
            var retryAfter: TimeInterval?
            switch outcome {
            case .success(let result) where result.status == 401 && !renewed:
                renewed = true
                guard await credentials.renew(rejected: authorization) else {
                    return Exchange(result: outcome, attempts: attempt, ambiguous: ambiguous)
                }
                // The renewal's retry does not use up an attempt: the token, not the service, failed.
                retries.add(1, ordering: .relaxed)
                renewal = 1
                continue
            case .success(let result) where RetryPolicy.isRetryable(status: result.status):
                retryAfter = result.retryAfter
            case .success:
                return Exchange(result: outcome, attempts: attempt, ambiguous: ambiguous)
            case .failure(let error) where error.code == .connection || error.code == .timeout:
                // The request may have reached the service before the connection went away.
                ambiguous = ambiguous || method != .GET && method != .HEAD
            case .failure:
                return Exchange(result: outcome, attempts: attempt, ambiguous: ambiguous)
            }
            guard attempt < retry.maxAttempts + renewal else {
                return Exchange(result: outcome, attempts: attempt, ambiguous: ambiguous)
            }
            retries.add(1, ordering: .relaxed)
            let wait = retry.delay(afterAttempt: attempt, retryAfter: retryAfter, random: Double.random(in: 0...1))
            try? await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
        }
    }

    private static func credentialError(_ error: any Error) -> ClientError {
        if let error = error as? ClientError { return error }
        return ClientError.credentials("cannot get a token: \(describe(error))")
    }

    /// The statuses that redirect.
    static func isRedirect(_ status: Int) -> Bool { [301, 302, 303, 307, 308].contains(status) }

    /// One attempt: the request and, for `GET` and `HEAD`, the redirects it is sent (same origin only, at most
    /// ``ClientLimits/maxRedirects``), all under one deadline that covers every response's body too. A redirect of
    /// any other method is an error: its body is never sent again, and never to another place.
    private func once(
        _ method: HTTPMethod, _ url: String, body: [UInt8]?, headers: [(String, String)], authorization: String
    ) async -> Result<HTTPResult, ClientError> {
        let timeout = retry.requestTimeout
        let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(timeout))
        var current = url
        var redirects = 0
        var seen: Set<String> = [url]
        while true {
            guard ServiceOrigin(current) == target.origin else {
                return .failure(ClientError.untrustedRedirect("the request does not go to the service"))
            }
            var request = HTTPClientRequest(url: current)
            request.method = method
            request.headers.add(name: "Authorization", value: authorization)
            request.headers.add(name: "Accept", value: "application/json")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(body)
            }
            let answer: Answer
            do {
                guard let complete = try await exchange(request, deadline: deadline) else {
                    return .failure(ClientError.timeout("no complete answer within \(Self.seconds(timeout)) s"))
                }
                answer = complete
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                return .failure(ClientError.timeout("no complete answer within \(Self.seconds(timeout)) s"))
            } catch let error as NIOTooManyBytesError {
                return .failure(
                    ClientError.unexpectedResponse("the response is larger than \(error.maxBytes ?? 0) bytes"))
            } catch {
                return .failure(ClientError.connection("the connection failed: \(Self.describe(error))"))
            }
            let status = Int(answer.status.code)
            let result = HTTPResult(
                status: status, etag: answer.headers.first(name: "ETag"), body: Array(buffer: answer.body),
                retryAfter: RetryPolicy.retryAfter(answer.headers.first(name: "Retry-After")))
            guard Self.isRedirect(status) else { return .success(result) }
            guard method == .GET || method == .HEAD else {
                return .failure(
                    ClientError.redirectRefused(
                        "the service answered \(status) to \(method.rawValue) with a redirect; CertDrop follows no "
                            + "redirect for \(method.rawValue), so the request and its body were not sent again"))
            }
            // A redirect without a place to go is the caller's unexpected status.
            guard let location = answer.headers.first(name: "Location") else { return .success(result) }
            let next: String
            do {
                next = try target.trustedRedirect(location, from: current, status: status)
            } catch {
                return .failure(error)
            }
            redirects += 1
            guard redirects <= limits.maxRedirects else {
                return .failure(
                    ClientError.tooManyRedirects("the service redirected more than \(limits.maxRedirects) times"))
            }
            guard seen.insert(next).inserted else {
                return .failure(ClientError.redirectLoop("the service's redirects go round in a circle"))
            }
            current = next
        }
    }

    /// A response with its whole body.
    private struct Answer: Sendable {
        let status: HTTPResponseStatus
        let headers: HTTPHeaders
        let body: ByteBuffer
    }

    /// Sends `request` and collects the body, or `nil` when `deadline` passes first. The library's deadline only
    /// covers the head (and its read timeout restarts with every byte), so the body is raced against the deadline
    /// here and cancelled when it loses.
    private func exchange(_ request: HTTPClientRequest, deadline: NIODeadline) async throws -> Answer? {
        // The head: the library ends it at the deadline, with the last connection error when it never connected.
        let response = try await http.execute(request, deadline: deadline)
        let (status, headers, body) = (response.status, response.headers, response.body)
        let maximumBody = maximumBody
        return try await withThrowingTaskGroup(of: Answer?.self) { group in
            group.addTask {
                Answer(status: status, headers: headers, body: try await body.collect(upTo: maximumBody))
            }
            group.addTask {
                let left = deadline.uptimeNanoseconds.subtractingReportingOverflow(NIODeadline.now().uptimeNanoseconds)
                try await Task.sleep(nanoseconds: left.overflow ? 0 : left.partialValue)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    /// A timeout in nanoseconds, kept between a millisecond and a week (and 30 s when it is not a number).
    private static func nanoseconds(_ seconds: TimeInterval) -> Int64 {
        guard seconds.isFinite else { return 30_000_000_000 }
        return Int64(min(max(seconds, 0.001), 604_800) * 1_000_000_000)
    }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
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
    package static func statusError(_ result: HTTPResult) -> ClientError {
        if let error = result.error {
            return ClientError.http(result.status, "\(error.code): \(error.message)")
        }
        return ClientError.http(result.status, "the service answered \(result.status)")
    }
}
