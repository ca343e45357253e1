import Testing
@testable import HTTP

/// Request decoding without a server: target, cookies, form and JSON bodies.
@Suite struct RequestTests {
    @Test("keeps the raw target and decodes path and query separately")
    func decodesTarget() throws {
        let request = try Request(method: "GET", target: "/a%20b/c+d/%C3%A9?x=1&y=a+b&x=2")
        #expect(request.target == "/a%20b/c+d/%C3%A9?x=1&y=a+b&x=2")
        #expect(request.path == "/a b/c+d/é")
        #expect(request.query.all("x") == ["1", "2"])
        #expect(request.query["y"] == "a b")
        #expect(request.pathParameters.isEmpty)
        #expect(request.remoteAddress == "127.0.0.1")
    }

    @Test("treats an empty query and a bare '?' alike")
    func emptyQuery() throws {
        #expect(try Request(method: "GET", target: "/").query.isEmpty)
        #expect(try Request(method: "GET", target: "/p?").query.isEmpty)
        #expect(try Request(method: "GET", target: "/p?").path == "/p")
    }

    @Test("refuses targets that do not decode cleanly with 400", arguments: [
        "/a%zz", "/a%", "/a%2", "/%00", "/a%00b", "/%C3%28", "/%FF", "/%C0%AF", "/%ED%A0%80",
        "/ok?a=%zz", "/ok?a=%FF", "*", "http://example.org/", "", "/tab\there", "/del\u{7F}",
    ])
    func refusesBadTargets(_ target: String) {
        #expect(throws: HTTPError.self) { try Request(method: "GET", target: target) }
        do {
            _ = try Request(method: "GET", target: target)
        } catch {
            #expect(error.status == 400)
        }
    }

    @Test("parses cookies: several pairs, quoted values, several headers, first name wins")
    func cookies() throws {
        let headers = HTTPHeaders([
            ("Cookie", "session=abc123; theme=\"dark\";lang=en"),
            ("Cookie", "session=second; extra=1"),
        ])
        let request = try Request(method: "GET", target: "/", headers: headers)
        #expect(request.cookies == ["session": "abc123", "theme": "dark", "lang": "en", "extra": "1"])
    }

    @Test("ignores malformed cookie pieces but keeps the good ones")
    func malformedCookies() throws {
        let header = "good=1; noequals; =novalue; bad name=2; sp=has space; q=\"unterminated; c=a,b; "
            + "back=a\\b; empty=; ok2=x=y"
        let request = try Request(method: "GET", target: "/", headers: HTTPHeaders([("cookie", header)]))
        #expect(request.cookies == ["good": "1", "empty": "", "ok2": "x=y"])
    }

    @Test("reads a urlencoded form when the Content-Type says so, with or without parameters")
    func form() throws {
        for contentType in ["application/x-www-form-urlencoded", "Application/X-WWW-Form-URLEncoded ; charset=UTF-8"] {
            let request = try Request(method: "POST", target: "/f", headers: HTTPHeaders([("Content-Type", contentType)]),
                                      body: Array("email=a%40b.c&remember=on".utf8))
            let form = try request.form()
            #expect(form["email"] == "a@b.c")
            #expect(form["remember"] == "on")
        }
    }

    @Test("refuses a form with the wrong or no Content-Type (415) and a malformed one (400)")
    func formErrors() throws {
        let body = Array("a=1".utf8)
        for headers in [HTTPHeaders(), HTTPHeaders([("Content-Type", "multipart/form-data; boundary=x")]),
                        HTTPHeaders([("Content-Type", "application/x-www-form-urlencodedX")])] {
            let request = try Request(method: "POST", target: "/", headers: headers, body: body)
            #expect(throws: HTTPError(status: 415, message: "Unsupported Media Type")) { try request.form() }
        }
        let malformed = try Request(method: "POST", target: "/",
                                    headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")]),
                                    body: Array("a=%zz".utf8))
        #expect(throws: HTTPError(status: 400, message: "Malformed form data")) { try malformed.form() }
    }

    /// A JSON payload for the decoding tests.
    struct Payload: Codable, Equatable {
        let name: String
        let count: Int
    }

    @Test("decodes JSON bodies and maps wrong types to 415 and bad JSON to 400")
    func json() throws {
        let json = HTTPHeaders([("Content-Type", "application/json; charset=utf-8")])
        let good = try Request(method: "POST", target: "/", headers: json, body: Array(#"{"name":"a","count":2}"#.utf8))
        #expect(try good.json(Payload.self) == Payload(name: "a", count: 2))

        let text = try Request(method: "POST", target: "/", headers: HTTPHeaders([("Content-Type", "text/plain")]),
                               body: good.body)
        #expect(throws: HTTPError(status: 415, message: "Unsupported Media Type")) { try text.json(Payload.self) }

        for body in [#"{"name":"a""#, #"{"name":"a","count":"two"}"#, ""] {
            let bad = try Request(method: "POST", target: "/", headers: json, body: Array(body.utf8))
            #expect(throws: HTTPError(status: 400, message: "Invalid JSON")) { try bad.json(Payload.self) }
        }
    }
}
