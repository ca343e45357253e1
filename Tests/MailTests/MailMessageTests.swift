import Foundation
import Testing
@testable import Mail

/// Rendering without a server: headers, dates, header injection, RFC 2047 words, quoted-printable.
@Suite struct MailMessageTests {
    private func message(subject: String = "Reset your password", body: String = "Hello\n",
                         date: Date = Date(timeIntervalSince1970: 1_772_355_900)) throws(MailError) -> MailMessage {
        try MailMessage(from: MailAddress("portal@msp.example", displayName: "ClientOne Portal"),
                        to: MailAddress("jane.doe@northwind.example", displayName: "Jane Doe"),
                        subject: subject, body: body, messageID: "<abc123@msp.example>", date: date)
    }

    @Test("the rendered message has every header, in order, and a CRLF blank line before the body")
    func headers() throws {
        let parsed = ParsedMessage(try message().rendered())
        #expect(parsed.headerLines == [
            "Date: Sun, 01 Mar 2026 09:05:00 +0000",
            "Message-ID: <abc123@msp.example>",
            "From: ClientOne Portal <portal@msp.example>",
            "To: Jane Doe <jane.doe@northwind.example>",
            "Subject: Reset your password",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ])
        #expect(parsed.body == Array("Hello\r\n".utf8))
    }

    @Test("dates are RFC 5322 UTC with English names", arguments: [
        (0.0, "Thu, 01 Jan 1970 00:00:00 +0000"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000"),
        (1_709_251_199.9, "Thu, 29 Feb 2024 23:59:59 +0000"),
        (4_102_444_800, "Fri, 01 Jan 2100 00:00:00 +0000"),
        (-1, "Wed, 31 Dec 1969 23:59:59 +0000"),
    ])
    func dates(_ seconds: Double, _ expected: String) {
        #expect(MailMessage.rfc5322Date(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("a generated Message-ID is <32 hex digits@host> and differs every time")
    func generatedMessageID() throws {
        let make = { () throws(MailError) in
            try MailMessage(from: MailAddress("a@example.com"), to: MailAddress("b@example.com"), subject: "s",
                            body: "b", hostName: "console.msp.example")
        }
        let first = try make().messageID, second = try make().messageID
        #expect(first != second)
        #expect(first.wholeMatch(of: /<[0-9a-f]{32}@console\.msp\.example>/) != nil)
    }

    @Test("a bad host name or Message-ID is refused", arguments: [
        (nil, "bad host"), (nil, "host\r\nBcc: x"), ("abc@example.com", "localhost"), ("<abc>", "localhost"),
        ("<a b@example.com>", "localhost"), ("<a@b@example.com>", "localhost"), ("<abc@example.com>\r\nBcc: x", "localhost"),
    ] as [(String?, String)])
    func refusesBadIdentifiers(_ messageID: String?, _ hostName: String) {
        #expect {
            try MailMessage(from: MailAddress("a@example.com"), to: MailAddress("b@example.com"), subject: "s",
                            body: "b", messageID: messageID, hostName: hostName)
        } throws: { error in
            guard case .invalidHeader = error as? MailError else { return false }
            return true
        }
    }

    @Test("CR, LF and other control characters in the subject are refused before anything is sent", arguments: [
        "Hello\r\nBcc: x", "Hello\nBcc: x", "Hello\rBcc: x", "Hello\u{85}Bcc: x", "Hello\u{2029}", "Tab\there", "nul\u{0}",
    ])
    func headerInjection(_ subject: String) {
        #expect {
            try message(subject: subject)
        } throws: { error in
            guard case .invalidHeader(let detail) = error as? MailError else { return false }
            return detail.hasPrefix("subject contains")
        }
    }

    @Test("a non-ASCII subject becomes RFC 2047 encoded words of at most 75 characters that decode back")
    func encodedSubject() throws {
        let subject = "Passwort zurücksetzen – Ihr Zugang zum Kundenportal ✓ 日本語のテキスト 🎉 " + String(repeating: "é", count: 40)
        let parsed = ParsedMessage(try message(subject: subject).rendered())
        let value = try #require(parsed.headers["Subject"])
        #expect(value.split(separator: " ").allSatisfy { $0.hasPrefix("=?utf-8?B?") && $0.hasSuffix("?=") && $0.count <= 75 })
        #expect(decodeEncodedWords(value) == subject)
        #expect(parsed.rawLines.allSatisfy { $0.utf8.count <= 78 })
    }

    @Test("ASCII that looks like an encoded word is itself encoded, so a reader cannot misread it")
    func encodedWordLookalike() throws {
        let subject = "=?utf-8?B?SGk=?= is not a greeting"
        let value = try #require(ParsedMessage(try message(subject: subject).rendered()).headers["Subject"])
        #expect(value != subject)
        #expect(decodeEncodedWords(value) == subject)
    }

    @Test("a long ASCII subject is folded at spaces into lines of at most 78 characters")
    func foldedSubject() throws {
        let subject = Array(repeating: "Your invitation to the ClientOne  customer portal", count: 6).joined(separator: " ")
        let raw = try message(subject: subject).rendered()
        let parsed = ParsedMessage(raw)
        #expect(parsed.headers["Subject"] == subject)
        #expect(parsed.rawLines.allSatisfy { $0.utf8.count <= 78 })
        #expect(parsed.rawLines.contains { $0.hasPrefix(" ") })
    }

    @Test("every line break in the body becomes CRLF, and no bare CR or LF is left")
    func lineBreaks() throws {
        let raw = try message(body: "one\ntwo\r\nthree\rfour\n\nend").rendered()
        let body = ParsedMessage(raw).decodedBody
        #expect(body == "one\r\ntwo\r\nthree\r\nfour\r\n\r\nend")
        for (index, byte) in raw.enumerated() {
            if byte == 0x0A { #expect(index > 0 && raw[index - 1] == 0x0D) }
            if byte == 0x0D { #expect(index + 1 < raw.count && raw[index + 1] == 0x0A) }
        }
        #expect(raw.suffix(2) == [0x0D, 0x0A])
    }

    @Test("long lines get quoted-printable soft breaks within 76 characters and decode back equal")
    func quotedPrintableWrapping() throws {
        let body = String(repeating: "The quick brown fox = jumps over the lazy dog. Grüße! ", count: 20)
            + "\n" + String(repeating: "x", count: 300) + "   \nlast line with trailing tab\t"
        let parsed = ParsedMessage(try message(body: body).rendered())
        let encodedLines = String(decoding: parsed.body, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(encodedLines.allSatisfy { $0.utf8.count <= 76 })
        #expect(encodedLines.filter { $0.hasSuffix("=") }.count > 10)
        #expect(encodedLines.allSatisfy { !$0.hasSuffix(" ") && !$0.hasSuffix("\t") })
        #expect(String(decoding: parsed.body, as: UTF8.self).allSatisfy { $0.isASCII })
        #expect(parsed.decodedBody == body.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test("an empty body renders as headers and a blank line only")
    func emptyBody() throws {
        let raw = try message(body: "").rendered()
        #expect(String(decoding: raw, as: UTF8.self).hasSuffix("quoted-printable\r\n\r\n"))
    }
}
