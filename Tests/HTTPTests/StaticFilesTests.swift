import Foundation
import Testing
@testable import HTTP
import TestSupport

/// Static files in a temporary folder, including symlinks and hidden files that must not be served.
@Suite struct StaticFilesTests {
    let folder = TemporaryDirectory(prefix: "static-root")
    let outside = TemporaryDirectory(prefix: "static-outside")
    let files: StaticFiles

    init() throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: folder.file("css/nested"), withIntermediateDirectories: true)
        try manager.createDirectory(atPath: folder.file("sub/.git"), withIntermediateDirectories: true)
        try "body { color: red }".write(toFile: folder.file("css/site.css"), atomically: true, encoding: .utf8)
        try "secret".write(toFile: folder.file(".env"), atomically: true, encoding: .utf8)
        try "[core]".write(toFile: folder.file("sub/.git/config"), atomically: true, encoding: .utf8)
        try "top secret".write(toFile: outside.file("secret.txt"), atomically: true, encoding: .utf8)
        try manager.createSymbolicLink(atPath: folder.file("escape.txt"), withDestinationPath: outside.file("secret.txt"))
        try manager.createSymbolicLink(atPath: folder.file("escape-dir"), withDestinationPath: outside.path)
        try manager.createSymbolicLink(atPath: folder.file("alias.css"), withDestinationPath: folder.file("css/site.css"))
        try manager.createSymbolicLink(atPath: folder.file("visible"), withDestinationPath: folder.file(".env"))
        files = StaticFiles(root: folder.path, maxAge: 600)
    }

    private func get(_ path: String, headers: [(String, String)] = [], method: String = "GET") throws -> Response? {
        files.response(for: try Request(method: method, target: "/static/x", headers: HTTPHeaders(headers)),
                       relativePath: path)
    }

    @Test("serves a file with its content type, a quoted strong ETag and Cache-Control")
    func servesFile() throws {
        let response = try #require(try get("css/site.css"))
        #expect(response.status == 200)
        #expect(response.body == Array("body { color: red }".utf8))
        #expect(response.headers["Content-Type"] == "text/css; charset=utf-8")
        #expect(response.headers["Cache-Control"] == "public, max-age=600")
        let tag = try #require(response.headers["ETag"])
        #expect(tag.hasPrefix("\"") && tag.hasSuffix("\"") && tag.count > 2 && !tag.hasPrefix("W/"))
    }

    @Test("answers 304 with no body when If-None-Match carries the ETag (alone, in a list, weak or *)")
    func notModified() throws {
        let tag = try #require(try get("css/site.css")?.headers["ETag"])
        for condition in [tag, "\"other\", \(tag)", "W/\(tag)", "*"] {
            let response = try #require(try get("css/site.css", headers: [("If-None-Match", condition)]))
            #expect(response.status == 304)
            #expect(response.body.isEmpty)
            #expect(response.headers["ETag"] == tag)
        }
        let stale = try #require(try get("css/site.css", headers: [("If-None-Match", "\"stale\"")]))
        #expect(stale.status == 200)
    }

    @Test("changes the ETag when the file changes")
    func etagFollowsContent() throws {
        let before = try #require(try get("css/site.css")?.headers["ETag"])
        try "body { color: blue; }".write(toFile: folder.file("css/site.css"), atomically: true, encoding: .utf8)
        let after = try #require(try get("css/site.css")?.headers["ETag"])
        #expect(before != after)
    }

    @Test("chooses the Content-Type by extension", arguments: [
        ("a.css", "text/css; charset=utf-8"), ("a.js", "text/javascript; charset=utf-8"),
        ("a.svg", "image/svg+xml"), ("a.png", "image/png"), ("a.ico", "image/x-icon"), ("a.woff2", "font/woff2"),
        ("a.txt", "text/plain; charset=utf-8"), ("a.html", "text/html; charset=utf-8"),
        ("a.json", "application/json"), ("site.webmanifest", "application/manifest+json"),
        ("A.PNG", "image/png"), ("noextension", "application/octet-stream"), ("a.exe", "application/octet-stream"),
    ])
    func contentTypes(_ name: String, _ expected: String) throws {
        try "x".write(toFile: folder.file(name), atomically: true, encoding: .utf8)
        #expect(try get(name)?.headers["Content-Type"] == expected)
    }

    @Test("refuses traversal and odd paths", arguments: [
        "../static-outside/secret.txt", "css/../css/site.css", "..", ".", "./css/site.css", "css/./site.css",
        "", "/css/site.css", "css//site.css", "css/site.css/", "css\\site.css", "css/site.css\u{0}",
        ".env", "sub/.git/config", "css", "css/nested", "missing.css",
    ])
    func refusesPaths(_ path: String) throws {
        #expect(try get(path) == nil)
    }

    @Test("refuses symlinks that leave the root or reach a hidden file, follows those that stay inside")
    func symlinks() throws {
        #expect(try get("escape.txt") == nil)
        #expect(try get("escape-dir/secret.txt") == nil)
        #expect(try get("visible") == nil)
        #expect(try get("alias.css")?.body == Array("body { color: red }".utf8))
    }

    @Test("refuses percent-encoded traversal once the request path is decoded", arguments: [
        "/static/%2e%2e/static-outside/secret.txt", "/static/%2E%2E%2Fstatic-outside%2Fsecret.txt",
        "/static/css/%2e%2e/%2e%2e/etc/passwd", "/static/%2eenv", "/static/css%5csite.css",
    ])
    func encodedTraversal(_ target: String) throws {
        let request = try Request(method: "GET", target: target)
        #expect(request.path.hasPrefix("/static/"))
        #expect(files.response(for: request, relativePath: String(request.path.dropFirst("/static/".count))) == nil)
    }

    @Test("answers HEAD like GET and other methods with 405")
    func methods() throws {
        #expect(try get("css/site.css", method: "HEAD")?.status == 200)
        let post = try #require(try get("css/site.css", method: "POST"))
        #expect(post.status == 405)
        #expect(post.headers["Allow"] == "GET, HEAD")
    }
}
