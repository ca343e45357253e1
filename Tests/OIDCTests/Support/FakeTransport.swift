import Testing
import Threads
@testable import OIDC

/// An in-memory provider: answers by URL from a table the test changes, and records every request.
final class FakeTransport: OIDCTransport, @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    enum Answer {
        case response(OutboundResponse)
        case failure(String)
    }

    private let routes = Locked<[String: Answer]>([:])
    private let sent = Locked<[OutboundRequest]>([])

    func answer(_ url: String, status: Int = 200, contentType: String? = "application/json", body: [UInt8]) {
        let headers: [(name: String, value: String)] = contentType.map { [("Content-Type", $0)] } ?? []
        routes.withLock { $0[url] = .response(OutboundResponse(status: status, headers: headers, body: body)) }
    }

    func answer(_ url: String, status: Int = 200, contentType: String? = "application/json", json: String) {
        answer(url, status: status, contentType: contentType, body: Array(json.utf8))
    }

    func fail(_ url: String, _ why: String = "connection refused") {
        routes.withLock { $0[url] = .failure(why) }
    }

    var requests: [OutboundRequest] { sent.withLock { $0 } }

    func count(_ url: String) -> Int { requests.filter { $0.url == url }.count }

    func send(_ request: OutboundRequest) throws -> OutboundResponse {
        sent.withLock { $0.append(request) }
        switch routes.withLock({ $0[request.url] }) {
        case .response(let response)?: return response
        case .failure(let why)?: throw Failure(description: why)
        case nil: return OutboundResponse(status: 404, headers: [("Content-Type", "text/plain")], body: Array("not found".utf8))
        }
    }
}

/// A clock the test moves by hand, in Unix seconds.
final class ManualClock: Sendable {
    private let time: Locked<Int64>
    init(_ start: Int64) { time = Locked(start) }
    var now: Int64 { time.withLock { $0 } }
    func advance(_ seconds: Int64) { time.withLock { $0 += seconds } }
}

extension OutboundRequest {
    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
}

/// The error `body` throws, or nil when it does not.
func oidcError<T>(_ body: () throws(OIDCError) -> T) -> OIDCError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
