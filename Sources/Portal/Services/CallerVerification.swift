import Crypto
import Store

/// The three account resets a caller's word could unlock, which a client may hold behind a verified
/// caller (`verify_callers`): each one a help-desk call has been talked into by attackers.
enum AccountReset: Sendable, Equatable {
    case secondFactor, unlock, invitation

    /// The button's words, and the break-glass audit detail's ("Unlock: REASON").
    var label: String {
        switch self {
        case .secondFactor: "Reset two-factor authentication"
        case .unlock: "Unlock"
        case .invitation: "Send the invitation again"
        }
    }

    /// What the customer is told at once when it was done without verification (the mail's first line
    /// and Recent activity): "Your two-factor authentication was reset by NAME without verification: REASON".
    func withoutVerificationSentence(staff: String, reason: String) -> String {
        switch self {
        case .secondFactor: "Your two-factor authentication was reset by \(staff) without verification: \(reason)"
        case .unlock: "Your sign-in was unlocked by \(staff) without verification: \(reason)"
        case .invitation: "A new invitation was sent to you by \(staff) without verification: \(reason)"
        }
    }
}

/// What lets a staff member do an account reset now.
enum ResetClearance: Equatable {
    /// The caller was verified by this staff member for this user within the last 10 minutes.
    case verified(verificationID: Int64)
    /// The client does not require verification and none is live: today's behaviour.
    case notRequired
    /// Break-glass: no verification, a reason typed; the customer is mailed at once.
    case withoutVerification(reason: String)
}

/// What an account reset came to, in words for the page.
enum AccountResetOutcome: Error, Equatable {
    case done(String)
    /// The reset does not apply to this user ("has no authenticator app to reset"): 409.
    case refused(String)
    /// The client requires a verified caller and there is none: 403, nothing changed.
    case verifyFirst(String)
    /// Break-glass without a usable reason: 422, back to the confirmation page with the error.
    case reasonRequired(String)
}

/// "Verify the caller" as one staff member sees it for one user.
struct CallerVerificationState: Equatable {
    enum Stage: Equatable {
        case none
        /// A code is waiting for the caller to read it back.
        case codeSent(at: Int64, expiresAt: Int64, attemptsLeft: Int)
        /// The code matched: the resets are enabled until `until`.
        case verified(at: Int64, until: Int64)
    }
    var stage: Stage
    /// The client requires a verified caller (or break-glass) for the resets.
    var required: Bool
    /// The console can mail (`--smtp`): without it a code would wait in the outbox, which staff can read.
    var canMail: Bool

    /// The resets are held back: required and not verified.
    var gated: Bool {
        guard required else { return false }
        if case .verified = stage { return false }
        return true
    }
}

/// What sending or checking a code came to.
enum CallerVerificationOutcome: Equatable {
    case done(String)
    case refused(String, status: Int)
}

/// The one-time codes of "Verify the caller", as the outbox and the terminal show their mail to anyone
/// but the customer: the code replaced by a note, always (sent, pending or held alike).
enum CallerCodes {
    static let hiddenNote = "[code hidden: only the account's owner may read it]"

    /// `body` with every run of six or more digits replaced by the note (the code is such a run, and
    /// nothing else in the message is).
    static func hidden(in body: String) -> String {
        var result = ""
        var digits = ""
        func flush() {
            result += digits.count >= 6 ? hiddenNote : digits
            digits = ""
        }
        for character in body {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }

    /// The body as staff may see it: a caller code's message with its code hidden, anything else as is.
    static func shownToStaff(_ message: OutboxMessage) -> OutboxMessage {
        guard message.kind == MailKind.callerCode.rawValue else { return message }
        var shown = message
        shown.body = hidden(in: message.body)
        return shown
    }
}

extension Portal {
    /// How long a mailed code can be typed, and how long a match enables the resets.
    static let callerCodeLifetime: Int64 = 10 * 60
    static let callerVerifiedWindow: Int64 = 10 * 60
    /// Wrong codes before a code stops working (as five wrong sign-in codes lock an account).
    static let callerCodeAttempts = 5

    /// Codes mailed: 3 a quarter-hour to one customer (from all staff together), 10 from one staff
    /// member (to all customers together), so no one can mail-bomb a customer or hunt with codes.
    var callerCodeThrottle: LoginThrottle {
        LoginThrottle(accountScope: "caller-code:", addressScope: "caller-code:", window: 15 * 60, accountLimit: 3, addressLimit: 10)
    }

    static let noMailForCallerCodes = """
        This console sends no mail (no SMTP server, serve --smtp): a code would only wait in the outbox, where staff could read it. \
        Skip verification with a reason instead.
        """

    /// The code's keyed hash, bound to the user and the staff member it was sent for: a code typed on
    /// another user's page, or by another staff member, cannot match.
    func callerCodeHash(_ code: String, customerID: Int64, staffID: Int64) -> [UInt8] {
        HMAC.code(.sha256, key: secretKey.callerVerificationKey, message: Array("caller-code v1 \(customerID) \(staffID) \(code)".utf8))
    }

    static func newCallerCode() -> String {
        let number = SecureRandom.uniform(below: 1_000_000)
        let digits = String(number)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// Whether the client requires a verified caller for the resets (its admin page shows the switch).
    public func verifiesCallers(clientID: Int64) throws -> Bool {
        try pool.withConnection { db in try AccountQueries.verifiesCallers(clientID: clientID, db) }
    }

    /// "Verify the caller" for `staffID` looking at `customerID`.
    func callerVerification(customerID: Int64, staffID: Int64) throws -> CallerVerificationState {
        let time = now
        return try pool.withConnection { db in
            let user = try AccountQueries.customer(id: customerID, db)
            let required = try user?.clientID.map { try AccountQueries.verifiesCallers(clientID: $0, db) } ?? false
            var stage = CallerVerificationState.Stage.none
            if let live = try liveVerification(db, customerID: customerID, staffID: staffID, at: time) {
                stage = .verified(at: live.verifiedAt, until: live.verifiedAt + Self.callerVerifiedWindow)
            } else if let pending = try pendingVerification(db, customerID: customerID, staffID: staffID), pending.expiresAt > time {
                stage = .codeSent(at: pending.createdAt, expiresAt: pending.expiresAt, attemptsLeft: Self.callerCodeAttempts - pending.attempts)
            }
            return CallerVerificationState(stage: stage, required: required, canMail: configuration.smtp != nil)
        }
    }

    /// "Verify the caller": mails a new one-time code to the account's email (never shown to staff),
    /// superseding this staff member's earlier code for the user. Audited, and in the customer's Recent activity.
    func sendCallerCode(customerID: Int64, actor: Actor) throws -> CallerVerificationOutcome {
        guard let staffID = actor.staffID else { return .refused("Only staff can verify a caller.", status: 403) }
        guard configuration.smtp != nil else { return .refused(Self.noMailForCallerCodes, status: 409) }
        let code = Self.newCallerCode()
        let time = now
        let limiter = callerCodeThrottle
        let outcome: CallerVerificationOutcome = try pool.write { db in
            guard let user = try AccountQueries.customer(id: customerID, db),
                  let staff = try AccountQueries.staff(id: staffID, db) else { return .refused("There is no such user.", status: 404) }
            let keys = [limiter.accountKey(user.email), limiter.addressKey("staff-\(staffID)")]
            if let wait = try limiter.lockedFor(keys, now: time, db) {
                let minutes = max(1, (wait + 59) / 60)
                return .refused("Too many codes were sent. Try again in \(minutes) minute\(minutes == 1 ? "" : "s").", status: 429)
            }
            _ = try limiter.recordFailure(keys, now: time, db)
            try db.run("""
                UPDATE caller_verifications SET ended_at = \(time)
                WHERE customer_user_id = \(user.id) AND staff_id = \(staffID) AND verified_at IS NULL AND ended_at IS NULL
                """)
            try db.run("""
                INSERT INTO caller_verifications (customer_user_id, staff_id, code_hash, created_at, expires_at)
                VALUES (\(user.id), \(staffID), \(callerCodeHash(code, customerID: user.id, staffID: staffID)), \(time),
                        \(time + Self.callerCodeLifetime))
                """)
            try enqueueMail(db, kind: .callerCode, to: user.email, subject: "Your verification code for your IT provider", body: """
                Hello \(user.name),

                \(staff.name) at your IT provider's help desk asked to confirm that they are speaking with you. If you are on a
                call with them now, read them this code:

                \(code)

                It works for 10 minutes, once. If you are not on a call with your IT provider, or someone contacted you first
                and asked for this code, do not give it: tell your IT provider instead.
                """, at: time)
            try Audit.record(db, .callerCodeSent, actor: Actor(customerUserID: user.id, staffID: staffID, clientID: user.clientID, ip: actor.ip,
                                                                userAgent: actor.userAgent),
                             at: time, detail: "code mailed to \(user.email)")
            return .done("A code was mailed to \(user.email). Ask the caller to read it out and type it below; it works for 10 minutes.")
        }
        wakeMailDelivery()
        return outcome
    }

    /// Checks what the caller read back against this staff member's waiting code for the user, inside one
    /// write (parallel guesses are serialised): a match enables the resets for 10 minutes; a wrong code
    /// counts, and the fifth wrong one ends the code; an expired code is refused.
    func checkCallerCode(customerID: Int64, code raw: String, actor: Actor) throws -> CallerVerificationOutcome {
        guard let staffID = actor.staffID else { return .refused("Only staff can verify a caller.", status: 403) }
        let code = String(raw.filter { !$0.isWhitespace && $0 != "-" })
        guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .refused("Enter the 6-digit code the caller reads out.", status: 422)
        }
        let time = now
        return try pool.write { db in
            guard let user = try AccountQueries.customer(id: customerID, db) else { return .refused("There is no such user.", status: 404) }
            let who = Actor(customerUserID: user.id, staffID: staffID, clientID: user.clientID, ip: actor.ip, userAgent: actor.userAgent)
            guard let pending = try pendingVerification(db, customerID: user.id, staffID: staffID) else {
                return .refused("No code is waiting for \(user.name): select “Verify the caller” to mail one.", status: 409)
            }
            if pending.expiresAt <= time {
                try db.run("UPDATE caller_verifications SET ended_at = \(time) WHERE id = \(pending.id)")
                try Audit.record(db, .callerVerificationFailed, actor: who, at: time, detail: "expired code")
                return .refused("That code has expired: a code works for 10 minutes. Send a new one.", status: 409)
            }
            let attempts = pending.attempts + 1
            if constantTimeEquals(callerCodeHash(code, customerID: user.id, staffID: staffID), pending.codeHash) {
                try db.run("UPDATE caller_verifications SET verified_at = \(time), attempts = \(attempts) WHERE id = \(pending.id)")
                try Audit.record(db, .callerVerified, actor: who, at: time, detail: "by a code sent to \(user.email)")
                let until = DateText.dayAndTime(time + Self.callerVerifiedWindow)
                return .done("""
                    The caller is verified as \(user.name). Unlock, Reset two-factor authentication and Send the invitation again are enabled for you until \(until).
                    """)
            }
            let spent = attempts >= Self.callerCodeAttempts
            try db.run("""
                UPDATE caller_verifications SET attempts = \(attempts), ended_at = \(spent ? time : nil) WHERE id = \(pending.id)
                """)
            try Audit.record(db, .callerVerificationFailed, actor: who, at: time,
                             detail: "wrong code (\(attempts) of \(Self.callerCodeAttempts))\(spent ? ": the code no longer works" : "")")
            if spent {
                return .refused("That code is wrong, and that was the last try: the code no longer works. Send a new one if the caller is still on the line.",
                                status: 422)
            }
            let left = Self.callerCodeAttempts - attempts
            return .refused("That code is wrong. \(left) tr\(left == 1 ? "y" : "ies") left.", status: 422)
        }
    }

    /// Whether this staff member may do `reset` to `user` now, judged inside the reset's own write:
    /// a live verification; else break-glass when a reason is given; else refused when the client
    /// requires verification; else allowed as before.
    func resetClearance(_ db: Database, user: CustomerUser, staffID: Int64?, reason raw: String?, at time: Int64) throws
        -> Result<ResetClearance, AccountResetOutcome> {
        if let staffID, let live = try liveVerification(db, customerID: user.id, staffID: staffID, at: time) {
            return .success(.verified(verificationID: live.id))
        }
        if let raw {
            let reason = Validation.clean(raw)
            guard !reason.isEmpty else { return .failure(.reasonRequired("Give the reason for skipping verification.")) }
            guard Validation.fits(reason, limit: 500) else { return .failure(.reasonRequired("Keep the reason under 500 characters.")) }
            guard !Validation.hasControlCharacters(reason) else {
                return .failure(.reasonRequired("Write the reason on one line, without control characters."))
            }
            return .success(.withoutVerification(reason: reason))
        }
        if try user.clientID.map({ try AccountQueries.verifiesCallers(clientID: $0, db) }) == true {
            return .failure(.verifyFirst("""
                Verify the caller first: this client requires a verified caller before Unlock, Reset two-factor authentication \
                and Send the invitation again. Nothing was changed.
                """))
        }
        return .success(.notRequired)
    }

    /// Records what a reset relied on, inside its write, and returns the detail for the reset's own audit
    /// event: the verification marked used; or for break-glass its own event (`caller_verification_skipped`)
    /// and, unless the reset's own mail says it (`mailsItself`), a mail telling the customer at once.
    func recordClearance(_ db: Database, _ clearance: ResetClearance, _ reset: AccountReset, user: CustomerUser, actor: Actor,
                         mailsItself: Bool = false, at time: Int64) throws -> String {
        switch clearance {
        case .notRequired:
            return ""
        case .verified(let id):
            try db.run("UPDATE caller_verifications SET used_at = coalesce(used_at, \(time)) WHERE id = \(id)")
            return "caller verified by a code sent to their email"
        case .withoutVerification(let reason):
            let who = Actor(customerUserID: user.id, staffID: actor.staffID, clientID: user.clientID, ip: actor.ip, userAgent: actor.userAgent)
            try Audit.record(db, .callerVerificationSkipped, actor: who, at: time, detail: "\(reset.label): \(reason)")
            if !mailsItself {
                let staffName = try staffName(db, actor)
                try enqueueMail(db, kind: .resetWithoutVerification, to: user.email,
                                subject: "Your IT provider changed your account without verifying it was you", body: """
                    Hello \(user.name),

                    \(reset.withoutVerificationSentence(staff: staffName, reason: reason))

                    If you did not ask your IT provider for this, contact them at once.
                    """, at: time)
            }
            return Self.withoutVerificationPrefix + reason
        }
    }

    /// The start of a reset's audit detail when it was done without verification; Recent activity reads it.
    static let withoutVerificationPrefix = "without verification: "

    func staffName(_ db: Database, _ actor: Actor) throws -> String {
        try actor.staffID.flatMap { try AccountQueries.staff(id: $0, db)?.name } ?? "your IT provider"
    }

    private struct VerificationRow {
        var id: Int64, codeHash: [UInt8], createdAt: Int64, expiresAt: Int64, attempts: Int, verifiedAt: Int64
    }

    /// The code this staff member is waiting on for the user (not matched, superseded or used up).
    private func pendingVerification(_ db: Database, customerID: Int64, staffID: Int64) throws -> VerificationRow? {
        try db.queryOne("""
            SELECT * FROM caller_verifications WHERE customer_user_id = \(customerID) AND staff_id = \(staffID)
              AND verified_at IS NULL AND ended_at IS NULL ORDER BY id DESC LIMIT 1
            """).map { row in
            VerificationRow(id: try row.decode("id"), codeHash: try row.decode("code_hash"), createdAt: try row.decode("created_at"),
                            expiresAt: try row.decode("expires_at"), attempts: try row.decode("attempts"), verifiedAt: 0)
        }
    }

    /// A match by this staff member for this user within the last 10 minutes.
    private func liveVerification(_ db: Database, customerID: Int64, staffID: Int64, at time: Int64) throws -> VerificationRow? {
        try db.queryOne("""
            SELECT * FROM caller_verifications WHERE customer_user_id = \(customerID) AND staff_id = \(staffID)
              AND verified_at IS NOT NULL AND verified_at > \(time - Self.callerVerifiedWindow) ORDER BY id DESC LIMIT 1
            """).map { row in
            VerificationRow(id: try row.decode("id"), codeHash: try row.decode("code_hash"), createdAt: try row.decode("created_at"),
                            expiresAt: try row.decode("expires_at"), attempts: try row.decode("attempts"),
                            verifiedAt: try row.decode("verified_at"))
        }
    }
}
