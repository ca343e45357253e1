import Foundation
@testable import Portal
import Store
import Testing
import TestSupport

/// The one sign-in completion and the one failed-attempt record, called directly as a service (no HTTP).
@Suite struct SignInCompletionTests {
    @Test("Completing a sign-in replaces the waiting session, notes the sign-in, resets the count and audits it once")
    func completesOnce() throws {
        let console = try TestConsole()
        let jane = try console.seedNorthwind()
        let portal = console.portal
        let keys = portal.throttle.keys(email: jane.email, ip: "127.0.0.9")
        let (waitingToken, waiting) = try portal.pool.write { db -> (String, Session) in
            for _ in 0..<3 { _ = try portal.throttle.recordFailure(keys, now: portal.now, db) }
            let waiting = try portal.completeSignIn(db, principal: .customer(jane.id), email: jane.email, replacing: nil, method: .password,
                                                    stage: .secondFactor, detail: "password", ip: "127.0.0.9", userAgent: "test")
            let row = try #require(try db.queryOne("SELECT \(Session.columns) FROM sessions WHERE id = ?", waiting.id))
            return (waiting.token, try Session(row: row))
        }
        #expect(waiting.stage == .secondFactor)
        #expect(try console.count("SELECT failures AS n FROM login_throttle WHERE key = ?", keys[0]) == 3,
                "a step with a second factor still due resets nothing")
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'sign_in'") == 0)

        let done = try portal.pool.write { db in
            try portal.completeSignIn(db, principal: .customer(jane.id), email: jane.email, replacing: waiting, method: waiting.method,
                                      detail: "password and authenticator app", ip: "127.0.0.9", userAgent: "test")
        }
        #expect(done.token != waitingToken)
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE token_hash = ?", SessionToken.hash(waitingToken) ?? []) == 0,
                "the waiting session is gone")
        #expect(try console.count("SELECT count(*) AS n FROM sessions") == 1)
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE id = ? AND stage = 'active'", done.id) == 1)
        #expect(try console.count("SELECT count(*) AS n FROM login_throttle WHERE key = ?", keys[0]) == 0)
        #expect(try console.count("SELECT count(*) AS n FROM customer_users WHERE id = ? AND last_sign_in_at IS NOT NULL", jane.id) == 1)
        #expect(try console.count("""
            SELECT count(*) AS n FROM audit_events WHERE kind = 'sign_in' AND detail = 'password and authenticator app' AND customer_user_id = ?
            """, jane.id) == 1)
    }

    @Test("A failed attempt is audited, counted, and its lockout audited on the guess that starts it")
    func failedAttempts() throws {
        let console = try TestConsole()
        let jane = try console.seedNorthwind()
        let portal = console.portal
        let keys = portal.throttle.keys(email: jane.email, ip: "127.0.0.9")
        let actor = Actor(customerUserID: jane.id, staffID: nil, clientID: jane.clientID, ip: "127.0.0.9")
        let lockouts = try portal.pool.write { db in
            try (0..<5).map { _ in
                try portal.recordFailedAttempt(db, portal.throttle, keys: keys, FailedAttempt(kind: .secondFactorFailed, actor: actor),
                                               at: portal.now)
            }
        }
        #expect(lockouts.dropLast().allSatisfy { $0 == nil })
        #expect(lockouts.last == .some(portal.configuration.lockoutSeconds))
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'second_factor_failed'") == 5)
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'lockout'") == 1)
        let verdict = try portal.pool.write { db in
            try portal.judgeGuess(db, portal.throttle, keys: keys, correct: true, failure: FailedAttempt(kind: .signInFailed, actor: actor),
                                  at: portal.now)
        }
        #expect(verdict == .locked(seconds: portal.configuration.lockoutSeconds), "a right guess during a lockout is refused")
    }
}
