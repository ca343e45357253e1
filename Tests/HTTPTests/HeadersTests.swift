import Testing
@testable import HTTP

/// Ordered, case-insensitive header fields.
@Suite struct HeadersTests {
    @Test("looks names up case-insensitively and returns the first value")
    func lookup() {
        let headers = HTTPHeaders([("Set-Cookie", "a=1"), ("content-type", "text/html"), ("SET-COOKIE", "b=2")])
        #expect(headers["Content-Type"] == "text/html")
        #expect(headers["set-cookie"] == "a=1")
        #expect(headers.values("Set-Cookie") == ["a=1", "b=2"])
        #expect(headers["Missing"] == nil)
        #expect(headers.values("Missing").isEmpty)
        #expect(headers.contains("CONTENT-TYPE"))
        #expect(headers.count == 3)
    }

    @Test("setting replaces every field of the name at the first one's position; nil removes them")
    func setting() {
        var headers = HTTPHeaders([("A", "1"), ("X-Thing", "old"), ("B", "2"), ("x-thing", "older")])
        headers["X-THING"] = "new"
        #expect(headers.map(\.name) == ["A", "X-THING", "B"])
        #expect(headers.map(\.value) == ["1", "new", "2"])
        headers["x-thing"] = nil
        #expect(headers.map(\.name) == ["A", "B"])
        headers["C"] = "3"
        #expect(headers.map(\.name) == ["A", "B", "C"])
    }

    @Test("add keeps existing fields, in order")
    func adding() {
        var headers = HTTPHeaders()
        headers.add("Set-Cookie", "a=1")
        headers.add("Set-Cookie", "b=2")
        #expect(headers.values("set-cookie") == ["a=1", "b=2"])
        var names: [String] = []
        for (name, _) in headers { names.append(name) }
        #expect(names == ["Set-Cookie", "Set-Cookie"])
    }

    @Test("does not treat non-ASCII look-alikes as the same name")
    func asciiOnly() {
        let headers = HTTPHeaders([("K", "ascii")])
        #expect(headers["\u{212A}"] == nil) // KELVIN SIGN lowercases to "k" under Unicode rules
    }

    @Test("token characters are exactly RFC 9110's tchar, over all 256 byte values")
    func tokenCharacters() {
        // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
        let tchar = Set(Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
        let wrong = (0...255).map(UInt8.init).filter { ASCII.isTokenCharacter($0) != tchar.contains($0) }
        #expect(wrong.isEmpty)
        #expect(ASCII.isToken("Content-Security-Policy"))
        #expect(!ASCII.isToken("Bad Name") && !ASCII.isToken("a:b") && !ASCII.isToken(""))
    }
}
