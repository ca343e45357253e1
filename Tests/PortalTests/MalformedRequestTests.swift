import Testing
import TestSupport

/// Thousands of broken requests against the real server: bad request lines, huge or broken headers,
/// wrong lengths, invalid UTF-8 and percent escapes, path traversal, broken JSON for the ceremonies.
/// None may get a 5xx or bring the server down, and it serves normally afterwards.
@Suite struct MalformedRequestTests {
    static let targets = [
        "/", "/login", "/login/mfa", "/portal/profile", "/portal/profile/security", "/static/app.css", "/static/../Package.swift",
        "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2fPackage.swift", "/static/%00", "/%ZZ", "/%C0%AE%C0%AE/", "/portal/%FF%FE",
        "/admin/users/99999999999999999999", "/admin/users/-1", "/login/reset?token=%", "/login?next=%E0%A4%A", "//evil.example/",
        "/portal/profile/security/passkeys/abc/delete", "/healthz?\u{1F600}",
    ]
    static let methods = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH", "BREW", "G\u{0}ET", ""]
    static let bodies: [[UInt8]] = [
        Array("email=%E0%A4%A&password=x".utf8), Array("email=%ZZ".utf8), [0x65, 0x3D, 0xFF, 0xFE, 0xC0, 0x80], Array("{\"credential\":".utf8),
        Array("{\"credential\":{\"id\":1,\"rawId\":[],\"type\":null,\"response\":\"x\"}}".utf8), Array(repeating: 0x5B, count: 5_000),
        Array("csrf_token=&&&==&=%".utf8), Array("name=\u{202E}evil&phone=\u{0}".utf8),
    ]

    func request(_ random: inout SeededGenerator) -> [UInt8] {
        let method = Self.methods.randomElement(using: &random)!
        let target = Self.targets.randomElement(using: &random)!
        var body = Self.bodies.randomElement(using: &random)!
        var headers = ["Host: localhost", "Connection: close"]
        switch Int.random(in: 0..<12, using: &random) {
        case 0: return (0..<Int.random(in: 1..<300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) } + [13, 10, 13, 10]
        case 1: headers.append("X-Big: " + String(repeating: "a", count: Int.random(in: 8_000..<70_000, using: &random)))
        case 2: headers.append(contentsOf: (0..<Int.random(in: 100..<400, using: &random)).map { "X-H\($0): v" })
        case 3: headers.append("Content-Length: \(body.count + Int.random(in: 1..<50, using: &random))")   // longer than the body
        case 4: headers.append("Content-Length: -5")
        case 5: headers.append("Content-Length: 12abc")
        case 6: headers.append(contentsOf: ["Content-Length: 3", "Content-Length: 7"])
        case 7: headers.append("Transfer-Encoding: chunked"); body = Array("zz\r\nabc\r\n0\r\n".utf8)
        case 8: headers.append("Cookie: clientone_session=\(String(repeating: "%", count: 60)); clientone_pre=\u{FFFD}")
        case 9: headers.append("Content-Type: application/json"); headers.append("X-CSRF-Token: \u{0}")
        case 10: headers.append("Bad Header Without Colon")
        default: headers.append("Content-Type: application/x-www-form-urlencoded; charset=\u{1F4A9}")
        }
        if !headers.contains(where: { $0.hasPrefix("Content-Length") || $0.hasPrefix("Transfer-Encoding") }) {
            headers.append("Content-Length: \(body.count)")
        }
        let version = ["HTTP/1.1", "HTTP/1.0", "HTTP/9.9", "HTTP/1.1 extra", ""].randomElement(using: &random)!
        return Array("\(method) \(target) \(version)\r\n\(headers.joined(separator: "\r\n"))\r\n\r\n".utf8) + body
    }

    @Test("3,000 malformed requests: no 5xx, no crash, and normal service afterwards")
    func malformedFlood() throws {
        let cli = CLI()
        let server = try ServeProcess(["--demo"], database: cli.database)
        let client = HTTPClient(port: server.port)
        var random = SeededGenerator(seed: 20_261_122)
        var serverErrors: [String] = []
        var answered = 0
        for number in 0..<3_000 {
            let bytes = request(&random)
            // Requests that promise more body than they send get no answer until the server's connection
            // time-out; half a second is plenty for every other answer.
            let answer = try client.raw(bytes, readTimeout: 0.5)
            guard let line = String(decoding: answer.prefix(64), as: UTF8.self).split(separator: "\r\n").first else { continue }
            answered += 1
            let parts = line.split(separator: " ")
            // 505 is libmicrohttpd's correct answer to "HTTP/9.9"; any other 5xx is a failure of ours.
            if parts.count > 1, let status = Int(parts[1]), status >= 500, status != 505 {
                serverErrors.append("#\(number): \(line) for \(String(decoding: bytes.prefix(120), as: UTF8.self).debugDescription)")
            }
        }
        #expect(serverErrors.count == 0, "\(serverErrors.count) answers were 5xx, the first: \(serverErrors.prefix(3))")
        #expect(answered > 2_000, "most requests got an answer (\(answered))")
        #expect(server.isRunning, "the server is still up")
        let login = try HTTPClient(port: server.port).signIn(email: "jane.doe@northwind.example", password: "Northwind-demo-2026")
        #expect(login.status == 303, "normal service afterwards")
        #expect(try HTTPClient(port: server.port).get("/healthz").text == "ok")
    }
}
