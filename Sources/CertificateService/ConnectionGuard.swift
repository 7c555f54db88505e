import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Hummingbird's HTTP/1 channel with the service's ``ConnectionLimits`` around it. Hummingbird enforces the idle
/// timeout; two handlers of ours enforce the rest:
///
/// ```
/// socket ─ ConnectionGuardHandler ─ HTTPResponseEncoder ─ HTTPRequestDecoder ─ RequestDeadlineHandler ─ Hummingbird
///          (connection cap, first       (NIOHTTP1)                              (header and body deadlines)
///           byte of a request head)
/// ```
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let limits: ConnectionLimits
    let connections: ConnectionCounter
    let metrics: ServiceMetrics

    init(
        responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits, connections: ConnectionCounter,
        metrics: ServiceMetrics
    ) {
        base = HTTP1Channel(
            responder: responder, configuration: HTTP1Channel.Configuration(idleTimeout: .init(limits.idleTimeout)))
        self.limits = limits
        self.connections = connections
        self.metrics = metrics
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let limits = self.limits
        let connections = self.connections
        let metrics = self.metrics
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let deadlines = RequestDeadlineHandler(limits: limits, metrics: metrics, logger: logger)
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(deadlines, position: .after(decoder))
            try operations.addHandler(
                ConnectionGuardHandler(
                    deadlines: deadlines, connections: connections, maximum: limits.maxConnections, metrics: metrics),
                position: .first)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// The connections open now, shared by every connection of one server.
final class ConnectionCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// The connections open now (refused ones included until they are closed).
    var open: Int { count.load(ordering: .relaxed) }

    /// Counts a connection in and returns how many are open with it.
    func opened() -> Int {
        count.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Counts a connection out.
    func closed() {
        _ = count.wrappingSubtract(1, ordering: .relaxed)
    }
}

/// First in the pipeline: refuses a connection beyond the cap with a `503` written as raw bytes, and tells the
/// ``RequestDeadlineHandler`` when the first byte of a request head arrives.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let deadlines: RequestDeadlineHandler
    private let connections: ConnectionCounter
    private let maximum: Int
    private let metrics: ServiceMetrics
    private var counted = false
    private var refused = false

    init(deadlines: RequestDeadlineHandler, connections: ConnectionCounter, maximum: Int, metrics: ServiceMetrics) {
        self.deadlines = deadlines
        self.connections = connections
        self.maximum = maximum
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A refused connection's requests are never read.
        guard !refused else { return }
        deadlines.requestBytesArrived()
        context.fireChannelRead(data)
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        guard connections.opened() > maximum else { return }
        refused = true
        metrics.recordRefusal("connection-limit")
        let error = CertificateServiceError(
            .serviceUnavailable,
            "the service has \(maximum) connections open, its limit; retry after 1 s or reuse a connection",
            detailCode: "connection-limit", headers: ["Retry-After": "1"])
        let body = (try? JSONBody.encode(error.errorResponse)) ?? ByteBuffer()
        var response = ByteBuffer(
            string: "HTTP/1.1 503 Service Unavailable\r\nContent-Type: \(JSONBody.contentType)\r\n"
                + "Content-Length: \(body.readableBytes)\r\nRetry-After: 1\r\nConnection: close\r\n\r\n")
        response.writeImmutableBuffer(body)
        context.writeAndFlush(wrapOutboundOut(response)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    private func release() {
        guard counted else { return }
        counted = false
        connections.closed()
    }
}

/// After the HTTP/1 decoder: closes a connection whose request head is not complete within the header timeout of
/// its first byte, or whose body is not complete within the body timeout of the end of its head.
///
/// Known gap: bytes of a pipelined request that arrive in the same read as the end of the previous request start
/// no header deadline; that connection is still bounded by the idle timeout.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Reading {
        /// No request is being read.
        case nothing
        /// Bytes of a request head have arrived; the head is not complete.
        case head
        /// The head is complete; the body's end has not arrived.
        case body
    }

    private let limits: ConnectionLimits
    private let metrics: ServiceMetrics
    private let logger: Logger
    private var reading = Reading.nothing
    /// Requests whose head was read and whose response has not been written to its end.
    private var responsesOwed = 0
    private var deadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(limits: ConnectionLimits, metrics: ServiceMetrics, logger: Logger) {
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelDeadline()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeadline()
        context.fireChannelInactive()
    }

    /// Called by ``ConnectionGuardHandler`` for every read of raw bytes, before the decoder sees them.
    func requestBytesArrived() {
        guard reading == .nothing else { return }
        reading = .head
        schedule(after: limits.headerTimeout, kind: "header-timeout")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            responsesOwed += 1
            reading = .body
            cancelDeadline()
            schedule(after: limits.bodyTimeout, kind: "body-timeout")
        case .body:
            break
        case .end:
            reading = .nothing
            cancelDeadline()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { responsesOwed = max(0, responsesOwed - 1) }
        context.write(data, promise: promise)
    }

    private func schedule(after timeout: Duration, kind: String) {
        guard let context else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .init(timeout)) { [weak self] in
            self?.expire(kind)
        }
    }

    private func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }

    private func expire(_ kind: String) {
        deadline = nil
        guard let context else { return }
        metrics.recordRefusal(kind)
        logger.info(
            "closing a connection: \(kind)", metadata: ["remote": "\(context.remoteAddress?.description ?? "?")"])
        if kind == "header-timeout", responsesOwed == 0 {
            // No response is being written, so one can be: 408, then close.
            let head = HTTPResponseHead(
                version: .http1_1, status: .requestTimeout,
                headers: HTTPHeaders([("Connection", "close"), ("Content-Length", "0")]))
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        } else {
            context.close(promise: nil)
        }
    }
}
