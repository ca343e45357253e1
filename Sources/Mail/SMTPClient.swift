/// Sends messages to one SMTP server, one connection per message: greeting, EHLO, STARTTLS when the
/// server offers it, the envelope, DATA and QUIT (RFC 5321 §3, RFC 3207). Holds no connection between
/// calls, so it is a plain value that any task may use.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration

    public init(_ configuration: SMTPConfiguration) {
        self.configuration = configuration
    }

    /// Delivers `message` and returns once the server has answered 250 to the end of its data: from
    /// then on the server is responsible for it (RFC 5321 §4.1.1.4). QUIT follows on a best-effort
    /// basis; a failure there does not undo the delivery.
    public func send(_ message: MailMessage) throws(MailError) {
        try Self.validate(configuration)
        let connection = try SMTPConnection(host: configuration.host, port: configuration.port,
                                            deadline: Deadline(seconds: configuration.timeout))
        do throws(MailError) {
            try expect(read(connection), 220)
            var extensions = try greet(connection)
            if extensions["STARTTLS"] != nil {
                if try startTLS(connection) { extensions = try greet(connection) }
            }
            if configuration.requireTLS && !connection.isTLS {
                throw MailError.tls("\(configuration.host) does not offer STARTTLS, and TLS is required: the message is not sent in clear text")
            }
            // The addresses were checked when they were made: no CR, LF, < or > can reach a command.
            try command(connection, "MAIL FROM:<\(message.from.address)>", expecting: 250)
            try command(connection, "RCPT TO:<\(message.to.address)>", expecting: 250, 251)
            try command(connection, "DATA", expecting: 354)
            try connection.write(DotStuffing.stuffed(message.rendered()), deadline: deadline)
            try expect(read(connection), 250)
        } catch {
            // After a refusal the conversation is still in step, so end it politely; after a broken
            // connection or a time-out there is nobody to say goodbye to.
            if case .rejected = error { quit(connection) }
            if case .tls = error, !connection.isTLS { quit(connection) }
            throw error
        }
        quit(connection)
    }

    /// Splits `serve --smtp HOST:PORT`: `mail.example.com:587`, `127.0.0.1:2525` or `[::1]:25`.
    /// nil for a missing or zero port, an empty host, or an IPv6 address without brackets.
    public static func parseHostPort(_ text: String) -> (host: String, port: UInt16)? {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[close...].hasPrefix("]:") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { return nil }
        }
        guard !host.isEmpty, host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
              !portText.isEmpty, portText.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let port = UInt16(portText), port != 0
        else { return nil }
        return (String(host), port)
    }

    private var deadline: Deadline { Deadline(seconds: configuration.timeout) }

    /// The host must be a plain name and the HELO name a domain or an address literal (RFC 5321
    /// §4.1.1.1), since the latter goes into a command line verbatim.
    private static func validate(_ configuration: SMTPConfiguration) throws(MailError) {
        guard !configuration.host.isEmpty, !configuration.host.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else {
            throw .connection("invalid SMTP host \(configuration.host.debugDescription)")
        }
        let helo = configuration.heloName
        let isLiteral = helo.hasPrefix("[") && helo.hasSuffix("]") && helo.count > 2
            && helo.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
            && !helo.dropFirst().dropLast().contains { $0 == "[" || $0 == "]" }
        guard isLiteral || MailAddress.isHostName(helo.utf8) else {
            throw .invalidHeader("HELO name \(helo.debugDescription) is not a domain or address literal")
        }
    }

    /// EHLO, falling back to HELO when the server does not know EHLO (RFC 5321 §4.1.4: a 5xx to EHLO
    /// from an older server). Returns the announced extensions, none after HELO.
    private func greet(_ connection: SMTPConnection) throws(MailError) -> [String: [String]] {
        try connection.write(Array("EHLO \(configuration.heloName)\r\n".utf8), deadline: deadline)
        let reply = try read(connection)
        if reply.code == 250 { return reply.extensions }
        guard (500..<600).contains(reply.code) else { throw reply.unexpected }
        try command(connection, "HELO \(configuration.heloName)", expecting: 250)
        return [:]
    }

    /// STARTTLS and the handshake. Returns false when the server declines and TLS is optional, so the
    /// message goes in clear as it would to a server without the extension.
    private func startTLS(_ connection: SMTPConnection) throws(MailError) -> Bool {
        try connection.write(Array("STARTTLS\r\n".utf8), deadline: deadline)
        let reply = try read(connection)
        guard reply.code == 220 else {
            if configuration.requireTLS { throw .tls("STARTTLS refused: \(reply.code) \(reply.message)") }
            if reply.isPositive { throw reply.unexpected }
            return false
        }
        // Nothing may follow the 220 in clear: bytes here were injected by someone on the path, or
        // would be taken as TLS data (the STARTTLS response-injection attacks, CVE-2011-0411 style).
        guard !connection.hasBufferedInput else { throw .tls("the server sent data after its STARTTLS reply") }
        try connection.startTLS(host: configuration.host, verify: configuration.verifyCertificate,
                                trustFile: configuration.trustedCertificatesFile, deadline: deadline)
        return true
    }

    private func command(_ connection: SMTPConnection, _ line: String, expecting codes: Int...) throws(MailError) {
        try connection.write(Array((line + "\r\n").utf8), deadline: deadline)
        let reply = try read(connection)
        guard codes.contains(reply.code) else { throw reply.unexpected }
    }

    private func expect(_ reply: SMTPReply, _ code: Int) throws(MailError) {
        guard reply.code == code else { throw reply.unexpected }
    }

    /// One whole reply, however many lines, within one deadline.
    private func read(_ connection: SMTPConnection) throws(MailError) -> SMTPReply {
        let deadline = self.deadline
        var parser = SMTPReplyParser()
        while true {
            if let reply = try parser.feed(connection.readLine(deadline: deadline)) { return reply }
        }
    }

    /// QUIT and wait briefly for its 221, ignoring any failure: the message is already delivered or
    /// already refused, and RFC 5321 §4.1.1.10 only asks the client to say goodbye.
    private func quit(_ connection: SMTPConnection) {
        let briefly = Deadline(seconds: min(configuration.timeout, 5))
        do throws(MailError) {
            try connection.write(Array("QUIT\r\n".utf8), deadline: briefly)
            var parser = SMTPReplyParser()
            while try parser.feed(connection.readLine(deadline: briefly)) == nil {}
        } catch {
            return
        }
    }
}
