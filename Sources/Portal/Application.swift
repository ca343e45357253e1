import Foundation
import HTTP

/// The running console: the portal's services, its web front and the HTTP server. `main` and the tests
/// build it the same way.
public final class Application: Sendable {
    public let portal: Portal
    let web: WebApp
    let server: HTTPServer

    init(portal: Portal, accessLog: @escaping @Sendable (String) -> Void, log: @escaping @Sendable (String) -> Void) {
        self.portal = portal
        let configuration = portal.configuration
        let web = WebApp(portal: portal, origin: Application.origin(configuration, port: configuration.port), log: log)
        self.web = web
        var server = ServerConfiguration()
        server.host = configuration.host
        server.port = configuration.port
        server.maxBodySize = configuration.maxBodySize
        server.threadPoolSize = configuration.threads
        server.trustedProxies = configuration.trustedProxies
        // Password checks run on a lane as wide as the hashing gate, so there they never wait for a
        // permit, and no connection thread ever waits for one.
        let lane = SlowLane(threads: configuration.hashingThreads, queueLimit: 8 * configuration.hashingThreads,
                            accepts: { request in web.isSlow(request) }, busy: { request in web.busy(request) })
        self.server = HTTPServer(configuration: server, slowLane: lane, responder: { request in web.respond(request) },
                                 accessLog: accessLog)
    }

    /// Binds the port and starts answering. With port 0 the origin follows the port actually bound.
    public func start() throws {
        try server.start()
        web.setOrigin(Application.origin(portal.configuration, port: server.port))
        portal.setOrigin(Application.origin(portal.configuration, port: server.port))
        try portal.startMailDelivery()
    }

    public var port: UInt16 { server.port }

    /// Answers one request as the server would, without a socket (the page benchmark, tests).
    public func respond(_ request: Request) -> Response { web.respond(request) }

    /// The console's origin: `--public-url`, or `http://localhost:PORT`.
    public var origin: String { web.origin }

    /// Stops accepting connections, lets requests in flight finish, then closes the database.
    public func stop() {
        server.stop()
        portal.close()
    }

    static func origin(_ configuration: PortalConfiguration, port: UInt16) -> String {
        if let url = configuration.publicURL {
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        return "http://localhost:\(port)"
    }
}

/// Builds the application for a configuration: opens and migrates the database, checks the listen rules.
/// `accessLog` takes one line per answered request; `log` the other operational lines (an error's
/// reference, mail delivery), by default the same place.
public func buildApplication(_ configuration: PortalConfiguration, clock: any Clock = SystemClock(),
                             accessLog: @escaping @Sendable (String) -> Void,
                             log: (@Sendable (String) -> Void)? = nil) throws -> Application {
    try ListenPolicy.validate(host: configuration.host, publicURL: configuration.publicURL)
    if let bad = configuration.trustedProxies.first(where: { ClientAddress.canonical($0) == nil }) {
        throw ConfigurationError.invalidTrustedProxy(bad)
    }
    let log = log ?? accessLog
    let portal = try Portal(configuration: configuration, clock: clock, log: log)
    return Application(portal: portal, accessLog: accessLog, log: log)
}

/// Finds `Public/`: `CLIENTONE_PUBLIC`, beside the binary (or a few folders up, for `.build/debug`), or
/// in the working directory.
public enum PublicDirectory {
    public static func candidates(executable: String = CommandLine.arguments.first ?? "") -> [String] {
        var places: [String] = []
        if let env = ProcessInfo.processInfo.environment["CLIENTONE_PUBLIC"] { places.append(env) }
        var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            places.append(folder.appendingPathComponent("Public").path)
            folder.deleteLastPathComponent()
        }
        places.append(FileManager.default.currentDirectoryPath + "/Public")
        return places
    }

    public static func locate(executable: String = CommandLine.arguments.first ?? "") throws -> String {
        let places = candidates(executable: executable)
        for place in places {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: place + "/app.css", isDirectory: &isDirectory), !isDirectory.boolValue {
                return place
            }
        }
        throw ConfigurationError.missingPublicDirectory(places)
    }
}
