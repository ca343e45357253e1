import Foundation
import HTTPClient
import TestSupport

/// What https_server.py's /echo route saw of a request.
struct Echo: Decodable {
    let method: String
    let path: String
    let headers: [[String]]
    let body: String

    /// The values of every field of that name (case-insensitive), in order.
    func header(_ name: String) -> [String] {
        headers.filter { $0.count == 2 && $0[0].lowercased() == name.lowercased() }.map { $0[1] }
    }

    init(_ response: HTTPClientResponse) throws {
        self = try JSONDecoder().decode(Echo.self, from: Data(response.body))
    }
}

/// The CA is made once per run: openssl takes a moment and nothing in a test changes it.
let sharedAuthority: Result<TestCertificateAuthority, any Error> = Result { try TestCertificateAuthority() }

/// A fresh server (its own log), using the run's CA.
func startServer() throws -> HTTPSTestServer {
    try HTTPSTestServer(authority: sharedAuthority.get())
}

/// The kind of error `call` threw, or nil when it returned a response (or threw anything else).
func failure(_ call: () throws -> HTTPClientResponse) -> OutboundError.Kind? {
    do {
        _ = try call()
        return nil
    } catch {
        return (error as? OutboundError)?.kind
    }
}

/// The bytes /bytes/N and /chunked/N send.
func pattern(_ count: Int) -> [UInt8] {
    let unit = Array("abcdefghij".utf8)
    return (0..<count).map { unit[$0 % unit.count] }
}
