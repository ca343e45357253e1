import Store

/// The four notification switches of the Profile tab.
public struct NotificationPreferences: Sendable, Equatable {
    public var inApp: Bool
    public var ticketStatusEmail: Bool
    public var ticketReplyEmail: Bool
    public var overdueInvoiceEmail: Bool

    /// Everything on: a new account hears about its tickets and invoices until it says otherwise.
    public static let defaults = NotificationPreferences(inApp: true, ticketStatusEmail: true, ticketReplyEmail: true, overdueInvoiceEmail: true)
}

/// Why a profile was not saved, field by field.
struct ProfileErrors: Error, Equatable {
    var name: String?
    var phone: String?
}

extension Portal {
    /// Saves the name and phone the customer controls; the rest of the account is the MSP's.
    func updateProfile(customerID: Int64, name rawName: String, phone rawPhone: String, actor: Actor) throws -> Result<Void, ProfileErrors> {
        let name = Validation.name(rawName)
        let phone = Validation.phone(rawPhone)
        guard case .success(let cleanName) = name, case .success(let cleanPhone) = phone else {
            return .failure(ProfileErrors(name: name.failureMessage, phone: phone.failureMessage))
        }
        let time = now
        try pool.write { db in
            guard let before = try AccountQueries.customer(id: customerID, db) else { return }
            // "Saved" either way: what the form shows is what is stored.
            try confirm(db, .profileSaved, to: actor)
            guard before.name != cleanName || before.phone != cleanPhone else { return }
            try db.run("UPDATE customer_users SET name = \(cleanName), phone = \(cleanPhone), updated_at = \(time) WHERE id = \(customerID)")
            var changed: [String] = []
            if before.name != cleanName { changed.append("name") }
            if before.phone != cleanPhone { changed.append("phone") }
            try Audit.record(db, .profileUpdated, actor: actor, at: time, detail: "changed " + changed.joined(separator: ", "))
        }
        return .success(())
    }

    /// The Profile tab reads it on every view.
    private static let preferencesOf = SQLTemplate { (customerID: SQLParameter<Int64>) in
        "SELECT * FROM notification_preferences WHERE customer_user_id = \(customerID)"
    }

    func notificationPreferences(customerID: Int64) throws -> NotificationPreferences {
        try pool.withConnection { db in
            guard let row = try db.queryOne(Self.preferencesOf(customerID))
            else { return .defaults }
            return NotificationPreferences(
                inApp: try row.decode("in_app"), ticketStatusEmail: try row.decode("ticket_status_email"),
                ticketReplyEmail: try row.decode("ticket_reply_email"), overdueInvoiceEmail: try row.decode("overdue_invoice_email"))
        }
    }

    /// Saves the switches. Without billing the invoice switch is not on the form, so its stored value is
    /// kept rather than read as "off".
    func updateNotificationPreferences(customerID: Int64, _ wanted: NotificationPreferences, billingEnabled: Bool, actor: Actor) throws {
        let current = try notificationPreferences(customerID: customerID)
        var saved = wanted
        if !billingEnabled { saved.overdueInvoiceEmail = current.overdueInvoiceEmail }
        let time = now
        try pool.write { db in
            try db.run("""
                INSERT INTO notification_preferences (customer_user_id, in_app, ticket_status_email, ticket_reply_email,
                                                      overdue_invoice_email, updated_at)
                VALUES (\(customerID), \(saved.inApp), \(saved.ticketStatusEmail), \(saved.ticketReplyEmail),
                        \(saved.overdueInvoiceEmail), \(time))
                ON CONFLICT(customer_user_id) DO UPDATE SET in_app = excluded.in_app,
                    ticket_status_email = excluded.ticket_status_email, ticket_reply_email = excluded.ticket_reply_email,
                    overdue_invoice_email = excluded.overdue_invoice_email, updated_at = excluded.updated_at
                """)
            if saved != current {
                try Audit.record(db, .notificationsUpdated, actor: actor, at: time)
            }
            try confirm(db, .notificationsSaved, to: actor)
        }
    }
}

extension Result where Failure == FieldError {
    /// The message to show beside the field, when the value was refused.
    var failureMessage: String? {
        if case .failure(let error) = self { return error.message }
        return nil
    }
}
