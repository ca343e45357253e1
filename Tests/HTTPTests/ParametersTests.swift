import Testing
@testable import HTTP

/// Strict urlencoded decoding, shared by query strings and form bodies.
@Suite struct ParametersTests {
    private func parse(_ text: String) throws(HTTPError) -> Parameters {
        try Parameters.parseURLEncoded(Array(text.utf8))
    }

    @Test("decodes pairs in order, keeps repeats, turns + into a space and decodes escapes")
    func decodesPairs() throws {
        let parameters = try parse("name=Ada+Lovelace&tag=a&tag=b%26c&email=ada%40example.org&caf%C3%A9=%E2%9C%93")
        #expect(parameters.pairs.map(\.name) == ["name", "tag", "tag", "email", "café"])
        #expect(parameters["name"] == "Ada Lovelace")
        #expect(parameters["tag"] == "a")
        #expect(parameters.all("tag") == ["a", "b&c"])
        #expect(parameters["email"] == "ada@example.org")
        #expect(parameters["café"] == "✓")
        #expect(parameters.contains("email"))
        #expect(!parameters.contains("missing"))
        #expect(parameters["missing"] == nil)
        #expect(parameters.all("missing").isEmpty)
    }

    @Test("handles the edge shapes: empty input, no '=', empty name or value, empty pieces, '=' in a value")
    func edgeShapes() throws {
        #expect(try parse("").pairs.isEmpty)
        let parameters = try parse("a&b=&=c&&d=1=2&")
        #expect(parameters.pairs.map(\.name) == ["a", "b", "", "d"])
        #expect(parameters.pairs.map(\.value) == ["", "", "c", "1=2"])
    }

    @Test("keeps a literal %2B as a plus sign, distinct from + which means space")
    func plusSign() throws {
        #expect(try parse("q=1%2B1+2")["q"] == "1+1 2")
    }

    @Test("refuses malformed escapes and invalid UTF-8 with 400 Malformed form data", arguments: [
        "a=%", "a=%4", "a=%zz", "a=%G1", "%=1", "a=1&b=%2", "a=%%41",
        "a=%C3%28", "a=%FF", "a=%C3", "a=%80",
        "a=%C0%AF", "a=%E0%80%AF", "a=%ED%A0%80", "a=%F4%90%80%80", "a=%F8%88%80%80%80",
    ])
    func refusesMalformed(_ input: String) {
        #expect(throws: HTTPError(status: 400, message: "Malformed form data")) { try parse(input) }
    }

    @Test("refuses invalid raw bytes that were never escaped")
    func refusesRawInvalidUTF8() {
        #expect(throws: HTTPError(status: 400, message: "Malformed form data")) {
            try Parameters.parseURLEncoded([UInt8(ascii: "a"), UInt8(ascii: "="), 0xFF])
        }
    }

    @Test("accepts 1,000 pairs and refuses 1,001 with 400")
    func pairLimit() throws {
        let thousand = (0..<1000).map { "k\($0)=v" }.joined(separator: "&")
        #expect(try parse(thousand).pairs.count == 1000)
        #expect(throws: HTTPError.self) { try parse(thousand + "&one=more") }
        do {
            _ = try parse(thousand + "&one=more")
        } catch {
            #expect(error.status == 400)
        }
    }

    @Test("accepts any byte collection, such as an ArraySlice of a body")
    func acceptsSlices() throws {
        let body = Array("xx&a=1".utf8)
        #expect(try Parameters.parseURLEncoded(body[3...])["a"] == "1")
    }
}
