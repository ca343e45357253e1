import Store

/// What the audit log records. The raw values are stored; never rename one.
enum AuditKind: String, Sendable, CaseIterable {
    case signIn = "sign_in"
    case signInFailed = "sign_in_failed"
    case lockout = "lockout"
    case signOut = "sign_out"
    case profileUpdated = "profile_updated"
    case notificationsUpdated = "notifications_updated"
    case passwordChanged = "password_changed"
    case passwordChangeFailed = "password_change_failed"
    case clientCreated = "client_created"
    case clientUpdated = "client_updated"
    case customerCreated = "customer_created"
    case staffCreated = "staff_created"
    case authenticatorEnabled = "authenticator_enabled"
    case authenticatorDisabled = "authenticator_disabled"
    case recoveryCodesRegenerated = "recovery_codes_regenerated"
    case recoveryCodeUsed = "recovery_code_used"
    case passwordCheckFailed = "password_check_failed"
    case secondFactorFailed = "second_factor_failed"
    case passwordResetRequested = "password_reset_requested"
    case passwordReset = "password_reset"
    case passkeyAdded = "passkey_added"
    case passkeyRenamed = "passkey_renamed"
    case passkeyRemoved = "passkey_removed"
    case passkeyFailed = "passkey_failed"
    case passkeyCounterRegressed = "passkey_counter_regressed"
    case staffSignIn = "staff_sign_in"
    case staffSignInFailed = "staff_sign_in_failed"
    case staffSignOut = "staff_sign_out"
    case impersonationStarted = "impersonation_started"
    case impersonationEnded = "impersonation_ended"
    case customerInvited = "customer_invited"
    case customerDisabled = "customer_disabled"
    case customerEnabled = "customer_enabled"
    case customerUnlocked = "customer_unlocked"
    case customerLinked = "customer_linked"
    case secondFactorReset = "second_factor_reset"
    case sessionRevoked = "session_revoked"
    case staffAuthenticatorEnabled = "staff_authenticator_enabled"
    case staffAuthenticatorDisabled = "staff_authenticator_disabled"
    /// A staff member opened a held message's reset or invitation link in the outbox ("Show link").
    case outboxLinkShown = "outbox_link_shown"
    /// Single sign-on that went wrong: the provider, its answer, or a check of the ID token (detail: the
    /// reference shown to the person, the reason, the provider).
    case singleSignOnFailed = "sso_failed"
    /// The person said no at the provider.
    case singleSignOnCancelled = "sso_cancelled"
    /// A verified identity that no account may use ("Client Portal Access Required"), with the reason.
    case singleSignOnRefused = "sso_refused"
    /// An identity linked to an account for the first time.
    case singleSignOnLinked = "sso_linked"
    /// An account created on first sign-in (the client allows it).
    case singleSignOnAccountCreated = "sso_account_created"
    /// A client's (or the staff) identity provider set or changed; never the secret itself.
    case singleSignOnConfigured = "sso_configured"
    case singleSignOnRemoved = "sso_removed"
    /// "Verify the caller": a one-time code was mailed to the account's email (detail: the address).
    case callerCodeSent = "caller_code_sent"
    /// The code the caller read back matched: the resets are enabled for that staff member and user.
    case callerVerified = "caller_verified"
    /// A code typed for a caller did not match, had expired, or was used up (detail says which).
    case callerVerificationFailed = "caller_verification_failed"
    /// Break-glass: a reset done without a verified caller, with the reason typed (detail "ACTION: REASON").
    case callerVerificationSkipped = "caller_verification_skipped"
    /// "View as customer" at a client whose customers approve views: a request sent to the customer
    /// (staff: who asked; detail: the reason).
    case viewRequested = "view_requested"
    /// The customer allowed a request (staff: who asked; detail: the reason).
    case viewRequestAllowed = "view_request_allowed"
    case viewRequestDeclined = "view_request_declined"
    /// A request nobody answered within its day, or one allowed but not opened within its 30 minutes.
    case viewRequestExpired = "view_request_expired"
    /// The customer let their IT provider view the account ahead of time (detail: for how long).
    case viewAccessGranted = "view_access_granted"
    /// The customer revoked a grant, or a request they had allowed (a view open under it ends).
    case viewAccessRevoked = "view_access_revoked"
    /// An administrator's view opened under the customer's consent (detail: the reason and which consent).
    case viewOpenedWithConsent = "view_opened_with_consent"
}

extension AuditKind: SQLBindable {}

extension AuditKind {
    /// What the administrator's audit log calls the event. The switch has no default: a kind added
    /// without a name does not compile.
    var readableName: String {
        switch self {
        case .signIn: "Signed in"
        case .signInFailed: "Sign-in failed"
        case .lockout: "Sign-in locked after failures"
        case .signOut: "Signed out"
        case .profileUpdated: "Profile changed"
        case .notificationsUpdated: "Notification preferences changed"
        case .passwordChanged: "Password changed"
        case .passwordChangeFailed: "Password change failed"
        case .clientCreated: "Client added"
        case .clientUpdated: "Client settings changed"
        case .customerCreated: "User created"
        case .staffCreated: "Staff member added"
        case .authenticatorEnabled: "Authenticator app turned on"
        case .authenticatorDisabled: "Authenticator app turned off"
        case .recoveryCodesRegenerated: "New recovery codes made"
        case .recoveryCodeUsed: "Recovery code used"
        case .passwordCheckFailed: "Password check failed"
        case .secondFactorFailed: "Two-factor check failed"
        case .passwordResetRequested: "Password reset requested"
        case .passwordReset: "Password reset"
        case .passkeyAdded: "Key added"
        case .passkeyRenamed: "Key renamed"
        case .passkeyRemoved: "Key removed"
        case .passkeyFailed: "Key sign-in failed"
        case .passkeyCounterRegressed: "Copied key refused"
        case .staffSignIn: "Staff signed in"
        case .staffSignInFailed: "Staff sign-in failed"
        case .staffSignOut: "Staff signed out"
        case .impersonationStarted: "Viewed as customer"
        case .impersonationEnded: "View as customer ended"
        case .customerInvited: "User invited"
        case .customerDisabled: "User disabled"
        case .customerEnabled: "User enabled"
        case .customerUnlocked: "User unlocked"
        case .customerLinked: "Sign-in linked to a client"
        case .secondFactorReset: "Two-factor reset"
        case .sessionRevoked: "Signed out elsewhere"
        case .staffAuthenticatorEnabled: "Staff authenticator app turned on"
        case .staffAuthenticatorDisabled: "Staff authenticator app turned off"
        case .outboxLinkShown: "Outbox link shown"
        case .singleSignOnFailed: "Single sign-on failed"
        case .singleSignOnCancelled: "Single sign-on cancelled"
        case .singleSignOnRefused: "Single sign-on refused"
        case .singleSignOnLinked: "Single sign-on identity linked"
        case .singleSignOnAccountCreated: "User created at single sign-on"
        case .singleSignOnConfigured: "Single sign-on set up"
        case .singleSignOnRemoved: "Single sign-on turned off"
        case .callerCodeSent: "Caller verification code sent"
        case .callerVerified: "Caller verified"
        case .callerVerificationFailed: "Caller verification failed"
        case .callerVerificationSkipped: "Reset without caller verification"
        case .viewRequested: "Asked the customer to allow a view"
        case .viewRequestAllowed: "View request allowed"
        case .viewRequestDeclined: "View request declined"
        case .viewRequestExpired: "View request expired"
        case .viewAccessGranted: "View access granted ahead"
        case .viewAccessRevoked: "View access revoked"
        case .viewOpenedWithConsent: "Viewed as customer, with consent"
        }
    }
}

/// The audit log's kinds in words, for the administrator's pages (and the tests that hold every kind
/// to having a name).
public enum AuditEventNames {
    /// Every kind the console writes, as stored.
    public static var kinds: [String] { AuditKind.allCases.map(\.rawValue) }

    /// The readable name of a stored kind; nil for a kind this version does not write.
    public static func name(ofKind kind: String) -> String? { AuditKind(rawValue: kind)?.readableName }

    /// The readable name, or for a kind this version does not know (an older database), the raw kind in
    /// words: "some_kind" reads "Some kind".
    public static func displayName(ofKind kind: String) -> String {
        if let name = name(ofKind: kind) { return name }
        let words = String(kind.map { $0 == "_" ? " " : $0 })
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}

/// The one audit writer. Events are appended in the same transaction as the change they describe, so
/// a change is never recorded without its event or the other way round.
enum Audit {
    static func record(_ db: Database, _ kind: AuditKind, actor: Actor, at time: Int64, detail: String = "") throws {
        try db.run("""
            INSERT INTO audit_events (at, kind, client_id, customer_user_id, staff_id, ip, user_agent, detail)
            VALUES (\(time), \(kind), \(actor.clientID), \(actor.customerUserID), \(actor.staffID), \(actor.ip),
                    \(String(actor.userAgent.prefix(512))), \(detail))
            """)
    }
}
