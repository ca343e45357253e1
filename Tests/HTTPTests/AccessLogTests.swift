import Testing
@testable import HTTP

/// The access-log line: what a client sends cannot end the quoted part early or forge another line.
@Suite struct AccessLogTests {
    @Test("quotes, backslashes, spaces, controls and non-ASCII bytes are percent-escaped; the query is left out")
    func escaping() {
        let target = Array("/a\"b\\c d\r\n127.0.0.1 \"GET /forged\" 200/é?password=secret".utf8)
        let line = AccessLog.line(remoteAddress: "127.0.0.1", method: "GET", rawTarget: target, status: 404,
                                  bodyBytes: 12, elapsed: .microseconds(1_250))
        #expect(line == "127.0.0.1 \"GET /a%22b%5Cc%20d%0D%0A127.0.0.1%20%22GET%20/forged%22%20200/%C3%A9\" 404 12 1.3ms")
        #expect(!line.contains("\n") && !line.contains("secret"))
        #expect(AccessLog.escaped([0x00, 0x7F, 0xFF, UInt8(ascii: "~")]) == "%00%7F%FF~")
    }

    @Test("status, size and time are written in decimal: zero, large values, tenths rounded")
    func numbers() {
        let line = AccessLog.line(remoteAddress: "::1", method: "HEAD", rawTarget: Array("/".utf8), status: 200, bodyBytes: 0,
                                  elapsed: .zero)
        #expect(line == "::1 \"HEAD /\" 200 0 0.0ms")
        let slow = AccessLog.line(remoteAddress: "-", method: "POST", rawTarget: Array("/login".utf8), status: 503,
                                  bodyBytes: 1_048_576, elapsed: .milliseconds(12_345) + .microseconds(960))
        #expect(slow == "- \"POST /login\" 503 1048576 12346.0ms")
        #expect(AccessLog.milliseconds(.microseconds(49)) == "0.0ms")
        #expect(AccessLog.milliseconds(.microseconds(50)) == "0.1ms")
        #expect(AccessLog.milliseconds(.seconds(-1)) == "0.0ms")
    }
}
