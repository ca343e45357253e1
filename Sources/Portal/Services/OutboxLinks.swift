import Foundation
import Store

/// The secret links in the console's mail (reset and invitation links, `ORIGIN/login/reset?token=…`),
/// found and replaced by a note wherever a body is shown to someone other than its recipient. Every
/// link the console mails that signs someone in or sets a password must use a path listed here.
enum SecretLinks {
    static let paths = ["/login/reset?token="]

    /// `body` with each secret link, from its scheme to the token's last character, replaced by
    /// "[link hidden: NOTE]".
    static func hidden(in body: String, note: String) -> String {
        var text = Substring(body)
        var result = ""
        while let found = paths.compactMap({ text.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            // The link starts with the origin (after the space or bracket before it) and ends with the token.
            let start = text[..<found.lowerBound].lastIndex(where: { $0.isWhitespace || "(<[\"'".contains($0) })
                .map(text.index(after:)) ?? text.startIndex
            let end = text[found.upperBound...].firstIndex(where: { !isTokenCharacter($0) }) ?? text.endIndex
            result += text[..<start]
            result += "[link hidden: \(note)]"
            text = text[end...]
        }
        return result + text
    }

    /// True when `body` carries a secret link.
    static func present(in body: String) -> Bool {
        paths.contains { body.contains($0) }
    }

    /// Reset tokens are base64url (SessionToken).
    private static func isTokenCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_")
    }

    /// Why a message that went (or goes) out by mail shows no link.
    static func mailedNote(_ status: OutboxMessage.Status) -> String {
        status == .sent ? "this message was sent, and a sent message never shows its link"
            : "this message goes to the SMTP server, and its link is never shown here"
    }
}

/// How the outbox page treats the link of a message.
public enum OutboxLinkAccess: Sendable, Equatable {
    /// The message carries no secret link.
    case none
    /// The link is hidden for good (sent, mailed through SMTP, or no longer usable).
    case hidden
    /// A held message whose link still works: "Show link" reveals it, audited and told to the customer.
    case showable
}

/// A message as the outbox page lists it: its body always without the secret link.
public struct StaffOutboxEntry: Sendable, Equatable {
    public var message: OutboxMessage
    public var link: OutboxLinkAccess
}

/// Why "Show link" showed nothing.
enum OutboxLinkRefusal: Error, Equatable {
    case noSuchMessage
    case refused(String)
}

extension Portal {
    /// The `detail` of a reset (audit kind `password_reset`) made with a link a staff member opened;
    /// `describe` turns it into the customer's words.
    static let resetLinkOpenedDetail = "with a link an administrator opened"
    static let invitationLinkOpenedDetail = "with an invitation link an administrator opened"

    /// The outbox for `/admin/outbox`, newest first. No body here holds a working link: a held
    /// message whose link still works offers "Show link" instead (`showOutboxLink`).
    func staffOutbox(limit: Int = 100) throws -> [StaffOutboxEntry] {
        let time = now
        return try pool.withConnection { db in
            try db.query("SELECT * FROM outbox ORDER BY id DESC LIMIT \(limit)").map { row in
                var message = CallerCodes.shownToStaff(try openOutboxRow(row))
                guard SecretLinks.present(in: message.body) else { return StaffOutboxEntry(message: message, link: .none) }
                let note: String
                var access = OutboxLinkAccess.hidden
                if message.status != .held || configuration.smtp != nil {
                    note = message.status == .held ? "links are shown only while the console has no SMTP server"
                        : SecretLinks.mailedNote(message.status)
                } else if try usableLink(messageID: message.id, at: time, db) != nil {
                    note = "select Show link to see it; the customer is told you opened it"
                    access = .showable
                } else {
                    note = "it no longer works (used, replaced by a newer link, expired, or its user was disabled)"
                }
                message.body = SecretLinks.hidden(in: message.body, note: note)
                return StaffOutboxEntry(message: message, link: access)
            }
        }
    }

    /// "Show link": the whole body of a held message whose link still works, for the staff member in
    /// `actor` to pass on. Recorded in the audit log (`outbox_link_shown`) and in the customer's Recent
    /// activity, and remembered on the link, so a reset made with it is recorded as such. Refused once
    /// the message is sent or handed to an SMTP server, and when the link no longer works.
    func showOutboxLink(messageID: Int64, actor: Actor) throws -> Result<OutboxMessage, OutboxLinkRefusal> {
        let time = now
        return try pool.write { db in
            guard let row = try db.queryOne("SELECT * FROM outbox WHERE id = \(messageID)") else { return .failure(.noSuchMessage) }
            let message = try openOutboxRow(row)
            guard SecretLinks.present(in: message.body) else { return .failure(.refused("This message carries no link.")) }
            guard configuration.smtp == nil, message.status == .held else {
                return .failure(.refused(message.status == .sent
                    ? "This message was sent: its link is never shown."
                    : "This console sends mail through an SMTP server: no link is shown here."))
            }
            guard let link = try usableLink(messageID: message.id, at: time, db) else {
                return .failure(.refused("This link no longer works: it was used, replaced by a newer link, expired, or its user was disabled."))
            }
            try db.run("UPDATE password_resets SET shown_to_staff_id = \(actor.staffID) WHERE id = \(link.id)")
            let what = message.kind == MailKind.invitation.rawValue ? "invitation link" : "password-reset link"
            try Audit.record(db, .outboxLinkShown, actor: Actor(customerUserID: link.customerID, staffID: actor.staffID,
                                                                clientID: link.clientID, ip: actor.ip),
                             at: time, detail: "\(what), outbox message \(message.id)")
            return .success(message)
        }
    }

    /// The still-usable reset or invitation link a message carries, of an account that is not disabled.
    private func usableLink(messageID: Int64, at time: Int64, _ db: Database) throws -> (id: Int64, customerID: Int64, clientID: Int64?)? {
        guard let row = try db.queryOne("""
            SELECT r.id, r.customer_user_id, u.client_id FROM password_resets r JOIN customer_users u ON u.id = r.customer_user_id
            WHERE r.outbox_id = \(messageID) AND r.used_at IS NULL AND r.expires_at > \(time) AND u.status <> 'disabled'
            """) else { return nil }
        return (try row.decode("id"), try row.decode("customer_user_id"), try row.decode("client_id"))
    }
}
