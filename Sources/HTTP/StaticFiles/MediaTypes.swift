/// Content-Type by file extension for the assets the console ships; anything else is served as opaque
/// bytes so a browser never guesses (and never runs) an unknown file as script or HTML.
enum MediaTypes {
    static let byExtension: [String: String] = [
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "svg": "image/svg+xml",
        "png": "image/png",
        "ico": "image/x-icon",
        "woff2": "font/woff2",
        "txt": "text/plain; charset=utf-8",
        "html": "text/html; charset=utf-8",
        "json": "application/json",
        "webmanifest": "application/manifest+json",
    ]

    static func forPath(_ path: String) -> String {
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
        return byExtension[name[name.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }
}
