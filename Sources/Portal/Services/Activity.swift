import Store

/// One line of the Security tab's "Recent activity".
public struct ActivityItem: Sendable, Equatable {
    public var at: Int64
    public var text: String
}

extension Portal {
    /// The account's recent sign-ins and security changes in words, newest first, with what an
    /// administrator did while viewing the account named as theirs.
    public func recentActivity(customerID: Int64, limit: Int = 20) throws -> [ActivityItem] {
        let rows = try pool.withConnection { db in try db.query(Self.recentActivitySQL(customerID: customerID, limit: limit)) }
        return try rows.map { row in
            let text = Self.describe(try row.decode("kind"), detail: try row.decode("detail"), staff: try row.decode("staff_name"))
            return ActivityItem(at: try row.decode("at"), text: text)
        }
    }

    /// Newest first by time, then by insertion: the (customer, time) index is walked backwards and
    /// the walk stops at the limit, however long the account's history (ordering by id alone made
    /// SQLite sort every event of the account on each view of the Security tab).
    static func recentActivitySQL(customerID: Int64, limit: Int) -> SQL {
        recentActivityQuery(customerID, limit)
    }

    /// The Security tab runs it on every view; its text (with the 22 kinds) is built once.
    private static let recentActivityQuery = SQLTemplate { (customerID: SQLParameter<Int64>, limit: SQLParameter<Int>) in
        """
        SELECT e.at, e.kind, e.detail, s.name AS staff_name FROM audit_events e LEFT JOIN staff s ON s.id = e.staff_id
        WHERE e.customer_user_id = \(customerID) AND e.kind IN (\(activityKindList)) ORDER BY e.at DESC, e.id DESC LIMIT \(limit)
        """
    }

    /// The kinds as SQL string literals, written once. Spliced rather than bound (`\(list: activityKinds)`
    /// would read the same) because binding them would cost the Security tab 22 bound texts per view; they
    /// are this file's constants, and each is checked to need no quoting beyond the quotes around it.
    private static let activityKindList = SQL.unsafeRaw(activityKinds.map { kind in
        precondition(kind.rawValue.utf8.allSatisfy { (0x61...0x7A).contains($0) || $0 == 0x5F },
                     "audit kinds are lowercase letters and underscores")
        return "'\(kind.rawValue)'"
    }.joined(separator: ", "))

    static let activityKinds: [AuditKind] = [
        .signIn, .signInFailed, .lockout, .passwordChanged, .passwordResetRequested, .passwordReset, .profileUpdated, .notificationsUpdated,
        .authenticatorEnabled, .authenticatorDisabled, .recoveryCodesRegenerated, .recoveryCodeUsed, .passkeyAdded,
        .passkeyRemoved, .passkeyRenamed, .passkeyCounterRegressed, .impersonationStarted, .impersonationEnded,
        .secondFactorReset, .customerUnlocked, .customerEnabled, .outboxLinkShown,
    ]

    /// The line for one event. Anything done while an administrator viewed the account names them.
    static func describe(_ kind: AuditKind, detail: String, staff: String?) -> String {
        switch kind {
        case .impersonationStarted: return "An administrator (\(staff ?? "MSP staff")) viewed your account. Reason: \(detail)"
        case .impersonationEnded: return "The administrator's view of your account ended"
        case .outboxLinkShown:
            return "An administrator (\(staff ?? "MSP staff")) opened your \(detail.hasPrefix("invitation") ? "invitation" : "password-reset") link"
        case .passwordReset where staff != nil:
            // A reset with a link a staff member opened in the outbox names them (staff_id of the event).
            return detail == invitationLinkOpenedDetail
                ? "Password set with an invitation link an administrator opened (\(staff!))"
                : "Password reset with a link an administrator opened (\(staff!))"
        default: return what(kind, detail: detail) + (staff.map { " by an administrator (\($0))" } ?? "")
        }
    }

    private static func what(_ kind: AuditKind, detail: String) -> String {
        switch kind {
        case .signIn: return detail.isEmpty ? "Signed in" : "Signed in with \(detail)"
        case .signInFailed: return "A sign-in attempt failed"
        case .lockout: return "Sign-in was locked for a while after repeated failures"
        case .passwordChanged: return "Password changed"
        case .passwordResetRequested: return "A password-reset link was requested"
        case .passwordReset: return "Password reset through an emailed link"
        case .profileUpdated: return "Profile changed"
        case .notificationsUpdated: return "Notification preferences changed"
        case .authenticatorEnabled: return "Authenticator app turned on"
        case .authenticatorDisabled: return "Authenticator app turned off"
        case .recoveryCodesRegenerated: return "New recovery codes made"
        case .recoveryCodeUsed: return "A recovery code was used to sign in (\(detail))"
        case .passkeyAdded: return "Key added: \(detail)"
        case .passkeyRemoved: return "Key removed: \(detail)"
        case .passkeyRenamed: return "Key renamed to \(detail)"
        case .passkeyCounterRegressed: return "A key's answer looked copied and was refused (\(detail))"
        case .secondFactorReset: return "Two-factor authentication was reset"
        case .customerUnlocked: return "Sign-in was unlocked"
        case .customerEnabled: return "Your account was enabled again"
        default: return kind.rawValue
        }
    }
}

extension AuditKind: SQLDecodable {}
