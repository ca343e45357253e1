import CMicroHTTPD
import Threads

/// The steps of one exchange, called from ``handleAccess`` on the connection's thread.
extension ServerContext {
    /// First call, headers complete: refuse a bad target (400) or an announced oversized body (413)
    /// before reading any of the body.
    func begin(_ exchange: Exchange, on connection: OpaquePointer, method: String) -> MHD_Result {
        exchange.method = method
        exchange.headers = ConnectionInfo.headers(connection)
        // Set once, here, so the access log and everything the application does with the address
        // (lockouts, reset limits, activity, sessions) see the same client. The connection's own address
        // was made into text when it opened; a request on a kept-alive connection reuses it.
        let peer = exchange.connection?.address ?? ConnectionInfo.remoteAddress(connection)
        exchange.remoteAddress = trustedProxies.isEmpty ? peer
            : ClientAddress.resolve(connection: peer, forwardedFor: exchange.headers.values("X-Forwarded-For"), trusted: trustedProxies)
        guard let target = PercentDecoding.validUTF8(exchange.rawTarget),
              let decoded = try? RequestTarget(parsing: target) else {
            return respond(exchange, on: connection, with: .text("Bad Request", status: 400), closing: true)
        }
        exchange.target = target
        exchange.decodedTarget = decoded
        let announced = announcedLength(exchange.headers)
        if announced > configuration.maxBodySize {
            return respond(exchange, on: connection, with: HTTPError.payloadTooLarge.response, closing: true)
        }
        // Capped: a client announcing a large body and sending nothing should not cost the full limit.
        exchange.body.reserveCapacity(min(announced, 64 * 1024))
        exchange.phase = .receivingBody
        // Even without a body the answer waits for the final call: libmicrohttpd (0.9.75) closes the
        // connection after a response queued on this first call, so every request would need a new one.
        return .YES
    }

    /// A piece of body. Past the limit the collected bytes are dropped and the rest is read and thrown
    /// away, so a chunked upload cannot grow memory without bound.
    func receive(_ chunk: UnsafeRawBufferPointer, into exchange: Exchange) {
        guard exchange.phase == .receivingBody else { return }
        guard chunk.count <= configuration.maxBodySize - exchange.body.count else {
            exchange.body = []
            exchange.phase = .discardingBody
            return
        }
        exchange.body.append(contentsOf: chunk)
    }

    /// Last call, body complete: run the responder (or send the 413 for an oversized chunked body).
    func finish(_ exchange: Exchange, on connection: OpaquePointer) -> MHD_Result {
        guard exchange.phase == .receivingBody, let decoded = exchange.decodedTarget else {
            return respond(exchange, on: connection, with: HTTPError.payloadTooLarge.response, closing: true)
        }
        exchange.connection?.requestArrived()
        let request = Request(method: exchange.method, target: exchange.target, decoded: decoded,
                              headers: exchange.headers, body: exchange.body,
                              remoteAddress: exchange.remoteAddress)
        exchange.body = []
        if let lane = slowLane, lane.accepts(request), let pool = lanePool.withLock({ $0 }) {
            return sendToLane(request, exchange, on: connection, lane: lane, pool: pool)
        }
        let response = ConnectionThread.answering { responder(request) }
        return respond(exchange, on: connection, with: response, closing: false)
    }

    /// Suspends the connection and queues the request on the slow lane; whichever way the job ends (run,
    /// refused because the lane is full, cancelled at shutdown) it leaves a response in the exchange and
    /// resumes the connection, and libmicrohttpd calls ``finishWork`` with it on the connection's thread.
    private func sendToLane(_ request: Request, _ exchange: Exchange, on connection: OpaquePointer,
                            lane: SlowLane, pool: WorkerPool) -> MHD_Result {
        exchange.phase = .working
        let laneResponse = Locked<Response?>(nil)
        exchange.laneResponse = laneResponse
        MHD_suspend_connection(connection)
        let responder = self.responder
        let answer = { (response: Response) in
            laneResponse.withLock { $0 = response }
            MHD_resume_connection(connection)
        }
        let queued = pool.submit(WorkerPool.Job(run: { answer(responder(request)) },
                                                cancel: { answer(lane.busy(request)) }))
        if !queued { answer(lane.busy(request)) }
        return .YES
    }

    /// The slow lane's response, queued from the connection's own thread after the resume.
    func finishWork(_ exchange: Exchange, on connection: OpaquePointer) -> MHD_Result {
        // A resume always follows the response being set; nil would mean a spurious call, so wait on.
        guard let response = exchange.laneResponse?.withLock({ $0 }) else { return .YES }
        return respond(exchange, on: connection, with: response, closing: false)
    }

    /// Queues `response`, or a 500 when libmicrohttpd refuses it (bad status, forbidden header), and
    /// writes the access-log line first so it exists by the time the client has its answer.
    /// `closing` adds `Connection: close`, for refusals sent before the body was read.
    private func respond(_ exchange: Exchange, on connection: OpaquePointer, with response: Response,
                         closing: Bool) -> MHD_Result {
        exchange.phase = .responded
        var status = response.status
        var prepared = PreparedResponse(response, closing: closing)
        if prepared == nil {
            status = 500
            prepared = PreparedResponse(.text("Internal Server Error", status: 500), closing: closing)
        }
        let sentBytes = exchange.method == "HEAD" ? 0 : (prepared?.bodyCount ?? 0)
        accessLog(AccessLog.line(remoteAddress: exchange.remoteAddress, method: exchange.method,
                                 rawTarget: exchange.rawTarget, status: status, bodyBytes: sentBytes,
                                 elapsed: ContinuousClock.now - exchange.startedAt))
        guard let prepared else { return .NO }
        defer { prepared.destroy() }
        return MHD_queue_response(connection, UInt32(status), prepared.handle)
    }

    /// The body size Content-Length announces; an all-digit value too big for `Int` counts as too big.
    private func announcedLength(_ headers: HTTPHeaders) -> Int {
        guard let text = headers["Content-Length"]?.trimmingASCIISpaces(), !text.isEmpty,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return 0 }
        return Int(text) ?? Int.max
    }
}
