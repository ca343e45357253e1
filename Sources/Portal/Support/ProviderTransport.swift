import HTTPClient
import OIDC
import Threads

/// The relying party's transport: the `OIDC` library's requests over the console's libcurl client
/// (https only, certificate checks, 3 s to connect, 10 s in all, 1 MiB at most, no redirects).
struct ProviderTransport: OIDCTransport {
    let client: HTTPClient

    init(_ client: HTTPClient) { self.client = client }

    func send(_ request: OutboundRequest) throws -> OutboundResponse {
        // A provider that hangs must not hold a thread that answers pages (debug builds: the tests).
        assert(!ConnectionThread.isCurrent, "an identity provider was called on a connection thread: give its route lane: .slowWork")
        guard let method = HTTPClientRequest.Method(rawValue: request.method) else {
            throw HTTPClientError(kind: .refusedURL, detail: "method \(request.method) is not used with identity providers")
        }
        let response = try client.send(HTTPClientRequest(method: method, url: request.url, headers: request.headers, body: request.body))
        return OutboundResponse(status: response.status, headers: response.headers, body: response.body)
    }
}
