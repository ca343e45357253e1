import Testing
@testable import HTTP

/// The Response convenience constructors.
@Suite struct ResponseTests {
    @Test("html, text and json set their Content-Type and body")
    func helpers() {
        let html = Response.html("<p>é</p>", status: 201)
        #expect(html.status == 201)
        #expect(html.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(html.body == Array("<p>é</p>".utf8))
        #expect(Response.text("hi").headers["Content-Type"] == "text/plain; charset=utf-8")
        let json = Response.json(["b": "x/y", "a": "1"])
        #expect(json.headers["Content-Type"] == "application/json")
        #expect(String(decoding: json.body, as: UTF8.self) == #"{"a":"1","b":"x/y"}"#)
    }

    @Test("json answers 500 instead of crashing on a value it cannot encode")
    func unencodable() {
        #expect(Response.json([Double.nan]).status == 500)
    }

    @Test("redirect defaults to 303 with a Location and no body")
    func redirect() {
        let redirect = Response.redirect(to: "/login?next=%2F")
        #expect(redirect.status == 303)
        #expect(redirect.headers["Location"] == "/login?next=%2F")
        #expect(redirect.body.isEmpty)
        #expect(Response.redirect(to: "/", status: 302).status == 302)
    }
}
