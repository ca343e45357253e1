import Testing
@testable import Mail

/// The protocol pieces without a socket: reply parsing, dot-stuffing, error classes, HOST:PORT.
@Suite struct SMTPProtocolTests {
    private func feed(_ lines: [String]) throws(MailError) -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        for line in lines {
            if let reply = try parser.feed(Array(line.utf8)) { replies.append(reply) }
        }
        return replies
    }

    @Test("a multi-line EHLO reply is one reply whose later lines are the extensions")
    func multiLineReply() throws {
        let replies = try feed(["250-mail.example Hello", "250-SIZE 35882577", "250-8BITMIME", "250-starttls",
                                "250 SMTPUTF8", "221 2.0.0 Bye"])
        #expect(replies.count == 2)
        #expect(replies[0].code == 250)
        #expect(replies[0].lines == ["mail.example Hello", "SIZE 35882577", "8BITMIME", "starttls", "SMTPUTF8"])
        #expect(replies[0].extensions == ["SIZE": ["35882577"], "8BITMIME": [], "STARTTLS": [], "SMTPUTF8": []])
        #expect(replies[1] == SMTPReply(code: 221, lines: ["2.0.0 Bye"]))
    }

    @Test("a bare code is a complete reply")
    func bareCode() throws {
        #expect(try feed(["354"]) == [SMTPReply(code: 354, lines: [""])])
    }

    @Test("malformed reply lines are errors, not guesses", arguments: [
        ["hello"], ["25"], ["2500 text"], ["250_text"], ["650 text"], ["250-first", "251 second"], ["abc text"],
    ])
    func malformed(_ lines: [String]) {
        #expect(throws: MailError.self) { try feed(lines) }
    }

    @Test("a reply cannot grow without bound")
    func boundedReply() {
        #expect(throws: MailError.self) { try feed(Array(repeating: "250-more", count: 1000)) }
    }

    @Test("dot-stuffing doubles a leading dot on every line and appends the end-of-data marker")
    func dotStuffing() {
        let text = ".\r\n..\r\n.hidden\r\nmid.dle\r\n"
        #expect(DotStuffing.stuffed(Array(text.utf8)) == Array("..\r\n...\r\n..hidden\r\nmid.dle\r\n.\r\n".utf8))
        #expect(DotStuffing.stuffed(Array("no final break".utf8)) == Array("no final break\r\n.\r\n".utf8))
    }

    @Test("4xx replies, refused connections and time-outs are transient; 5xx and the rest are permanent",
          arguments: [
              (MailError.rejected(code: 451, message: "try later"), true),
              (.rejected(code: 421, message: "closing"), true),
              (.connection("refused"), true),
              (.timeout("no greeting"), true),
              (.rejected(code: 550, message: "no such user"), false),
              (.rejected(code: 554, message: "no"), false),
              (.tls("no STARTTLS"), false),
              (.invalidAddress("x"), false),
              (.invalidHeader("x"), false),
          ])
    func transience(_ error: MailError, _ transient: Bool) {
        #expect(error.isTransient == transient)
        #expect(!error.description.isEmpty)
    }

    @Test("HOST:PORT as given to serve --smtp", arguments: [
        ("mail.example.com:587", "mail.example.com", 587),
        ("127.0.0.1:2525", "127.0.0.1", 2525),
        ("[::1]:25", "::1", 25),
        ("localhost:65535", "localhost", 65535),
    ] as [(String, String, UInt16)])
    func parsesHostPort(_ text: String, _ host: String, _ port: UInt16) throws {
        let parsed = try #require(SMTPClient.parseHostPort(text))
        #expect(parsed.host == host)
        #expect(parsed.port == port)
    }

    @Test("malformed HOST:PORT is nil", arguments: [
        "", "mail.example.com", "mail.example.com:", ":25", "host:0", "host:65536", "host:+25", "host:25a",
        "::1:25", "[::1]25", "[::1]", "[]:25", "mail example:25", "host:-1",
    ])
    func rejectsHostPort(_ text: String) {
        #expect(SMTPClient.parseHostPort(text) == nil)
    }
}
