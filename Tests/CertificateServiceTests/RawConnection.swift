import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plain TCP connection to a test server on 127.0.0.1, for requests that no HTTP client would send (half a head,
/// a body that stops). Every blocking call runs on a thread of its own, never on a test task's thread; every read
/// has a safety bound (`SO_RCVTIMEO`) so that a server that never answers fails the test instead of hanging it.
final class RawConnection: Sendable {
    private let state: Mutex<Int32>

    /// The socket, or -1 once closed.
    var descriptor: Int32 { state.withLock { $0 } }

    /// How long one read may block before the test gives up: generous, and never asserted on.
    static let safetyBound = 60

    private init(descriptor: Int32) {
        state = Mutex(descriptor)
    }

    /// Connects to `127.0.0.1:port` and sends `initial` at once, on the same thread (so that a loaded machine
    /// puts no gap between the two that an idle timeout could see).
    static func open(port: Int, sending initial: String = "") async throws -> RawConnection {
        let descriptor = await onThread { () -> Int32 in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return -1 }
            var timeout = timeval(tv_sec: safetyBound, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                posixClose(fd)
                return -1
            }
            sendAll(fd, initial)
            return fd
        }
        guard descriptor >= 0 else { throw POSIXError(.ECONNREFUSED) }
        return RawConnection(descriptor: descriptor)
    }

    /// Sends text as it is.
    func send(_ text: String) async {
        let fd = descriptor
        await Self.onThread { sendAll(fd, text) }
    }

    /// Reads until the server closes the connection (`read` returns 0): everything read, and whether the close was
    /// seen before the safety bound ran out (or the connection was reset).
    func readToEnd() async -> (text: String, closed: Bool) {
        await read(until: { _ in false })
    }

    /// Reads until `done` says the bytes so far are enough, or the server closes.
    func read(until done: @escaping @Sendable (String) -> Bool) async -> (text: String, closed: Bool) {
        let fd = descriptor
        return await Self.onThread {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 16_384)
            while true {
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count == 0 { return (String(decoding: bytes, as: UTF8.self), true) }
                if count < 0 {
                    if errno == EINTR { continue }
                    // A reset is a close too; a timeout (EAGAIN) is the safety bound.
                    return (String(decoding: bytes, as: UTF8.self), errno == ECONNRESET)
                }
                bytes += chunk[0..<count]
                let text = String(decoding: bytes, as: UTF8.self)
                if done(text) { return (text, false) }
            }
        }
    }

    /// Reads one response to a request on a kept-alive connection: its head and a `Content-Length` body.
    func readResponse() async -> String {
        await read(until: { text in
            guard let end = text.range(of: "\r\n\r\n") else { return false }
            let head = text[..<end.lowerBound].lowercased()
            let length =
                head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            return text.utf8.count - text[..<end.upperBound].utf8.count >= length
        }).text
    }

    /// Closes the connection (once).
    func close() {
        let fd = state.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 { posixClose(fd) }
    }

    deinit {
        close()
    }

    /// Runs a blocking body on a new thread and awaits its result.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }
}

/// Sends all of `text`, or stops at the first failure.
private func sendAll(_ fd: Int32, _ text: String) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let sent = bytes[offset...].withUnsafeBytes { posixSend(fd, $0.baseAddress, $0.count) }
        guard sent > 0 else { return }
        offset += sent
    }
}

private func posixSend(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        send(fd, bytes, count, Int32(MSG_NOSIGNAL))
    #else
        send(fd, bytes, count, 0)
    #endif
}

private func posixClose(_ fd: Int32) {
    _ = close(fd)
}

/// One request on its own connection (`Connection: close`), read to the end.
struct RawResponse: Sendable {
    let status: Int
    let head: String
    let body: String

    /// The value of a header (names compared without case).
    func header(_ name: String) -> String? {
        head.split(separator: "\r\n").dropFirst().first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    static func send(
        port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil
    ) async throws -> RawResponse {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        if let body { request += "Content-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + (body ?? "")
        let connection = try await RawConnection.open(port: port, sending: request)
        let (text, closed) = await connection.readToEnd()
        connection.close()
        try #require(closed, "the server did not answer and close: \(text.prefix(200))")
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return RawResponse(status: status, head: head, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}

/// Waits until `condition` holds, checking it after each short pause; fails the test after a generous number of
/// checks. The pauses only pace the checks: nothing is asserted about how long it took.
func eventually(
    _ what: String, checks: Int = 6_000, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    for _ in 0..<checks {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("\(what) never happened", sourceLocation: sourceLocation)
    throw CancellationError()
}
