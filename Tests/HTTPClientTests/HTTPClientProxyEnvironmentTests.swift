import Foundation
import HTTPClient
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The proxy variables libcurl reads by itself are ignored: the console uses a proxy only when one is
/// configured. Serialized and restoring the environment afterwards, since it is the process's own.
@Suite(.serialized) struct HTTPClientProxyEnvironmentTests {
    static let variables = ["HTTPS_PROXY", "https_proxy", "http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"]
    /// Unset for the test, so no exemption hides a proxy that would be used.
    static let exemptions = ["NO_PROXY", "no_proxy"]

    /// Runs `body` with every proxy variable pointing at `proxy` and the exemptions set to `exempt` (or
    /// unset), then puts the environment back as it was.
    func withProxyEnvironment(_ proxy: String, exempt: String? = nil, _ body: () throws -> Void) rethrows {
        let saved = (Self.variables + Self.exemptions).map { name in (name, getenv(name).map { String(cString: $0) }) }
        defer {
            for (name, value) in saved {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        for name in Self.variables { setenv(name, proxy, 1) }
        for name in Self.exemptions {
            if let exempt { setenv(name, exempt, 1) } else { unsetenv(name) }
        }
        try body()
    }

    @Test("With HTTPS_PROXY, https_proxy, http_proxy and ALL_PROXY set to a closed port, https and http calls still go straight to the server")
    func environmentProxyIgnored() throws {
        let server = try startServer()
        let closed = try HTTPSTestServer.closedPort()
        let client = OutboundClient(configuration: HTTPClientConfiguration(caFile: server.authority.caFile))
        try withProxyEnvironment("http://127.0.0.1:\(closed)") {
            for url in ["https://127.0.0.1:\(server.httpsPort)/echo", "https://localhost:\(server.httpsPort)/echo",
                        "http://127.0.0.1:\(server.plainPort)/echo"] {
                let response = try client.send(HTTPClientRequest(url: url))
                #expect(response.status == 200)
                #expect(try Echo(response).path == "/echo")
            }
        }
        #expect(server.requests(atLeast: 3) == ["GET /echo", "GET /echo", "GET /echo"])
    }

    @Test("A configured proxy is used: calls go through it, and fail when it is closed")
    func configuredProxyUsed() throws {
        let server = try startServer()
        var configuration = HTTPClientConfiguration(caFile: server.authority.caFile)
        // The plain listener plays a forward proxy for http: it logs the absolute URL it was asked for.
        configuration.proxy = "http://127.0.0.1:\(server.plainPort)"
        let response = try OutboundClient(configuration: configuration).send(HTTPClientRequest(url: "http://localhost:\(server.httpsPort)/echo"))
        #expect(response.status == 404)
        #expect(server.requests(atLeast: 1) == ["GET http://localhost:\(server.httpsPort)/echo"])
        configuration.proxy = "http://127.0.0.1:\(try HTTPSTestServer.closedPort())"
        let closed = OutboundClient(configuration: configuration)
        #expect(failure { try closed.send(HTTPClientRequest(url: "https://127.0.0.1:\(server.httpsPort)/echo")) } == .connect)
    }

    @Test("A configured proxy is used for every host even when NO_PROXY or no_proxy in the environment exempts them")
    func configuredProxyIgnoresNoProxy() throws {
        let server = try startServer()
        var configuration = HTTPClientConfiguration(caFile: server.authority.caFile)
        configuration.proxy = "http://127.0.0.1:\(server.plainPort)"
        let client = OutboundClient(configuration: configuration)
        // Straight to the https port, this plain-http call would fail; through the proxy it gets the proxy's 404.
        let url = "http://127.0.0.1:\(server.httpsPort)/echo"
        try withProxyEnvironment(configuration.proxy!, exempt: "*") {
            let response = try client.send(HTTPClientRequest(url: url))
            #expect(response.status == 404)
        }
        try withProxyEnvironment(configuration.proxy!, exempt: "127.0.0.1,localhost") {
            let response = try client.send(HTTPClientRequest(url: url))
            #expect(response.status == 404)
        }
        #expect(server.requests(atLeast: 2) == ["GET \(url)", "GET \(url)"])
    }
}
