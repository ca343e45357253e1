import Testing
@testable import OIDC

/// The library's JSON reader: what it accepts and the ambiguities it refuses.
@Suite struct JSONTests {
    func parse(_ text: String) -> JSONValue? { JSONValue.parse(Array(text.utf8)) }

    @Test("objects, arrays, strings with escapes, numbers, booleans and null read as written")
    func values() {
        #expect(parse(#" {"a": [1, -2, 1.5, 2e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00"} "#)
            == .object(["a": .array([.integer(1), .integer(-2), .number(1.5), .number(2000), .bool(true), .bool(false), .null]),
                        "b": .string("x\"\\/\né😀")]))
        #expect(parse("9223372036854775807") == .integer(Int64.max))
        #expect(parse("9223372036854775808") == .number(9223372036854775808))
        #expect(parse("1.0") == .number(1), "a fraction is not an integer, even when it is whole")
    }

    @Test("a repeated member name is refused, at any depth")
    func duplicates() {
        #expect(parse(#"{"iss":"a","iss":"b"}"#) == nil)
        #expect(parse(#"{"x":{"k":1,"k":1}}"#) == nil)
        #expect(parse(#"{"a":1,"b":1}"#) != nil)
    }

    @Test("invalid JSON is refused: trailing data, a byte-order mark, leading zeros, bare control characters, lone surrogates, bad escapes")
    func invalid() {
        for text in [#"{"a":1} x"#, "\u{FEFF}{}", "01", "-", "1.", ".5", "1e", "+1", "\"a\u{01}b\"", #""\ud800""#, #""\udc00x""#,
                     #""\x""#, #""\u12g4""#, "[1,]", "{\"a\":1,}", "{a:1}", "tru", "nul", "'a'", "", "   ", "[", "NaN", "Infinity", "1e999"] {
            #expect(parse(text) == nil, "\(text)")
        }
        #expect(JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) == nil, "invalid UTF-8 inside a string")
    }

    @Test("nesting deeper than 32 is refused, so a hostile document cannot exhaust the stack")
    func depth() {
        #expect(parse(String(repeating: "[", count: 33) + String(repeating: "]", count: 33)) != nil)
        #expect(parse(String(repeating: "[", count: 34) + String(repeating: "]", count: 34)) == nil)
        #expect(parse(String(repeating: "[", count: 100_000)) == nil)
    }
}
