import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Threads

// The C callbacks libmicrohttpd calls on its own threads. They are plain global functions (a C function
// pointer cannot carry a closure's context); the context travels through `cls` and `con_cls`.

/// The shape of `MHD_OPTION_URI_LOG_CALLBACK`, which the header documents but does not name.
typealias URICallback = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?)
    -> UnsafeMutableRawPointer?

/// `MHD_OPTION_URI_LOG_CALLBACK`: the first news of a request, with the target still raw (libmicrohttpd
/// unescapes its own copy in place later). Makes the per-request ``Exchange``; its pointer becomes
/// `*con_cls`, retained until ``exchangeCompleted``.
func exchangeStarted(_ cls: UnsafeMutableRawPointer?, _ uri: UnsafePointer<CChar>?,
                     _ connection: OpaquePointer?) -> UnsafeMutableRawPointer? {
    guard let cls else { return nil }
    let target = uri.map { pointer in
        Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
    } ?? []
    ServerContext.from(cls).inFlight.withLock { $0 += 1 }
    let exchange = Exchange(rawTarget: target)
    if let connection, let state = clientone_mhd_socket_context(connection) {
        exchange.connection = Unmanaged<ConnectionGuard.Connection>.fromOpaque(state).takeUnretainedValue()
    }
    return Unmanaged.passRetained(exchange).toOpaque()
}

/// `MHD_OPTION_NOTIFY_COMPLETED`: the request is over (answered, aborted, timed out or shut down).
/// Releases the ``Exchange`` made in ``exchangeStarted``.
func exchangeCompleted(_ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
                       _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                       _ reason: MHD_RequestTerminationCode) {
    guard let cls, let conCls, let exchange = conCls.pointee else { return }
    conCls.pointee = nil
    Unmanaged<Exchange>.fromOpaque(exchange).takeRetainedValue().connection?.answered()
    ServerContext.from(cls).inFlight.withLock { $0 -= 1 }
}

/// The access handler. libmicrohttpd calls it once when the headers are in (`*upload_data_size == 0`),
/// once per chunk of body, and a last time with `*upload_data_size == 0` when the body is complete.
/// A response may be queued only on the first or the last call.
func handleAccess(_ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
                  _ url: UnsafePointer<CChar>?, _ method: UnsafePointer<CChar>?,
                  _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
                  _ uploadDataSize: UnsafeMutablePointer<Int>?,
                  _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> MHD_Result {
    guard let cls, let connection, let uploadDataSize, let pointer = conCls?.pointee else { return .NO }
    let context = ServerContext.from(cls)
    let exchange = Unmanaged<Exchange>.fromOpaque(pointer).takeUnretainedValue()
    let chunk = UnsafeRawBufferPointer(start: uploadData, count: uploadData == nil ? 0 : uploadDataSize.pointee)
    uploadDataSize.pointee = 0
    switch exchange.phase {
    case .awaitingHeaders:
        let methodName = method.map { String(cString: $0) } ?? ""
        return context.begin(exchange, on: connection, method: methodName)
    case .receivingBody, .discardingBody:
        guard chunk.isEmpty else {
            context.receive(chunk, into: exchange)
            return .YES
        }
        return context.finish(exchange, on: connection)
    case .working:
        // Called again after the slow lane resumed the connection, with the response ready.
        return context.finishWork(exchange, on: connection)
    case .responded:
        return .YES
    }
}

/// `MHD_KeyValueIteratorN` for `MHD_get_connection_values_n`: appends one header to the `HTTPHeaders`
/// that `cls` points at. Sizes are given, so a header value with odd bytes is not cut short.
func collectHeader(_ cls: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind,
                   _ key: UnsafePointer<CChar>?, _ keySize: Int,
                   _ value: UnsafePointer<CChar>?, _ valueSize: Int) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keySize), as: UTF8.self)
    let text = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) }
    cls.assumingMemoryBound(to: HTTPHeaders.self).pointee.add(name, text ?? "")
    return .YES
}

/// The accept policy (`apc` of `MHD_start_daemon`), called before libmicrohttpd takes a connection on:
/// refuses one beyond the per-address limit (see ``ConnectionGuard``).
func admitConnection(_ cls: UnsafeMutableRawPointer?, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> MHD_Result {
    guard let cls else { return .YES }
    return ServerContext.from(cls).connections.admits(ConnectionInfo.text(of: address)) ? .YES : .NO
}

/// `MHD_OPTION_NOTIFY_CONNECTION`: a connection started or closed. Its ``ConnectionGuard/Connection``
/// lives in `*socket_context`, retained from the start to the close, which libmicrohttpd pairs (also on
/// its own clean-up paths).
func connectionChanged(_ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
                       _ socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                       _ code: MHD_ConnectionNotificationCode) {
    guard let cls, let connection, let socketContext else { return }
    let connections = ServerContext.from(cls).connections
    switch code {
    case .CONNECTION_NOTIFY_STARTED:
        let state = ConnectionGuard.Connection(address: ConnectionInfo.remoteAddress(connection),
                                               descriptor: clientone_mhd_connection_fd(connection))
        socketContext.pointee = Unmanaged.passRetained(state).toOpaque()
        connections.opened(state)
    default:
        guard let pointer = socketContext.pointee else { return }
        socketContext.pointee = nil
        connections.closed(Unmanaged<ConnectionGuard.Connection>.fromOpaque(pointer).takeRetainedValue())
    }
}
