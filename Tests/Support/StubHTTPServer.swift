import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request as a stub server saw it.
public struct StubRequest: Sendable {
    public let method: String
    /// The request target: path and query.
    public let target: String
    /// The headers, names in lower case.
    public let headers: [String: String]
    public let body: [UInt8]

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What a stub server answers.
public enum StubReply: Sendable {
    /// A whole response.
    case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
    /// The head with `Content-Length: length`, then the body one byte every `interval` seconds.
    case drip(status: Int, length: Int, interval: TimeInterval)

    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> StubReply {
        .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    public static func json<T: Encodable>(_ status: Int, encoding value: T, headers: [(String, String)] = [])
        -> StubReply
    {
        let data = (try? JSONEncoder().encode(value)) ?? Data()
        return .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(data))
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 over plain sockets, one thread per connection, every response closing its
/// connection. It records every request it gets, so that a test can say that nothing was sent to it.
public final class StubHTTPServer: Sendable {
    public let port: Int
    private let socket: Int32
    private let handler: @Sendable (StubRequest) -> StubReply
    private let received = Mutex<[StubRequest]>([])

    /// Starts a server on an ephemeral port of 127.0.0.1.
    public init(_ handler: @escaping @Sendable (StubRequest) -> StubReply) throws {
        #if canImport(Glibc)
            let listener = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let listener = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard listener >= 0 else { throw StubError.socket }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            close(listener)
            throw StubError.socket
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.socket = listener
        self.handler = handler
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    public enum StubError: Error { case socket }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far.
    public var requests: [StubRequest] { received.withLock { $0 } }

    /// How many requests were received.
    public var count: Int { received.withLock { $0.count } }

    /// Stops accepting connections.
    public func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(socket, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = read(connection) else { return }
        received.withLock { $0.append(request) }
        switch handler(request) {
        case .respond(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) Stub\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "\r\n"
            guard write(connection, Array(head.utf8)) else { return }
            _ = write(connection, body)
        case .drip(let status, let length, let interval):
            let head =
                "HTTP/1.1 \(status) Stub\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(length)\r\n\r\n"
            guard write(connection, Array(head.utf8)) else { return }
            for _ in 0..<length {
                usleep(useconds_t(interval * 1_000_000))
                guard write(connection, [UInt8(ascii: " ")]) else { return }
            }
        }
    }

    private func write(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private func read(_ connection: Int32) -> StubRequest? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            data += buffer[0..<count]
            if data.count >= 4 {
                headEnd = (0...(data.count - 4)).first { data[$0..<($0 + 4)].elementsEqual(separator) }
            }
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: data[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines.first?.split(separator: " ").map(String.init) ?? []
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(data[(headEnd + 4)...])
        while body.count < length {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            body += buffer[0..<count]
        }
        return StubRequest(method: requestLine[0], target: requestLine[1], headers: headers, body: body)
    }
}
