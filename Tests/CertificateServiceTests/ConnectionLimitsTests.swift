import CertDropTestSupport
import CertificateAPI
import Foundation
import Testing

@testable import CertificateService

/// The idle, header and body timeouts and the connection cap, against a live server on 127.0.0.1 and raw TCP
/// clients. Each timeout under test is 1 s and the others an hour, so that only the one under test can close the
/// connection; nothing is asserted about elapsed time, only that the server closed the connection.
@Suite struct ConnectionLimitsTests {
    static let hour = Duration.seconds(3_600)

    /// Starts a service with these limits and runs `body` against it.
    static func withServer(
        _ limits: ConnectionLimits, _ body: (TestService, RunningServer) async throws -> Void
    ) async throws {
        let service = try TestService { $0.connectionLimits = limits }
        let running = try await service.server.start()
        do {
            try await body(service, running)
        } catch {
            try? await running.shutdown()
            throw error
        }
        try await running.shutdown()
    }

    @Test func halfARequestHeadIsClosedAfterTheHeaderTimeout() async throws {
        let limits = ConnectionLimits(idleTimeout: Self.hour, headerTimeout: .seconds(1), bodyTimeout: Self.hour)
        try await Self.withServer(limits) { service, running in
            let connection = try await RawConnection.open(
                port: running.port, sending: "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: appl")
            let (text, closed) = await connection.readToEnd()
            #expect(closed, "the server kept a half-sent request head open")
            #expect(text.hasPrefix("HTTP/1.1 408"), "\(text)")
            connection.close()
            #expect(String(decoding: service.server.metrics.exposition(), as: UTF8.self).contains("header-timeout"))
        }
    }

    @Test func aCompleteRequestIsAnsweredWithTheSameShortTimeouts() async throws {
        // The idle timeout stays long: it may rightly close a connection that a loaded machine is slow to use.
        let limits = ConnectionLimits(idleTimeout: Self.hour, headerTimeout: .seconds(1), bodyTimeout: .seconds(1))
        try await Self.withServer(limits) { _, running in
            let health = try await RawResponse.send(port: running.port, "GET", "/health")
            #expect(health.status == 200)
            let d = DialectClient(dialect: .legacy)
            let created = try await RawResponse.send(
                port: running.port, "PUT", d.entity("timely"),
                headers: ["Authorization": d.authorization, "Content-Type": "application/json"],
                body: d.uploadBody(fixture: "ec-p256.pfx"))
            #expect(created.status == 201, "\(created.head)")
        }
    }

    @Test func aBodyThatStopsIsClosedAfterTheBodyTimeout() async throws {
        let limits = ConnectionLimits(idleTimeout: Self.hour, headerTimeout: Self.hour, bodyTimeout: .seconds(1))
        try await Self.withServer(limits) { _, running in
            let d = DialectClient(dialect: .legacy)
            let connection = try await RawConnection.open(
                port: running.port,
                sending: "PUT \(d.entity("slow")) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(d.authorization)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"data\": \"MII")
            let (text, closed) = await connection.readToEnd()
            #expect(closed, "the server kept a stalled request body open")
            #expect(!text.contains(" 201 "), "\(text)")
            connection.close()
        }
    }

    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        let limits = ConnectionLimits(idleTimeout: .seconds(1), headerTimeout: Self.hour, bodyTimeout: Self.hour)
        try await Self.withServer(limits) { _, running in
            // Nothing sent at all.
            let silent = try await RawConnection.open(port: running.port)
            let (nothing, silentClosed) = await silent.readToEnd()
            #expect(silentClosed)
            #expect(nothing.isEmpty)
            silent.close()
            // A kept-alive connection after its response.
            let kept = try await RawConnection.open(
                port: running.port, sending: "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let (text, keptClosed) = await kept.readToEnd()
            #expect(keptClosed)
            #expect(text.hasPrefix("HTTP/1.1 200"), "\(text)")
            kept.close()
        }
    }

    @Test func connectionsBeyondTheCapAreAnswered503AndClosed() async throws {
        let limits = ConnectionLimits(maxConnections: 2)
        try await Self.withServer(limits) { service, running in
            // Exactly on the cap: two kept-alive connections are served.
            var open: [RawConnection] = []
            for _ in 0..<2 {
                let connection = try await RawConnection.open(
                    port: running.port, sending: "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                let response = await connection.readResponse()
                #expect(response.hasPrefix("HTTP/1.1 200"), "\(response)")
                open.append(connection)
            }
            #expect(service.server.openConnections == 2)
            // One over: refused with the contract's error body, then closed.
            let extra = try await RawConnection.open(port: running.port)
            let (refusal, closed) = await extra.readToEnd()
            extra.close()
            #expect(closed)
            #expect(refusal.hasPrefix("HTTP/1.1 503"), "\(refusal)")
            #expect(refusal.contains("Retry-After: 1"))
            #expect(refusal.contains("\"ServiceUnavailable\"") && refusal.contains("connection-limit"))
            // Once one closes, a new connection is served again.
            open.removeFirst().close()
            try await eventually("the server counting the closed connections out") {
                service.server.openConnections <= 1
            }
            let health = try await RawResponse.send(port: running.port, "GET", "/health")
            #expect(health.status == 200)
            for connection in open { connection.close() }
        }
    }

    @Test(arguments: [
        ConnectionLimits(idleTimeout: .zero), ConnectionLimits(headerTimeout: .seconds(-1)),
        ConnectionLimits(bodyTimeout: .zero), ConnectionLimits(maxConnections: 0),
    ])
    func invalidLimitsAreRefused(_ limits: ConnectionLimits) {
        #expect(throws: CertificateServiceError.self) { try limits.validate() }
        #expect(throws: CertificateServiceError.self) { try TestService { $0.connectionLimits = limits } }
    }

    @Test func theDefaultsAreSafe() throws {
        let limits = ConnectionLimits()
        #expect(
            limits
                == ConnectionLimits(
                    idleTimeout: .seconds(60), headerTimeout: .seconds(10), bodyTimeout: .seconds(60),
                    maxConnections: 512))
        try limits.validate()
        try ConnectionLimits(maxConnections: 1).validate()
    }
}
