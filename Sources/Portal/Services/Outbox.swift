import Crypto
import Store

/// What a message is for; stored, so never rename one.
enum MailKind: String, Sendable {
    case passwordReset = "password_reset"
    case passwordChanged = "password_changed"
    case invitation = "invitation"
    case secondFactorReset = "second_factor_reset"
    /// "Verify the caller": the one-time code, for the account's owner only (never shown to staff).
    case callerCode = "caller_code"
    /// Break-glass: the customer is told a reset was done without verification, by whom and why.
    case resetWithoutVerification = "reset_without_verification"
    /// An administrator asks to view the account (issue 20).
    case viewRequest = "view_request"
}

/// A message as the outbox keeps it.
public struct OutboxMessage: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, held, sent, failed }

    public var id: Int64
    public var createdAt: Int64
    public var kind: String
    public var recipient: String
    public var subject: String
    public var body: String
    public var status: Status
    public var attempts: Int
    public var lastError: String?
    public var sentAt: Int64?
}

/// What an outbox body is sealed to: the row's kind, recipient and subject. Binding only the recipient
/// (as before key separation) let a body be moved to another row for the same address, so a
/// password-reset body could be delivered as an invitation or the other way round; now opening a
/// moved body fails. Each field is length-prefixed, so no two different rows share a binding.
enum OutboxBinding {
    static func associatedData(kind: String, recipient: String, subject: String) -> [UInt8] {
        var bytes = Array("outbox v2".utf8)
        for field in [kind, recipient, subject] {
            let utf8 = Array(field.utf8)
            bytes += withUnsafeBytes(of: UInt32(utf8.count).bigEndian, Array.init) + utf8
        }
        return bytes
    }
}

extension Portal {
    /// The key outbox bodies are sealed with (they can hold reset links).
    var outboxKey: [UInt8] { secretKey.outboxKey }

    /// Records a message in the same transaction as the change it tells about. With an SMTP server it
    /// is pending until the delivery worker sends it; without one it is held for staff to pass on.
    /// Returns the message's row id (a reset or invitation link remembers the message that carries it).
    @discardableResult
    func enqueueMail(_ db: Database, kind: MailKind, to recipient: String, subject: String, body: String, at time: Int64) throws -> Int64 {
        let sealed = try AESGCM.seal(Array(body.utf8), key: outboxKey,
                                     associatedData: OutboxBinding.associatedData(kind: kind.rawValue, recipient: recipient, subject: subject))
        let status: OutboxMessage.Status = configuration.smtp == nil ? .held : .pending
        try db.run("""
            INSERT INTO outbox (created_at, kind, recipient, subject, body_sealed, status, next_attempt_at)
            VALUES (\(time), \(kind.rawValue), \(recipient), \(subject), \(sealed), \(status), \(time))
            """)
        return db.lastInsertRowID
    }

    /// The newest messages first, bodies opened, as the terminal (`clientone outbox`) shows them: the
    /// secret link of a message that was sent or handed to the SMTP server is hidden (see `SecretLinks`);
    /// a held one, which only staff can pass on, is shown. A caller-verification code is never shown
    /// (`CallerCodes`): it is for the account's owner alone, to read back to the help desk.
    public func outboxMessages(limit: Int = 100) throws -> [OutboxMessage] {
        let rows = try pool.withConnection { db in
            try db.query("SELECT * FROM outbox ORDER BY id DESC LIMIT \(limit)")
        }
        return try rows.map(openOutboxRow).map(CallerCodes.shownToStaff).map { message in
            guard message.status != .held else { return message }
            var hidden = message
            hidden.body = SecretLinks.hidden(in: message.body, note: SecretLinks.mailedNote(message.status))
            return hidden
        }
    }

    func openOutboxRow(_ row: Row) throws -> OutboxMessage {
        let recipient: String = try row.decode("recipient")
        let kind: String = try row.decode("kind")
        let subject: String = try row.decode("subject")
        let body = try AESGCM.open(try row.decode("body_sealed"), key: outboxKey,
                                   associatedData: OutboxBinding.associatedData(kind: kind, recipient: recipient, subject: subject))
        return OutboxMessage(
            id: try row.decode("id"), createdAt: try row.decode("created_at"), kind: kind,
            recipient: recipient, subject: subject, body: String(decoding: body, as: UTF8.self),
            status: try row.decode("status"), attempts: try row.decode("attempts"), lastError: try row.decode("last_error"),
            sentAt: try row.decode("sent_at"))
    }
}

extension OutboxMessage.Status: SQLBindable, SQLDecodable {}
