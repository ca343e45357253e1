import Store

/// One line of the Security tab's "Recent activity": a run of the same failure from the same browser
/// and address is one line with its count.
public struct ActivityItem: Sendable, Equatable {
    /// The newest event of the line.
    public var at: Int64
    public var text: String
    /// "Chrome on Windows · 203.0.113.7": the browser (described as the sessions list does) and the
    /// address; nil for events recorded before the audit kept the browser and without an address.
    public var source: String?
    /// How many events the line stands for (a run of wrong passwords from one browser is one line).
    public var count: Int = 1
    /// The run may go on beyond the events read: "at least `count` times".
    public var countIsAtLeast = false
    /// Set on a wrong second factor that followed a right first factor.
    public var warning: ActivityWarning?
}

/// A wrong second factor after the right first factor: whoever typed it knew the password.
public struct ActivityWarning: Sendable, Equatable {
    public enum Strength: Sendable, Equatable {
        /// Nothing after it explains it: someone may have the password.
        case strong
        /// The same browser and address signed in within the pending sign-in's ten minutes: most likely
        /// the person mistyped, then got it right.
        case signedInAfter
        /// The password was changed (or reset) since.
        case passwordChangedSince
    }

    public var strength: Strength
    /// The first factor that was right: nil for the password, else the identity provider's name.
    public var provider: String?
    /// The second step failed with a security key or passkey (else with a code).
    public var passkey = false
}

/// A page of Recent activity: the newest lines, and whether older ones exist.
public struct ActivityPage: Sendable, Equatable {
    public var items: [ActivityItem]
    public var more: Bool
}

extension Portal {
    /// Lines on the Security tab by default, and the most "Show more" reaches (`?activity=N`).
    public static let activityPageSize = 10
    public static let activityMaximum = 200

    /// The account's recent sign-ins, failed attempts and security changes in words, newest first, with
    /// what an administrator did while viewing the account named as theirs. At most `limit` lines, read
    /// from at most `3 × limit` events (one query on the (customer, time) index, however long the
    /// history): a flood of wrong guesses is folded into a few lines, and a flood longer than that is
    /// one line saying "at least".
    public func recentActivity(customerID: Int64, limit: Int = Portal.activityPageSize) throws -> ActivityPage {
        let limit = min(max(1, limit), Self.activityMaximum)
        let events = limit * 3
        let rows = try pool.withConnection { db in try db.query(Self.recentActivitySQL(customerID: customerID, limit: events + 1)) }
        return try Self.lines(rows.prefix(events).map(ActivityEvent.init), limit: limit, truncated: rows.count > events)
    }

    /// Newest first by time, then by insertion: the (customer, time) index is walked backwards and
    /// the walk stops at the limit, however long the account's history (ordering by id alone made
    /// SQLite sort every event of the account on each view of the Security tab). An administrator's own
    /// failed attempts while viewing the account are not the customer's activity.
    static func recentActivitySQL(customerID: Int64, limit: Int) -> SQL {
        recentActivityQuery(customerID, limit)
    }

    /// The Security tab runs it on every view; its text (with the kinds) is built once.
    private static let recentActivityQuery = SQLTemplate { (customerID: SQLParameter<Int64>, limit: SQLParameter<Int>) in
        """
        SELECT e.id, e.at, e.kind, e.detail, e.ip, e.user_agent, s.name AS staff_name FROM audit_events e LEFT JOIN staff s ON s.id = e.staff_id
        WHERE e.customer_user_id = \(customerID) AND e.kind IN (\(kindList(activityKinds)))
          AND (e.staff_id IS NULL OR e.kind NOT IN (\(kindList(failureKinds))))
        ORDER BY e.at DESC, e.id DESC LIMIT \(limit)
        """
    }

    /// The kinds as SQL string literals, written once. Spliced rather than bound (`\(list: activityKinds)`
    /// would read the same) because binding them would cost the Security tab a bound text per kind per
    /// view; they are this file's constants, and each is checked to need no quoting beyond its quotes.
    private static func kindList(_ kinds: [AuditKind]) -> SQL {
        SQL.unsafeRaw(kinds.map { kind in
            precondition(kind.rawValue.utf8.allSatisfy { (0x61...0x7A).contains($0) || $0 == 0x5F },
                         "audit kinds are lowercase letters and underscores")
            return "'\(kind.rawValue)'"
        }.joined(separator: ", "))
    }

    static let activityKinds: [AuditKind] = [
        .signIn, .signInFailed, .secondFactorFailed, .passkeyFailed, .passwordCheckFailed, .passwordChangeFailed, .lockout,
        .passwordChanged, .passwordResetRequested, .passwordReset, .profileUpdated, .notificationsUpdated,
        .authenticatorEnabled, .authenticatorDisabled, .recoveryCodesRegenerated, .recoveryCodeUsed, .passkeyAdded,
        .passkeyRemoved, .passkeyRenamed, .passkeyCounterRegressed, .impersonationStarted, .impersonationEnded,
        .secondFactorReset, .customerUnlocked, .customerEnabled, .outboxLinkShown,
        .callerCodeSent, .callerVerified, .callerVerificationFailed,
        .viewRequested, .viewRequestAllowed, .viewRequestDeclined, .viewRequestExpired, .viewAccessGranted, .viewAccessRevoked,
        .viewOpenedWithConsent,
    ]

    /// Wrong guesses: a run of the same one from one browser and address is one line.
    static let failureKinds: [AuditKind] = [.signInFailed, .secondFactorFailed, .passkeyFailed, .passwordCheckFailed, .passwordChangeFailed]

    /// How long a sign-in waits for its second factor (a session at the MFA step lives that long): a
    /// sign-in from the same browser and address within it explains a wrong code before it.
    static let pendingSignInSeconds: Int64 = 600

    /// Turns events (newest first) into lines: the warning of each wrong second factor judged by what
    /// came after it (the events before it in the list), then runs folded.
    static func lines(_ events: [ActivityEvent], limit: Int, truncated: Bool) -> ActivityPage {
        var items: [ActivityItem] = []
        var runKey: String?
        var laterSignIns: [ActivityEvent] = []
        var passwordChangedLater = false
        // Most events of an account come from one or two browsers: each User-Agent is described once.
        var devices: [String: String] = [:]
        for event in events {
            let warning = event.secondFactorAfter.map { provider -> ActivityWarning in
                let signedInAfter = laterSignIns.contains {
                    $0.ip == event.ip && $0.userAgent == event.userAgent && $0.at - event.at <= pendingSignInSeconds
                }
                let strength: ActivityWarning.Strength = passwordChangedLater && provider == nil ? .passwordChangedSince
                    : signedInAfter ? .signedInAfter : .strong
                return ActivityWarning(strength: strength, provider: provider, passkey: event.kind == .passkeyFailed)
            }
            switch event.kind {
            case .signIn: laterSignIns.append(event)
            case .passwordChanged, .passwordReset: passwordChangedLater = true
            default: break
            }
            let text = describe(event.kind, detail: event.detail, staff: event.staff)
            let key = failureKinds.contains(event.kind) ? "\(text)\u{0}\(event.ip)\u{0}\(event.userAgent)\u{0}\(String(describing: warning))" : nil
            if let key, key == runKey, !items.isEmpty {
                items[items.count - 1].count += 1
                continue
            }
            if items.count == limit { return ActivityPage(items: items, more: true) }
            runKey = key
            var source: String?
            if !event.userAgent.isEmpty {
                let device = devices[event.userAgent] ?? UserAgent.describe(event.userAgent)
                devices[event.userAgent] = device
                source = event.ip.isEmpty ? device : "\(device) · \(event.ip)"
            } else if !event.ip.isEmpty {
                source = event.ip
            }
            items.append(ActivityItem(at: event.at, text: text, source: source, warning: warning))
        }
        // A run that reaches the last event read may go on before it.
        if truncated, runKey != nil, !items.isEmpty { items[items.count - 1].countIsAtLeast = true }
        return ActivityPage(items: items, more: truncated)
    }

    /// The line for one event. Anything done while an administrator viewed the account names them.
    static func describe(_ kind: AuditKind, detail: String, staff: String?) -> String {
        switch kind {
        case .impersonationStarted: return "An administrator (\(staff ?? "MSP staff")) viewed your account. Reason: \(detail)"
        case .impersonationEnded: return "The administrator's view of your account ended"
        case .viewOpenedWithConsent:
            return "An administrator (\(staff ?? "MSP staff")) viewed your account with your permission. Reason: \(detail)"
        case .viewRequested: return "An administrator (\(staff ?? "MSP staff")) asked to view your account. Reason: \(detail)"
        case .viewRequestAllowed: return "You allowed an administrator (\(staff ?? "MSP staff")) to view your account for 30 minutes"
        case .viewRequestDeclined: return "You declined a request from an administrator (\(staff ?? "MSP staff")) to view your account"
        case .viewRequestExpired:
            return "A request from an administrator (\(staff ?? "MSP staff")) to view your account expired without a view"
        case .viewAccessGranted: return "You let your IT provider view your account for \(detail)"
        case .viewAccessRevoked:
            return staff.map { "You revoked the access you gave an administrator (\($0))" } ?? "You ended the access you gave your IT provider to your account"
        case .outboxLinkShown:
            return "An administrator (\(staff ?? "MSP staff")) opened your \(detail.hasPrefix("invitation") ? "invitation" : "password-reset") link"
        case .callerCodeSent: return "Your IT provider (\(staff ?? "MSP staff")) sent a verification code to your email"
        case .callerVerified: return "Your IT provider (\(staff ?? "MSP staff")) verified your identity by a code sent to your email"
        case .callerVerificationFailed:
            return detail == "expired code"
                ? "Your IT provider (\(staff ?? "MSP staff")) typed a verification code that had expired"
                : "Your IT provider (\(staff ?? "MSP staff")) typed a verification code that did not match"
        case .secondFactorReset where detail.hasPrefix(withoutVerificationPrefix):
            return "Your IT provider (\(staff ?? "MSP staff")) reset your two-factor authentication without verification: "
                + detail.dropFirst(withoutVerificationPrefix.count)
        case .customerUnlocked where detail.hasPrefix(withoutVerificationPrefix):
            return "Your IT provider (\(staff ?? "MSP staff")) unlocked your sign-in without verification: "
                + detail.dropFirst(withoutVerificationPrefix.count)
        case .passwordReset where staff != nil:
            // A reset with a link a staff member opened in the outbox names them (staff_id of the event).
            return detail == invitationLinkOpenedDetail
                ? "Password set with an invitation link an administrator opened (\(staff!))"
                : "Password reset with a link an administrator opened (\(staff!))"
        default: return what(kind, detail: detail) + (staff.map { " by an administrator (\($0))" } ?? "")
        }
    }

    /// Plain words; never the value typed (the audit does not keep it).
    private static func what(_ kind: AuditKind, detail: String) -> String {
        switch kind {
        case .signIn: return detail.isEmpty ? "Signed in" : "Signed in with \(detail)"
        case .signInFailed: return detail == "wrong password" ? "Wrong password entered" : "A sign-in attempt failed"
        case .secondFactorFailed:
            if detail.hasPrefix(SecondFactorFailure.authenticatorCode) { return "Wrong authenticator code entered" }
            if detail.hasPrefix(SecondFactorFailure.recoveryCode) { return "Wrong recovery code entered" }
            return "Wrong second-factor code entered"
        case .passkeyFailed: return "A security key or passkey was refused"
        case .passwordCheckFailed: return "Wrong password entered to confirm a change"
        case .passwordChangeFailed: return "Wrong current password entered when changing the password"
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

/// One audit event as Recent activity reads it.
struct ActivityEvent {
    var at: Int64
    var kind: AuditKind
    var detail: String
    var ip: String
    var userAgent: String
    var staff: String?

    init(_ row: Row) throws {
        at = try row.decode("at")
        kind = try row.decode("kind")
        detail = try row.decode("detail")
        ip = try row.decode("ip")
        userAgent = try row.decode("user_agent")
        staff = try row.decode("staff_name")
    }

    /// For a wrong second factor after a right first factor: nil when that was the password, else the
    /// identity provider's name. Nil for any other event.
    var secondFactorAfter: String?? {
        guard kind == .secondFactorFailed || kind == .passkeyFailed else { return nil }
        guard let range = detail.firstRange(of: SecondFactorFailure.after) else {
            // Before the first factor was recorded, a customer's wrong code could only follow a password.
            return kind == .secondFactorFailed && detail.isEmpty ? .some(nil) : nil
        }
        let first = String(detail[range.upperBound...])
        return .some(first == "password" ? nil : first)
    }
}

extension AuditKind: SQLDecodable {}
