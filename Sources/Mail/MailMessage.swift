import Crypto
import Dates
import Foundation

/// One plain-text message, checked when it is made so that `rendered()` cannot fail and cannot be
/// made to carry extra headers: every header value is validated here, before anything is sent.
public struct MailMessage: Sendable {
    public let from: MailAddress
    public let to: MailAddress
    public let subject: String
    /// The text as given; `rendered()` normalises its line breaks to CRLF.
    public let body: String
    /// The Message-ID with its angle brackets, `<id@host>` (RFC 5322 §3.6.4 msg-id).
    public let messageID: String
    public let date: Date

    /// `messageID`, when given, must already have the `<left@right>` form; otherwise one is made
    /// from 16 random bytes and `hostName`, unique without any state (RFC 5322 §3.6.4: the generator
    /// "SHOULD ... guarantee that the msg-id is unique").
    public init(from: MailAddress, to: MailAddress, subject: String, body: String, messageID: String? = nil,
                date: Date = Date(), hostName: String = "localhost") throws(MailError) {
        try HeaderText.validate(subject, field: "subject")
        if let messageID {
            try Self.validateMessageID(messageID)
            self.messageID = messageID
        } else {
            guard MailAddress.isHostName(hostName.utf8) else {
                throw .invalidHeader("host name \(hostName.debugDescription) is not a valid domain")
            }
            self.messageID = "<" + Hex.encode(SecureRandom.bytes(count: 16)) + "@" + hostName + ">"
        }
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
    }

    /// The whole message as it goes after DATA: headers, a blank line and the quoted-printable body,
    /// every line ending in CRLF and none longer than 998 characters (RFC 5322 §2.1.1). It is not
    /// dot-stuffed; that belongs to the SMTP transport (RFC 5321 §4.5.2), not to the message.
    public func rendered() -> [UInt8] {
        let headers = [
            HeaderText.field("Date", Self.rfc5322Date(date)),
            HeaderText.field("Message-ID", messageID),
            HeaderText.field("From", from.headerValue),
            HeaderText.field("To", to.headerValue),
            HeaderText.field("Subject", HeaderText.unstructured(subject)),
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        return Array((headers.joined(separator: "\r\n") + "\r\n\r\n").utf8) + QuotedPrintable.encode(body)
    }

    /// RFC 5322 §3.6.4 msg-id with a dot-atom-like left and right part: printable ASCII without
    /// spaces, one `@`, and no angle brackets inside.
    private static func validateMessageID(_ value: String) throws(MailError) {
        try HeaderText.validate(value, field: "Message-ID")
        let bytes = Array(value.utf8)
        let inner = bytes.dropFirst().dropLast()
        let wellFormed = bytes.count >= 5 && bytes.count <= 250
            && bytes.first == UInt8(ascii: "<") && bytes.last == UInt8(ascii: ">")
            && inner.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
            && inner.filter { $0 == UInt8(ascii: "@") }.count == 1
            && inner.first != UInt8(ascii: "@") && inner.last != UInt8(ascii: "@")
        guard wellFormed else { throw .invalidHeader("Message-ID \(value.debugDescription) is not <left@right>") }
    }

    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// RFC 5322 §3.3 date-time in UTC, e.g. `Sun, 01 Mar 2026 09:05:00 +0000`. Written by hand with the
    /// English names the grammar fixes, so the result never depends on the process's locale. "+0000"
    /// rather than "-0000": the time is known to be UTC, not merely of unknown zone.
    static func rfc5322Date(_ date: Date) -> String {
        let (days, secondOfDay) = CivilDate.split(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down)))
        let (year, month, day) = CivilDate.from(daysSinceEpoch: days)
        // 1970-01-01 was a Thursday.
        let weekday = Int(((days % 7) + 7 + 4) % 7)
        let two = CivilDate.twoDigits
        return "\(dayNames[weekday]), \(two(day)) \(CivilDate.monthAbbreviations[month - 1]) \(year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000"
    }
}
