import Testing
@testable import HTTP

/// Route matching: parameters, specificity, 404 versus 405, HEAD, trailing slashes.
@Suite struct RouterTests {
    private func router() -> Router<String> {
        var router = Router<String>()
        router.add("GET", "/", "home")
        router.add("GET", "/admin/users", "list")
        router.add("POST", "/admin/users", "create")
        router.add("GET", "/admin/users/new", "new-form")
        router.add("GET", "/admin/users/{id}", "show")
        router.add("POST", "/admin/users/{id}/impersonate", "impersonate")
        router.add("GET", "/files/{folder}/{name}", "file")
        router.add("GET", "/docs/", "docs-index")
        return router
    }

    private func found(_ match: RouteMatch<String>) -> (String, [String: String])? {
        if case .found(let handler, let parameters) = match { (handler, parameters) } else { nil }
    }

    @Test("extracts path parameters by name")
    func parameters() throws {
        let router = router()
        let impersonate = try #require(found(router.match(method: "POST", path: "/admin/users/42/impersonate")))
        #expect(impersonate.0 == "impersonate")
        #expect(impersonate.1 == ["id": "42"])
        let file = try #require(found(router.match(method: "GET", path: "/files/css/site.css")))
        #expect(file.0 == "file")
        #expect(file.1 == ["folder": "css", "name": "site.css"])
        #expect(found(router.match(method: "GET", path: "/"))?.0 == "home")
    }

    @Test("prefers a literal segment over a parameter, whatever the registration order")
    func literalWins() throws {
        #expect(found(router().match(method: "GET", path: "/admin/users/new"))?.0 == "new-form")
        var reversed = Router<String>()
        reversed.add("GET", "/a/{x}/c", "param")
        reversed.add("GET", "/a/b/{y}", "literal-first")
        #expect(found(reversed.match(method: "GET", path: "/a/b/c"))?.0 == "literal-first")
        #expect(found(reversed.match(method: "GET", path: "/a/z/c"))?.1 == ["x": "z"])
    }

    @Test("answers 404 for unknown paths and 405 with the allowed methods for known ones")
    func notFoundVersusNotAllowed() {
        let router = router()
        guard case .notFound = router.match(method: "GET", path: "/nope") else {
            Issue.record("expected notFound")
            return
        }
        guard case .methodNotAllowed(let allowed) = router.match(method: "DELETE", path: "/admin/users") else {
            Issue.record("expected methodNotAllowed")
            return
        }
        #expect(allowed == ["GET", "HEAD", "POST"])
        guard case .methodNotAllowed(let onlyPost) = router.match(method: "GET", path: "/admin/users/7/impersonate")
        else {
            Issue.record("expected methodNotAllowed")
            return
        }
        #expect(onlyPost == ["POST"])
    }

    @Test("HEAD falls back to the GET route; an explicit HEAD route wins")
    func headFallsBackToGet() {
        var router = router()
        #expect(found(router.match(method: "HEAD", path: "/admin/users/9"))?.0 == "show")
        router.add("HEAD", "/admin/users", "head-list")
        #expect(found(router.match(method: "HEAD", path: "/admin/users"))?.0 == "head-list")
        guard case .methodNotAllowed = router.match(method: "HEAD", path: "/admin/users/9/impersonate") else {
            Issue.record("HEAD must not fall back to POST")
            return
        }
    }

    @Test("treats a trailing slash as significant and never matches a parameter to an empty segment")
    func trailingSlashAndEmptySegments() {
        let router = router()
        #expect(found(router.match(method: "GET", path: "/docs/"))?.0 == "docs-index")
        guard case .notFound = router.match(method: "GET", path: "/docs") else {
            Issue.record("/docs must not match /docs/")
            return
        }
        for path in ["/admin/users/", "/admin/users//impersonate", "/files/css/", "//", "", "admin/users"] {
            let match = router.match(method: "GET", path: path)
            if case .found(let handler, _) = match { Issue.record("\(path) matched \(handler)") }
        }
    }

    @Test("matches methods exactly (they are case-sensitive)")
    func methodCase() {
        guard case .methodNotAllowed = router().match(method: "get", path: "/") else {
            Issue.record("lowercase method must not match GET")
            return
        }
    }

    @Test("stops the program on a duplicate route, even with different parameter names")
    func duplicateRoute() async {
        await #expect(processExitsWith: .failure) {
            var router = Router<Int>()
            router.add("GET", "/users/{id}", 1)
            router.add("GET", "/users/{name}", 2)
        }
    }

    @Test("accepts the same pattern for different methods")
    func sameShapeOtherMethod() {
        var router = Router<Int>()
        router.add("GET", "/users/{id}", 1)
        router.add("POST", "/users/{id}", 2)
        #expect(found2(router.match(method: "POST", path: "/users/3")) == 2)
    }

    private func found2(_ match: RouteMatch<Int>) -> Int? {
        if case .found(let handler, _) = match { handler } else { nil }
    }
}
