/// The outcome of looking a request up in a ``Router``.
public enum RouteMatch<Handler: Sendable>: Sendable {
    case found(Handler, parameters: [String: String])
    /// The path exists but not for this method; `allowed` is for the Allow header of the 405.
    case methodNotAllowed(allowed: [String])
    case notFound
}

/// Maps method and path to a handler. Patterns use `{name}` for one non-empty path segment; literal
/// segments match exactly; a trailing slash is significant. When several patterns match, the one with a
/// literal at the first differing segment wins. HEAD falls back to GET routes.
public struct Router<Handler: Sendable>: Sendable {
    /// One registered route.
    private struct Route: Sendable {
        let method: String
        let pattern: RoutePattern
        let handler: Handler
    }

    private var routes: [Route] = []
    /// Routes without parameters by path, then method: most requests are found here without a scan.
    /// Such a route is the most specific for its path, so the scan could not find a better one.
    private var literalRoutes: [String: [String: Handler]] = [:]

    public init() {}

    /// Registers a route. A malformed pattern or a second route with the same method and shape is a
    /// programming error (precondition failure): it would silently shadow the first.
    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        let parsed = RoutePattern(pattern)
        precondition(!routes.contains { $0.method == method && $0.pattern.shape == parsed.shape },
                     "Duplicate route: \(method) \(pattern)")
        routes.append(Route(method: method, pattern: parsed, handler: handler))
        if parsed.shape.allSatisfy({ $0 != nil }) { literalRoutes[pattern, default: [:]][method] = handler }
    }

    /// Finds the handler for `method` and the decoded `path`.
    public func match(method: String, path: String) -> RouteMatch<Handler> {
        guard path.hasPrefix("/") else { return .notFound }
        if let handler = literalRoutes[path]?[method] { return .found(handler, parameters: [:]) }
        let segments = RoutePattern.split(path)
        var exact: (route: Route, parameters: [String: String])?
        var getFallback: (route: Route, parameters: [String: String])?
        var allowed: [String] = []
        for route in routes {
            guard let parameters = route.pattern.match(segments) else { continue }
            if !allowed.contains(route.method) { allowed.append(route.method) }
            if route.method == method {
                exact = Self.better(exact, (route, parameters))
            } else if method == "HEAD" && route.method == "GET" {
                getFallback = Self.better(getFallback, (route, parameters))
            }
        }
        if let chosen = exact ?? getFallback {
            return .found(chosen.route.handler, parameters: chosen.parameters)
        }
        if allowed.isEmpty { return .notFound }
        if allowed.contains("GET") && !allowed.contains("HEAD") { allowed.append("HEAD") }
        return .methodNotAllowed(allowed: allowed.sorted())
    }

    private static func better(_ current: (route: Route, parameters: [String: String])?,
                               _ candidate: (route: Route, parameters: [String: String]))
        -> (route: Route, parameters: [String: String]) {
        guard let current else { return candidate }
        return candidate.route.pattern.isMoreSpecific(than: current.route.pattern) ? candidate : current
    }
}
